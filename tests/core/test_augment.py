"""Augmented dataset export: targets, gates on crafted images, the layout and the provenance read back."""

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image

from studio.core.augment.export import AugmentRequest, export_augmented
from studio.core.augment.gates import LOW_CONFIDENCE, NEAR_COPY, Gates, Judge
from studio.core.augment.targets import Target, synthetic_targets
from studio.core.config import RunConfig
from studio.core.data import load_dataset
from studio.core.data.dataset import ImageDataset
from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState
from studio.core.training.jobs import new_run
from studio.core.training.trainer import Trainer
from tests.data_files import shapes_folder

COUNTS = {"circle": 30, "square": 30, "cross": 6}


@pytest.fixture(scope="module")
def imbalanced_run(tmp_path_factory):
    """A tiny conditional run on shape folders where 'cross' is rare, with 10% of every class held out."""
    root = tmp_path_factory.mktemp("augment")
    config = RunConfig()
    config.data.source = str(shapes_folder(root / "data", COUNTS))
    config.data.resolution = 16
    config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
    config.train.steps, config.train.batch_size, config.train.eval_every = 30, 16, 0
    dataset = load_dataset(config.data)
    run = new_run(root / "runs", config, dataset)
    Trainer(run, dataset).run()
    return run, dataset


def _manifest(folder):
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_targets_top_up_to_the_largest_class_a_number_or_a_multiple():
    real = {"a": 100, "b": 40, "c": 10}
    assert synthetic_targets(real, Target("balance")) == {"a": 0, "b": 60, "c": 90}
    assert synthetic_targets(real, Target("per_class", 50)) == {"a": 0, "b": 10, "c": 40}
    assert synthetic_targets(real, Target("factor", 1.5)) == {"a": 50, "b": 20, "c": 5}
    assert synthetic_targets(real, Target("count", 7)) == {"": 7}
    with pytest.raises(StudioError, match="does not know the classes"):
        Target("balance").check(conditional=False)
    with pytest.raises(StudioError, match="knows its classes"):
        Target("count", 5).check(conditional=True)
    with pytest.raises(StudioError, match="between 1 and 100"):
        Target("factor", 0.5).check(conditional=True)


def test_a_balanced_export_has_the_source_layout_and_a_manifest_for_every_image(imbalanced_run, tmp_path):
    run, dataset = imbalanced_run
    out = tmp_path / "balanced"
    progress = []
    result = export_augmented(run, dataset, AugmentRequest(Target("balance")), out, TaskState(lambda d, t: progress.append((d, t))))

    training, test = run.split(dataset)
    real = training.class_counts()  # 27, 27, 5 after the held-out share
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "circle", "cross", "dataset.json", "manifest.csv", "square"]
    for name in COUNTS:
        files = sorted((out / name).iterdir())
        assert len(files) == max(real.values()), f"{name} is topped up to the largest class"
        originals = [f for f in files if not f.name.startswith("synthetic-")]
        assert len(originals) == real[name]
        assert originals[0].read_bytes() == (dataset_root(run) / name / originals[0].name).read_bytes()
    held_names = {name.split("/")[-1] for name in test.names}
    assert not held_names & {f.name for f in out.rglob("*.png")}, "held-out test images stay out of the export"

    rows = _manifest(out)
    assert len(rows) == 3 * max(real.values())
    synthetic = [row for row in rows if row["origin"] == "synthetic"]
    assert len(synthetic) == sum(max(real.values()) - count for count in real.values())
    assert {row["checkpoint_sha256"] for row in synthetic} == {result_fingerprint(run)}
    assert all((out / row["file"]).exists() for row in rows)
    assert len({row["seed"] for row in synthetic}) == len(synthetic), "every synthetic image has its own seed"
    description = json.loads((out / "dataset.json").read_text())
    cross = description["classes"]["cross"]
    assert cross["kept"] == cross["generated"] == real["circle"] - real["cross"], "without gates nothing is wasted"
    assert description["held_out_left_out"] == len(test)
    assert "held-out test images are not included" in (out / "README.txt").read_text()
    assert f"cross: {real['cross']} real + {real['circle'] - real['cross']} synthetic (asked" in "\n".join(result.lines())
    assert progress[-1] == (1000, 1000)

    with pytest.raises(StudioError, match="already exists and is not empty"):
        export_augmented(run, dataset, AugmentRequest(Target("balance")), out)


