"""Style transfer through the command line, as a user runs it: train, translate, stop with a signal,
resume, and one sentence with exit status 2 for each bad input."""

import csv
import os
import signal
import sys

import numpy as np
import pytest
from PIL import Image

from studio.core.translation.run import TranslationRun
from tests.cli.helpers import studio
from tests.cli.test_cli_signals import INTERRUPTED, _start, _stop, _stopped_line, _wait_for_a_logged_step
from tests.translation_files import translation_sets

TINY = ["--resolution", "16", "--g-width", "4", "--d-width", "4", "--batch-size", "2", "--held-out", "0.25", "--device", "cpu"]


def one_thread() -> dict:
    """This test's environment (its own studio home) with one OpenMP thread: tiny models gain nothing from more."""
    return {**os.environ, "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    return translation_sets(tmp_path_factory.mktemp("sets"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, sets):
    path = tmp_path_factory.mktemp("cli") / "run"
    done = studio("translate-train", "--source", sets[0], "--target", sets[1], "--out", path, "--steps", 4, *TINY, env=one_thread())
    assert done.returncode == 0, done.stderr
    assert f"Finished 4 steps: {path}" in done.stdout
    return path


def one_sentence(done) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and lines[-1].startswith("error: ")
    return lines[-1]


def test_translate_writes_the_folder_in_its_layout_with_a_manifest_and_strength_zero_is_the_source(trained, sets, tmp_path):
    source = sets[0]
    done = studio("translate", "--run", trained, "--images", source, "--out", tmp_path / "out", "--strength", 0, "--device", "cpu",
                  env=one_thread())
    assert done.returncode == 0, done.stderr
    names = sorted(path.relative_to(source).as_posix() for path in source.rglob("*.png"))
    with open(tmp_path / "out" / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["file"] for row in rows) == names
    for name in names:
        assert np.array_equal(np.asarray(Image.open(tmp_path / "out" / name)), np.asarray(Image.open(source / name)))
    again = studio("translate", "--run", trained, "--images", source, "--out", tmp_path / "out", env=one_thread())
    assert "not empty" in one_sentence(again)


def test_one_image_is_translated_into_a_new_folder(trained, sets, tmp_path):
    image = next(sets[0].rglob("*.png"))
    done = studio("translate", "--run", trained, "--images", image, "--out", tmp_path / "one", env=one_thread())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "one" / image.name).is_file() and "Translated 1 images" in done.stdout


def test_sigterm_stops_with_a_checkpoint_and_resume_continues(sets, tmp_path):
    run = tmp_path / "run"
    process = _start([sys.executable, "-m", "studio", "translate-train", "--source", str(sets[0]), "--target", str(sets[1]),
                      "--out", str(run), "--steps", "1000000", *TINY])
    _wait_for_a_logged_step(run, process)
    status, _, err = _stop(process, lambda: process.send_signal(signal.SIGTERM))
    assert status == INTERRUPTED
    stopped = _stopped_line(err)
    step = int(stopped.group(2))
    assert stopped.group(1) == "SIGTERM" and TranslationRun.open(run).last_step() == step
    resumed = studio("resume", "--run", run, "--steps", step + 2, env=one_thread())
    assert resumed.returncode == 0, resumed.stderr
    assert f"from step {step} to {step + 2}" in resumed.stderr and TranslationRun.open(run).last_step() == step + 2


def test_bad_inputs_are_one_sentence_with_exit_status_2(trained, sets, tmp_path, request):
    empty = tmp_path / "empty"
    empty.mkdir()
    single = tmp_path / "single"
    single.mkdir()
    Image.new("RGB", (16, 16)).save(single / "only.png")
    train = ["translate-train", "--out", tmp_path / "new", *TINY]
    assert "does not exist" in one_sentence(studio(*train, "--source", tmp_path / "missing", "--target", sets[1]))
    assert "contains no files" in one_sentence(studio(*train, "--source", empty, "--target", sets[1]))
    assert "at least 2" in one_sentence(studio(*train, "--source", sets[0], "--target", single, env=one_thread()))
    assert "between 0" in one_sentence(studio("translate", "--run", trained, "--images", sets[0], "--out", tmp_path / "o",
                                              "--strength", "1.5"))
    generation = request.getfixturevalue("trained_run")
    assert "not a style-transfer checkpoint" in one_sentence(
        studio("translate", "--run", trained, "--images", sets[0], "--out", tmp_path / "o", "--checkpoint",
               generation.latest_checkpoint(), env=one_thread()))
    assert "not a style-transfer" in one_sentence(studio("translate", "--run", generation.path, "--images", sets[0], "--out",
                                                         tmp_path / "o"))
    assert not (tmp_path / "new").exists() and not (tmp_path / "o").exists()
