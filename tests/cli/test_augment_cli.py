"""``augment`` and ``usefulness`` through the command line, read back from what they print and write."""

import csv
import json
import shutil

import pytest

from tests.cli.helpers import studio
from tests.data_files import shapes_folder

TINY = ["--latent-dim", "16", "--g-width", "8", "--d-width", "8", "--batch-size", "16"]
COUNTS = {"circle": 24, "square": 24, "cross": 6}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny conditional run on shape folders where 'cross' is rare; the folder goes with every command."""
    root = tmp_path_factory.mktemp("augment-cli")
    data = shapes_folder(root / "data", COUNTS)
    run = root / "run"
    result = studio("train", "--data", data, "--resolution", 16, "--out", run, "--steps", 30, "--device", "cpu", *TINY)
    assert result.returncode == 0, result.stderr
    return run, data


def test_augment_balances_the_classes_and_lists_every_image(trained, tmp_path):
    run, data = trained
    out = tmp_path / "balanced"
    result = studio("augment", "--run", run, "--data", data, "--out", out, "--balance", "--real", "resized")
    assert result.returncode == 0, result.stderr
    assert "cross: 5 real + 17 synthetic (asked 17" in result.stdout
    assert "The run's 5 held-out test images were left out" in result.stdout
    with open(out / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    per_class = {name: sum(row["class"] == name for row in rows) for name in COUNTS}
    assert per_class == {"circle": 22, "square": 22, "cross": 22}
    assert json.loads((out / "dataset.json").read_text())["images"] == {"real": 49, "synthetic": 17}

    again = studio("augment", "--run", run, "--data", data, "--out", out, "--balance")
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr.strip().splitlines()[-1]
    wrong = studio("augment", "--run", run, "--data", data, "--out", tmp_path / "n", "--count", 5)
    assert wrong.returncode == 2 and "knows its classes" in wrong.stderr and "Traceback" not in wrong.stderr
    assert not (tmp_path / "n").exists()


def test_usefulness_prints_the_five_ways_and_keeps_the_result(trained):
    run, data = trained
    result = studio("usefulness", "--run", run, "--data", data, "--seeds", 1, "--probe-steps", 20, "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [way["way"] for way in found["ways"]] == ["real", "synthetic", "mixed", "oversampled", "flip_crop"]
    assert found["test_counts"] == [2, 1, 2] and found["synthetic_added"] == [0, 17, 0]
    assert found["verdict"] and json.loads((run / "usefulness.json").read_text())["verdict"] == found["verdict"]

    table = studio("usefulness", "--run", run, "--data", data, "--seeds", 1, "--probe-steps", 20)
    assert table.returncode == 0, table.stderr
    assert "Synthetic only (CAS)" in table.stdout and "cross:" in table.stdout


def test_a_run_without_test_images_is_told_to_bring_some(trained, tmp_path):
    run, data = trained
    old = shutil.copytree(run, tmp_path / "old-run")
    (old / "held_out.json").unlink()
    refused = studio("usefulness", "--run", old, "--data", data, "--seeds", 1, "--probe-steps", 10)
    assert refused.returncode == 2
    assert "no untouched test images (it was made before the studio kept test images apart)" in refused.stderr
    fresh = shapes_folder(tmp_path / "fresh", {"circle": 3, "cross": 3})
    tested = studio("usefulness", "--run", old, "--data", data, "--test-data", fresh, "--seeds", 1, "--probe-steps", 10,
                    "--json")
    assert tested.returncode == 0, tested.stderr
    assert json.loads(tested.stdout)["test_counts"] == [3, 3, 0]