def dataset_root(run):
    from pathlib import Path

    return Path(run.config.data.source)


def result_fingerprint(run):
    from studio.core.sampling import Sampler

    return Sampler.from_run(run).fingerprint


def test_resized_real_images_and_a_cancel_that_leaves_nothing(imbalanced_run, tmp_path):
    run, dataset = imbalanced_run
    out = tmp_path / "resized"
    export_augmented(run, dataset, AugmentRequest(Target("per_class", 28), real_files="resized"), out)
    rows = _manifest(out)
    assert sum(row["class"] == "cross" for row in rows) == 28 and len(rows) == 3 * 28
    real_rows = [row for row in rows if row["origin"] == "real"]
    assert all(row["file"] == row["source"] for row in real_rows), "written under the source's name"
    assert Image.open(out / real_rows[0]["file"]).size == (16, 16), "at the run's resolution"

    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        export_augmented(run, dataset, AugmentRequest(Target("balance")), tmp_path / "cancelled", task)
    assert not (tmp_path / "cancelled").exists() and [p.name for p in tmp_path.iterdir()] == ["resized"]


def test_synthetic_images_are_on_disk_while_later_ones_are_still_being_made(imbalanced_run, tmp_path):
    run, dataset = imbalanced_run
    written = []  # synthetic files in the staging folder at each progress report

    def look(done, total):
        written.append((done, len(list(tmp_path.glob(".out.*.partial/*/synthetic-*.png")))))

    result = export_augmented(run, dataset, AugmentRequest(Target("per_class", 200)), tmp_path / "out",
                              TaskState(look, interval_s=0))
    made = sum(tally.kept for tally in result.tallies.values())
    assert made > 3 * 64, "several batches"
    assert any(0 < files < made for done, files in written if done < 1000), written
    assert len(list((tmp_path / "out").glob("*/synthetic-*.png"))) == made


def test_a_request_that_may_not_fit_on_the_disk_is_refused_before_anything_is_made(imbalanced_run, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    run, dataset = imbalanced_run
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 500_000, 500_000))
    with pytest.raises(StudioError, match=r"^2,999,941 synthetic and 59 real images at 16 px need up to 2.9 GiB, but the "
                                          r"disk of '.*' has 500,000 bytes free; ask for at most 421 synthetic images"):
        export_augmented(run, dataset, AugmentRequest(Target("per_class", 1_000_000)), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def _solid(colours, side=16):
    images = torch.tensor(colours, dtype=torch.uint8)[:, :, None, None].expand(-1, -1, side, side).contiguous()
    return images


def test_gates_drop_the_wrong_class_and_near_copies(tmp_path):
    rng = np.random.default_rng(0)
    reds = [(200 + rng.integers(0, 50), rng.integers(0, 60), rng.integers(0, 60)) for _ in range(40)]
    blues = [(rng.integers(0, 60), rng.integers(0, 60), 200 + rng.integers(0, 50)) for _ in range(40)]
    images = _solid(reds + blues)
    training = ImageDataset(images=images, labels=torch.tensor([0] * 40 + [1] * 40), class_names=["red", "blue"],
                            source="made", names=[f"#{i}" for i in range(80)])
    judge = Judge(training, tmp_path, classify=True, copies=True, classifier_steps=150)
    assert judge.classifier_accuracy > 0.9

    exact_copy = images[3].permute(1, 2, 0).numpy()
    novel_red = np.zeros((16, 16, 3), np.uint8)
    novel_red[..., 0], novel_red[:8, :, 1] = 255, 120  # red, unlike any training image
    candidates = np.stack([exact_copy, novel_red, novel_red])
    asked = np.array([0, 0, 1])  # the last is asked to be blue
    scores = judge.score(candidates, asked)
    assert scores.confidence[1] > 0.9 > scores.confidence[2]
    assert scores.nearest_distance[0] == 0 and scores.nearest_index[0] == 3
    assert judge.verdicts(scores, Gates(min_confidence=0.5, drop_copies=True)) == [NEAR_COPY, "", LOW_CONFIDENCE]
    assert judge.verdicts(scores, Gates()) == ["", "", ""]
    with pytest.raises(StudioError, match="from 0 to 0.99"):
        Gates(min_confidence=1.0).check()
