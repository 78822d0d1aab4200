"""The files the newer features keep in a run folder, from a stranger: the lock, the split, the usefulness
result, the cached networks, the saved grids and latent numbers each go through the gate."""

import json
import logging
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from studio.core.data import load_dataset
from studio.core.data.held_out import HeldOut
from studio.core.errors import StudioError
from studio.core.evaluation.features import classifier_features
from studio.core.evaluation.usefulness_result import UsefulnessResult, WayResult, WAYS
from studio.core.files import check_free_space
from studio.core.imaging import read_run_grid
from studio.core.run_lock import LOCK_FILE, RunLock, holder
from studio.core.runs import Run
from studio.core.validation import Fields
from studio.core.weights_file import check_header, read_weights
from tests.data_files import png_bytes
from tests.hostile_runs import (HUGE_INTEGER, deep_json, huge_header_weights, huge_png_header, pickle_weights,
                                replace_with_fifo, replace_with_link, safetensors_with_header)


def test_a_trainer_replaces_a_lock_file_that_is_a_link_a_pipe_or_a_second_name(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock = run / LOCK_FILE
    for make in (lambda: replace_with_link(lock, "../victim.txt"), lambda: replace_with_fifo(lock),
                 lambda: (lock.unlink(missing_ok=True), os.link(victim, lock))):
        make()
        assert holder(run) is None, "a lock file that is not a regular file of its own is held by nobody"
        with RunLock(run):
            assert holder(run).pid == os.getpid()
            assert lock.is_file() and not lock.is_symlink() and lock.stat().st_nlink == 1
        assert victim.read_text() == "precious"
    assert sorted(path.name for path in run.iterdir()) == [LOCK_FILE], "no temporary file was left"


def test_opening_a_run_whose_lock_is_a_pipe_does_not_wait(trained_run, tmp_path):
    copy = Path(shutil.copytree(trained_run.path, tmp_path / "run"))
    replace_with_fifo(copy / LOCK_FILE)
    assert Run.open(copy).last_step() == trained_run.last_step()


def _split(**changes) -> dict:
    raw = {"share": 0.25, "total": 8, "fingerprint": "f", "per_class": {"a": 1, "b": 1}, "indices": [1, 5]}
    return {**raw, **changes}


@pytest.mark.parametrize("changes, field", [
    ({"total": 3_000_000_000}, "total"), ({"total": 1e12}, "total"), ({"indices": [1, HUGE_INTEGER]}, "indices[1]"),
    ({"indices": [5, 1]}, "indices[1]"), ({"per_class": {"a": 2, "b": 1}}, "per_class"),
    ({"per_class": {"a": HUGE_INTEGER}}, "per_class.'a'"),
])
def test_a_split_file_is_refused_from_its_numbers(changes, field):
    with pytest.raises(StudioError, match=rf"^'h' is damaged at {re.escape(field)} \(.*\); the run's held-out test images are unknown\.$"):
        HeldOut.from_dict(_split(**changes), "'h'")


def test_a_split_that_holds_out_all_or_none_of_a_class_is_refused():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    HeldOut.from_dict(_split(), "'h'").check_against(["a", "b"], labels, "'h'")
    with pytest.raises(StudioError, match=r"per_class.'a' \(it holds out all 4 images"):
        HeldOut.from_dict(_split(indices=[0, 1, 2, 3, 5], per_class={"a": 4, "b": 1}), "'h'").check_against(["a", "b"], labels, "'h'")
    with pytest.raises(StudioError, match=r"per_class.'b' \(it holds out none of the class's 4 images"):
        HeldOut.from_dict(_split(indices=[1, 2], per_class={"a": 2, "b": 0}), "'h'").check_against(["a", "b"], labels, "'h'")
    with pytest.raises(StudioError, match=r"at total \(it says 8 images, the dataset has 9\)"):
        HeldOut.from_dict(_split(), "'h'").check_against(["a", "b"], np.append(labels, 1), "'h'")


def _usefulness(**changes) -> dict:
    ways = [WayResult(way, [0.5], [0.4], [[0.5, None]]) for way in WAYS]
    raw = json.loads(json.dumps(UsefulnessResult(["a", "b"], [9, 2], [3, 0], [0, 7], 1, ways, "held out", 2.0).to_dict()))
    return {**raw, **changes}


@pytest.mark.parametrize("changes, field", [
    ({"ways": _usefulness()["ways"][1:]}, "ways"), ({"seeds": float("inf")}, "seeds"),
    ({"ways": [{**way, "recall": [[0.5]]} for way in _usefulness()["ways"]]}, "ways[0].recall[0]"),
    ({"test_counts": [3]}, "test_counts"), ({"seconds": HUGE_INTEGER}, "seconds"),
])
def test_a_usefulness_result_goes_through_the_gate(changes, field):
    assert UsefulnessResult.from_dict(_usefulness(), Path("u.json")).way("real").class_recall()[0] == 0.5
    with pytest.raises(StudioError, match=rf"^'u.json' is damaged at {re.escape(field)}: "):
        UsefulnessResult.from_dict(_usefulness(**changes), Path("u.json"))


@pytest.fixture(scope="module")
def demo_images():
    from studio.core.config import DataConfig

    return load_dataset(DataConfig(demo_images=64))


@pytest.mark.parametrize("damage", ["garbage", "pickle", "huge header", "link", "pipe", "deep json"])
def test_a_damaged_cached_classifier_is_trained_again_with_a_note(demo_images, tmp_path, caplog, damage):
    run = tmp_path / "run"
    cache = run / "eval"
    classifier_features(demo_images, cache, steps=2)
    weights, info = cache / "classifier.safetensors", cache / "classifier.json"
    good = weights.read_bytes()
    (tmp_path / "outside.safetensors").write_bytes(good)
    if damage == "deep json":
        info.write_text(deep_json())
    elif damage == "link":
        replace_with_link(weights, tmp_path / "outside.safetensors")
    elif damage == "pipe":
        replace_with_fifo(weights)
    else:
        weights.write_bytes({"garbage": b"\x00garbage" * 50, "pickle": pickle_weights(),
                             "huge header": huge_header_weights()}[damage])
    with caplog.at_level(logging.WARNING, logger="studio.notes"):
        space = classifier_features(demo_images, cache, steps=2)
    assert space.accuracy is not None
    assert f"The cached classifier in '{cache}' is trained again: " in caplog.text
    assert weights.is_file() and not weights.is_symlink() and read_weights(weights, inside=run)
    assert (tmp_path / "outside.safetensors").read_bytes() == good


def test_a_damaged_cached_encoder_is_trained_again_with_a_note(trained_run, tmp_path, caplog):
    from studio.core.explore.encoder import latent_encoder
    from studio.core.sampling import Sampler

    run = Run.open(shutil.copytree(trained_run.path, tmp_path / "run"))
    sampler = Sampler.from_run(run)
    latent_encoder(run, sampler, run.latest_checkpoint(), steps=2)
    [cached] = (run.path / "projection").iterdir()
    cached.write_bytes(huge_header_weights())
    with caplog.at_level(logging.WARNING, logger="studio.notes"):
        latent_encoder(run, sampler, run.latest_checkpoint(), steps=2)
    assert f"The cached encoder '{cached.name}' is trained again: '{cached}' is not a valid safetensors" in caplog.text
    assert read_weights(cached, inside=run.path)


def test_a_safetensors_header_is_checked_before_it_is_trusted():
    entry = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    check_header(safetensors_with_header(json.dumps(entry).encode(), data=b"\0" * 8), Path("w"))
    for payload in (b"short", huge_header_weights(), pickle_weights(),
                    safetensors_with_header(deep_json(50).encode()),
                    safetensors_with_header(json.dumps({"w": {**entry["w"], "shape": [10**9]}}).encode(), data=b"\0" * 8),
                    safetensors_with_header(json.dumps({"w": {**entry["w"], "data_offsets": [0, 800]}}).encode(), data=b"\0" * 8)):
        with pytest.raises(StudioError, match=r"^'w' is not a valid safetensors file of weights\.$"):
            check_header(payload, Path("w"))


def test_a_saved_grid_is_checked_before_it_is_decoded(tmp_path):
    run = tmp_path / "run"
    (run / "samples").mkdir(parents=True)
    good = run / "samples" / "good.png"
    good.write_bytes(png_bytes(size=(40, 30)))
    assert read_run_grid(good, 32, run).shape == (30, 40, 3)
    cases = {"huge.png": (huge_png_header(20_000), "claims more pixels than any grid the run writes; it was not decoded"),
             "large.png": (huge_png_header(12_000), "is 12,000×12,000 pixels, larger than any grid the run writes"),
             "text.png": (b"not a picture", "is not a readable image")}
    for name, (data, sentence) in cases.items():
        (run / "samples" / name).write_bytes(data)
        with pytest.raises(StudioError, match=sentence):
            read_run_grid(run / "samples" / name, 32, run)
    with pytest.raises(StudioError, match="is not a regular file"):
        read_run_grid(replace_with_fifo(run / "samples" / "pipe.png"), 32, run)
    with pytest.raises(StudioError, match="is a link or a special file"):
        read_run_grid(replace_with_link(run / "samples" / "link.png", "good.png"), 32, run)
    (tmp_path / "outside.png").write_bytes(png_bytes())
    with pytest.raises(StudioError, match="lies outside .* through a link"):
        read_run_grid(replace_with_link(run / "samples" / "out.png", tmp_path / "outside.png"), 32, run)
    os.symlink(tmp_path, run / "elsewhere")
    with pytest.raises(StudioError, match="lies outside .* through a link"):
        read_run_grid(run / "elsewhere" / "outside.png", 32, run)


def test_huge_integers_are_refused_as_numbers_without_overflowing():
    fields = Fields({"x": HUGE_INTEGER, "xs": [1, HUGE_INTEGER]}, Path("f.json"))
    with pytest.raises(StudioError, match="at x: expected a finite number"):
        fields.number("x")
    with pytest.raises(StudioError, match="at xs: expected a list of at most"):
        fields.numbers("xs")


def test_an_export_that_would_fill_the_disk_is_refused_first(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda _: SimpleNamespace(free=10 * 1024**2))
    check_free_space(tmp_path / "new" / "folder", 5 * 1024**2, "5 images")
    with pytest.raises(StudioError, match=r"^1,000 images would need about 20 MiB, but the disk of '.*' has only 10 MiB free"):
        check_free_space(tmp_path / "new" / "folder", 20 * 1024**2, "1,000 images")


def test_a_damaged_cached_classifier_is_left_out_of_the_projections_distance(trained_run, demo_images, tmp_path, caplog):
    import torch

    from studio.core.explore.feature_distance import run_feature_distance

    run = Run.open(shutil.copytree(trained_run.path, tmp_path / "run"))
    classifier_features(demo_images, run.path / "eval", steps=2)
    (run.path / "eval" / "classifier.safetensors").write_bytes(pickle_weights())
    with caplog.at_level(logging.WARNING, logger="studio.notes"):
        distance = run_feature_distance(run, run.latest_checkpoint(), 0, torch.device("cpu"))
    assert list(distance.networks) == ["discriminator"]
    assert f"The cached classifier in '{run.path / 'eval'}' is not used for projecting: " in caplog.text
