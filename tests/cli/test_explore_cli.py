"""`sample` with ψ and class, and `walk`, run as an analyst would: subprocesses, files read back."""

import csv
import json

import pytest
from PIL import Image

from tests.cli.helpers import studio


def test_sample_with_truncation_writes_a_reproducible_manifest(run, tmp_path):
    result = studio("sample", "--run", run, "--n", 5, "--out", tmp_path / "a", "--truncation", 0.5, "--seed", 2)
    assert result.returncode == 0, result.stderr
    studio("sample", "--run", run, "--n", 5, "--out", tmp_path / "b", "--truncation", 0.5, "--seed", 2)
    rows = list(csv.DictReader(open(tmp_path / "a" / "manifest.csv")))
    assert [row["truncation"] for row in rows] == ["0.5"] * 5 and rows[0]["seed"] == "2"
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["truncation"] == 0.5
    assert all((tmp_path / "a" / r["file"]).read_bytes() == (tmp_path / "b" / r["file"]).read_bytes() for r in rows)


@pytest.mark.parametrize("args, sentence", [
    (("--truncation", "3"), "--truncation must be between 0 and 2"),
    (("--class", "cat"), "Class 'cat' does not exist; choose one of: circle, square, triangle, cross."),
])
def test_bad_sample_options_exit_2_with_one_sentence(run, tmp_path, args, sentence):
    result = studio("sample", "--run", run, "--n", 2, "--out", tmp_path / "x", *args)
    assert result.returncode == 2 and sentence in result.stderr and "Traceback" not in result.stderr


def test_walks_between_seeds_and_along_a_direction(run, tmp_path):
    gif = studio("walk", "--run", run, "--out", tmp_path / "ab.gif", "--from", 1, "--to", 2, "--frames", 7)
    assert gif.returncode == 0, gif.stderr
    assert played_ms(tmp_path / "ab.gif") == 7 * 80, "identical frames merge, but all 7 play at 12 fps"
    webp = studio("walk", "--run", run, "--out", tmp_path / "pc.webp", "--direction", 0, "--frames", 5)
    assert webp.returncode == 0, webp.stderr
    assert played_ms(tmp_path / "pc.webp") == 5 * 80
    assert list((run / "directions").glob("*.json"))
    frames = studio("walk", "--run", run, "--out", tmp_path / "frames", "--direction", 1, "--frames", 3)
    assert frames.returncode == 0 and len(list((tmp_path / "frames").glob("frame-*.png"))) == 3
    again = studio("walk", "--run", run, "--out", tmp_path / "ab.gif", "--from", 1, "--to", 2)
    assert again.returncode == 2 and "already exists" in again.stderr
    neither = studio("walk", "--run", run, "--out", tmp_path / "x.gif")
    assert neither.returncode == 2 and "--from SEED --to SEED, or --direction K" in neither.stderr


def played_ms(path) -> int:
    """How long an animation plays: the sum of its frames' durations."""
    with Image.open(path) as animation:
        total = 0
        for index in range(animation.n_frames):
            animation.seek(index)
            animation.load()
            total += animation.info["duration"]
    return total
