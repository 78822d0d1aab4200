"""The command line, driven as a user would: through a subprocess, reading the files back."""

import pytest
from PIL import Image

from tests.cli.helpers import TINY, studio


def test_train_resume_and_sample(tmp_path):
    run = tmp_path / "run"
    trained = studio("train", "--out", run, "--steps", 12, "--device", "cpu", *TINY)
    assert trained.returncode == 0, trained.stderr
    assert "Finished 12 steps" in trained.stdout
    assert (run / "run.json").exists() and (run / "checkpoints" / "step-000012.safetensors").exists()

    too_few = studio("resume", "--run", run, "--steps", 12)
    assert too_few.returncode != 0
    assert "already at step 12; set a step total above it" in too_few.stderr
    assert '"steps": 12' in (run / "run.json").read_text(), "a refused total is not saved"
    resumed = studio("resume", "--run", run, "--steps", 20)
    assert resumed.returncode == 0, resumed.stderr
    assert "from step 12 to 20" in resumed.stderr
    assert (run / "checkpoints" / "step-000020.safetensors").exists()

    out = tmp_path / "images"
    sampled = studio("sample", "--run", run, "--n", 6, "--out", out, "--seed", 3, "--grid")
    assert sampled.returncode == 0, sampled.stderr
    pngs = sorted(out.rglob("image-*.png"))  # a folder per class: the demo set has four, so the model is conditional
    assert len(pngs) == 6 and Image.open(pngs[0]).size == (32, 32)
    assert sorted(folder.name for folder in out.iterdir() if folder.is_dir()) == ["circle", "cross", "square", "triangle"]
    assert Image.open(out / "grid.png").size[0] > 32
    assert (out / "manifest.csv").read_text().count("\n") == 7


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["train", "--data", "/no/such/folder", "--out", "{tmp}/r"], "does not exist"),
        (["train", "--out", "{tmp}/r", "--batch-size", "0"], "Batch size must be at least 2"),
        (["train", "--out", "{tmp}/r", "--resolution", "48"], "Resolution must be one of 16, 32, 64, 128, 256"),
        (["train", "--out", "{tmp}/r", "--device", "cuda"], "no usable CUDA GPU"),
        (["resume", "--run", "{tmp}"], "is not a GAN Studio run"),
        (["sample", "--run", "{tmp}/missing", "--n", "3", "--out", "{tmp}/o"], "is not a GAN Studio run"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(tmp_path, args, sentence):
    result = studio(*[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and sentence in lines[0], result.stderr
    assert "Traceback" not in result.stderr
