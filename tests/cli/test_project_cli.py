"""``project`` through the command line: reconstructions, latents and a CSV, and a walk between two latents."""

import csv
import json

from PIL import Image

from tests.cli.helpers import studio


def test_project_a_folder_then_walk_between_two_projections(run, tmp_path):
    images = tmp_path / "mine"
    images.mkdir()
    for name, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        Image.new("RGB", (48, 40), colour).save(images / f"{name}.png")
    (images / "notes.txt").write_text("not an image")
    out = tmp_path / "projected"
    result = studio("project", "--run", run, "--image", images, "--out", out, "--steps", 20, "--no-encoder")
    assert result.returncode == 0, result.stderr
    assert "blue.png:" in result.stdout and "red.png:" in result.stdout
    with open(out / "projections.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["reconstruction"] for row in rows] == ["blue.png", "red.png"]
    assert all(float(row["psnr_db"]) > 0 for row in rows)
    assert Image.open(out / "red.png").size == (32, 32)
    latent = json.loads((out / "red.latent.json").read_text())
    assert len(latent["latent"]) == 16 and latent["source"].endswith("red.png")

    walk = studio("walk", "--run", run, "--out", tmp_path / "walk.gif", "--from", out / "red.latent.json",
                  "--to", out / "blue.latent.json", "--frames", 4)
    assert walk.returncode == 0, walk.stderr
    assert Image.open(tmp_path / "walk.gif").n_frames == 4
    mixed = studio("walk", "--run", run, "--out", tmp_path / "mixed.gif", "--from", 3, "--to", out / "blue.latent.json",
                   "--frames", 3)
    assert mixed.returncode == 0, mixed.stderr

    again = studio("project", "--run", run, "--image", images / "red.png", "--out", out, "--no-encoder")
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr
    missing = studio("walk", "--run", run, "--out", tmp_path / "x.gif", "--from", tmp_path / "none.json", "--to", 2)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
