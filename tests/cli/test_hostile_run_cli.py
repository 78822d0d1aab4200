"""A colleague's run folder, tampered with: each file the newer features read is refused in one sentence (or
passed over with a note), nothing outside the run is written, and a refused command changes no file."""

import json
import os
import resource
import subprocess
import sys

import pytest
from PIL import Image

from tests.cli.helpers import studio
from tests.hostile_runs import (HUGE_INTEGER, copy_run, edit_json, folder_digest, hold_out_a_whole_class,
                                huge_png_header, latent_file, replace_with_fifo, replace_with_link)

SPLIT_UNKNOWN = "the run's held-out test images are unknown."


def refused(result, *sentence_parts):
    """Exit status 2, one sentence on stderr holding every part, no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert all(part in result.stderr for part in sentence_parts), result.stderr
    return result


@pytest.fixture
def hostile(run, tmp_path):
    """A copy of the module's tiny run, to tamper with."""
    return copy_run(run, tmp_path)


def test_a_lock_file_linked_out_of_the_run_never_writes_there(hostile, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    replace_with_link(hostile / ".training.lock", "../victim.txt")
    resumed = studio("resume", "--run", hostile, "--steps", 12)
    assert resumed.returncode == 0, resumed.stderr
    assert victim.read_text() == "precious"
    assert not (hostile / ".training.lock").is_symlink() and (hostile / ".training.lock").is_file()


@pytest.mark.parametrize("command", [["sample", "--n", 2, "--out", "{out}"], ["resume", "--steps", 12]])
def test_a_lock_file_that_is_a_pipe_never_blocks(hostile, tmp_path, command):
    replace_with_fifo(hostile / ".training.lock")
    args = [str(part).format(out=tmp_path / "out") for part in command]
    result = studio(args[0], "--run", hostile, *args[1:], timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("total", [3_000_000_000, 1e12])
def test_a_huge_split_total_is_refused_from_the_number(hostile, total):
    edit_json(hostile / "held_out.json", total=total)
    before = folder_digest(hostile)
    refused(studio("evaluate", "--run", hostile, "--n", 16), "held_out.json' is damaged at total", SPLIT_UNKNOWN)
    assert folder_digest(hostile) == before


def test_a_split_total_that_would_fill_memory_exits_within_three_gigabytes(hostile):
    """The 3,000,000,000-image split once allocated 24 GB; now it is refused from the number in a small process."""
    edit_json(hostile / "held_out.json", total=3_000_000_000)

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    result = subprocess.run([sys.executable, "-m", "studio", "evaluate", "--run", str(hostile), "--n", "16"],
                            capture_output=True, text=True, timeout=180, preexec_fn=limit_memory)
    refused(result, "held_out.json' is damaged at total", SPLIT_UNKNOWN)


def test_a_huge_integer_in_the_split_is_one_sentence(hostile):
    path = hostile / "held_out.json"
    path.write_text(path.read_text().replace('"indices": [', f'"indices": [{HUGE_INTEGER}, '))
    before = folder_digest(hostile)
    refused(studio("usefulness", "--run", hostile, "--seeds", 1, "--probe-steps", 1),
            "held_out.json' is damaged at indices[0]", SPLIT_UNKNOWN)
    assert folder_digest(hostile) == before


@pytest.mark.parametrize("command", [["evaluate", "--n", 16], ["usefulness", "--seeds", 1, "--probe-steps", 1],
                                     ["augment", "--balance", "--out", "{out}"], ["resume", "--steps", 20]])
def test_a_split_holding_out_a_whole_class_is_refused(hostile, tmp_path, command):
    hold_out_a_whole_class(hostile)
    before = folder_digest(hostile)
    args = [str(part).format(out=tmp_path / "out") for part in command]
    refused(studio(args[0], "--run", hostile, *args[1:]), "holds out all", "of the class", SPLIT_UNKNOWN)
    assert folder_digest(hostile) == before and not (tmp_path / "out").exists()


def test_the_report_of_a_run_with_a_bad_split_usefulness_and_grids_says_so(hostile, tmp_path):
    hold_out_a_whole_class(hostile)
    (hostile / "usefulness.json").write_text(json.dumps({"format": "gan-studio-usefulness/1", "class_names": ["a"],
                                                          "seeds": float("inf"), "ways": []}))
    samples = sorted((hostile / "samples").iterdir())
    samples[0].write_text("not a picture")
    replace_with_fifo(samples[-1])
    (hostile / "samples" / "step-000005.png").write_bytes(huge_png_header(12_000))
    out = tmp_path / "report"
    result = studio("report", "--run", hostile, "--out", out, "--format", "md", timeout=240)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    text = (out / "report.md").read_text()
    assert "The data could not be used now, so no images are shown:" in text and "holds out all" in text
    assert "The saved usefulness check is left out" in text and "usefulness.json' is damaged at seeds" in text
    assert "3 saved grids were left out" in text


@pytest.mark.parametrize("value, sentence", [(HUGE_INTEGER, "is damaged at latent"), (1e308, "from -1000 to 1000")],
                         ids=["4000 digits", "1e308"])
def test_a_latent_file_out_of_range_is_one_sentence(hostile, tmp_path, value, sentence):
    path = latent_file(tmp_path / "a.latent.json", [value] + [0.0] * 15)
    before = folder_digest(hostile)
    refused(studio("walk", "--run", hostile, "--out", tmp_path / "w.gif", "--from", path, "--to", 1, "--frames", 2),
            sentence)
    assert folder_digest(hostile) == before and not (tmp_path / "w.gif").exists()


def test_a_latent_far_from_the_prior_is_drawn_with_a_note(hostile, tmp_path):
    path = latent_file(tmp_path / "far.latent.json", [900.0] * 16)
    result = studio("walk", "--run", hostile, "--out", tmp_path / "w.gif", "--from", path, "--to", 1, "--frames", 2)
    assert result.returncode == 0, result.stderr
    assert "note: The latent in" in result.stderr and "far from where the generator was trained" in result.stderr


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_projecting_a_pipe_or_a_device_is_one_sentence(hostile, tmp_path, make):
    image = tmp_path / "image.png"
    replace_with_fifo(image) if make == "fifo" else replace_with_link(image, "/dev/zero")
    before = folder_digest(hostile)
    refused(studio("project", "--run", hostile, "--image", image, "--out", tmp_path / "out", timeout=60),
            "is neither an image file nor a folder")
    assert folder_digest(hostile) == before


def test_project_refuses_a_used_out_folder_before_projecting(hostile, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kept.txt").write_text("mine")
    Image.new("RGB", (32, 32), (200, 30, 30)).save(tmp_path / "red.png")
    before = folder_digest(hostile)
    refused(studio("project", "--run", hostile, "--image", tmp_path / "red.png", "--out", tmp_path / "out"),
            "already exists and is not empty")
    assert folder_digest(hostile) == before, "nothing was projected (no encoder was trained and cached)"


def test_project_on_a_folder_skips_and_lists_bad_images(hostile, tmp_path):
    images = tmp_path / "mine"
    images.mkdir()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(images / "good.png")
    (images / "text.png").write_text("not an image")
    Image.new("RGB", (32, 32), (30, 30, 200)).save(tmp_path / "outside.png")
    os.symlink(tmp_path / "outside.png", images / "linked.png")
    replace_with_fifo(images / "pipe.png")
    result = studio("project", "--run", hostile, "--image", images, "--out", tmp_path / "out", "--steps", 2,
                    "--no-encoder", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Skipped 3 files:" in result.stderr
    assert "linked.png: a link to a file outside the folder" in result.stderr
    assert "pipe.png: not a regular file" in result.stderr and "text.png" in result.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["good.latent.json", "good.png", "projections.csv"]


@pytest.mark.parametrize("command", [["sample", "--out", "{out}"], ["walk", "--out", "{out}", "--direction", 0],
                                     ["project", "--image", "{out}", "--out", "{out}"],
                                     ["augment", "--balance", "--out", "{out}"], ["train", "--out", "{out}"],
                                     ["sweep", "--out", "{out}"]])
def test_a_seed_beyond_63_bits_is_one_sentence_in_every_command(hostile, tmp_path, command):
    args = [str(part).format(out=tmp_path / "out") for part in command]
    before = folder_digest(hostile)
    run = [] if args[0] in ("train", "sweep") else ["--run", hostile]
    refused(studio(args[0], *run, *args[1:], "--seed", "99999999999999999999"),
            "argument --seed: a seed must be a whole number from 0 to 9,223,372,036,854,775,807")
    assert folder_digest(hostile) == before


def test_counts_are_bounded_before_work_starts(hostile, tmp_path):
    before = folder_digest(hostile)
    refused(studio("sample", "--run", hostile, "--out", tmp_path / "s", "--n", 10**20),
            "argument --n: expected a whole number from 1 to 1,000,000")
    refused(studio("walk", "--run", hostile, "--out", tmp_path / "w", "--from", "-5", "--to", 1),
            "--from and --to: a seed must be a whole number from 0")
    small = {**os.environ, "GAN_STUDIO_MAX_IMAGES_MB": "1"}
    refused(studio("walk", "--run", hostile, "--out", tmp_path / "w", "--from", 1, "--to", 2, "--frames", 10_000, env=small),
            "the walk's frames' would need", "GAN_STUDIO_MAX_IMAGES_MB")
    assert folder_digest(hostile) == before and not (tmp_path / "s").exists() and not (tmp_path / "w").exists()
