"""``data inspect`` and ``train --data`` driven as an analyst would: a subprocess, its output, its files."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.data_files import bomb_png, png_bytes, write_cifar_folder, write_mnist, write_zip


def studio(*args, cwd=None):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=240)


def test_inspect_prints_the_report_of_a_zip_with_skipped_entries(tmp_path):
    archive = write_zip(tmp_path / "pets.zip", {
        "pets/cats/a.png": png_bytes((255, 0, 0)), "pets/cats/a-copy.png": png_bytes((255, 0, 0)),
        "pets/dogs/b.png": png_bytes((0, 0, 255), size=(90, 30)), "pets/dogs/bomb.png": bomb_png(),
        "../escape.png": png_bytes(),
    })
    result = studio("data", "inspect", archive, "--resolution", "16")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Images used: 3" in out and "cats: 2" in out and "dogs: 1" in out
    assert "../escape.png: escaping path refused" in out
    assert "pets/dogs/bomb.png: too large" in out
    assert "Exact-duplicate groups: 1" in out and "pets/cats/a-copy.png, pets/cats/a.png" in out


def test_inspect_names_the_hidden_folders_it_left_out(tmp_path):
    for relative in ("cats/a.png", "dogs/b.png", ".git/objects/c.png", ".thumbnails/d.png", "cats/.cache/e.png"):
        (tmp_path / "pets" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pets" / relative).write_bytes(png_bytes())
    (tmp_path / "pets" / ".DS_Store").write_bytes(b"finder notes")
    result = studio("data", "inspect", tmp_path / "pets", "--resolution", "16")
    assert result.returncode == 0, result.stderr
    assert "Images used: 2" in result.stdout
    hidden = [line for line in result.stdout.splitlines() if line.startswith("Hidden folders")]
    assert hidden == ["Hidden folders left out (names starting with a dot): .git, .thumbnails, cats/.cache"]


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: write_cifar_folder(tmp / "cifar-10-batches-py"), "Images used: 30"),
    (lambda tmp: write_mnist(tmp / "mnist", gz=True), "Images used: 30"),
])
def test_inspect_reads_research_formats_as_json(tmp_path, make, expected):
    result = studio("data", "inspect", make(tmp_path))
    assert result.returncode == 0 and expected in result.stdout, result.stderr
    result = studio("data", "inspect", make(tmp_path), "--json", "--max-images", "5")
    assert json.loads(result.stdout)["images"] == 5


@pytest.mark.parametrize("args, sentence", [
    (["{tmp}/missing"], "does not exist"),
    (["{tmp}/empty"], "contains no files"),
    (["{tmp}/bad.npz"], "has shape"),
    (["{tmp}/bad-images-idx3-ubyte"], "wrong magic number"),
    (["{tmp}/ok.npz", "--resolution", "24"], "Resolution must be one of 16, 32, 64, 128, 256"),
    (["{tmp}/ok.npz", "--fit", "zoom"], "Fit must be one of crop, pad, stretch"),
])
def test_bad_inputs_exit_2_with_one_sentence(tmp_path, args, sentence):
    (tmp_path / "empty").mkdir()
    np.savez(tmp_path / "bad.npz", images=np.zeros((3, 4), np.uint8))
    np.savez(tmp_path / "ok.npz", images=np.zeros((3, 16, 16), np.uint8))
    (tmp_path / "bad-images-idx3-ubyte").write_bytes(b"\x01\x02\x03\x04" + b"\0" * 20)
    result = studio("data", "inspect", *(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2
    assert sentence in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_train_on_an_npz_with_preprocessing_flags_records_options_and_report(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "set.npz", x=rng.random((40, 3, 20, 28)), y=np.arange(40) % 2)
    out = tmp_path / "run"
    result = studio("train", "--data", tmp_path / "set.npz", "--out", out, "--resolution", "16", "--fit", "pad",
                    "--colour", "grayscale", "--flip", "horizontal", "--max-images", "32", "--steps", "2",
                    "--batch-size", "8", "--g-width", "4", "--d-width", "4", "--latent-dim", "8", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "run.json").read_text())["config"]["data"]
    assert (data["resolution"], data["fit"], data["colour"], data["flip"], data["max_images"]) == (16, "pad", "grayscale", "horizontal", 32)
    report = json.loads((out / "dataset_report.json").read_text())
    assert report["images"] == 32 and report["classes"] == {"0": 16, "1": 16}
