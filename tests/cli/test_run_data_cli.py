"""A run received from another studio reads its dataset outside the run folder only with --data; a
damaged run folder is one sentence and exit status 2. Read back from what the commands print and write."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.data_files import png_bytes

TINY = ["--latent-dim", "16", "--g-width", "8", "--d-width", "8", "--batch-size", "8"]
NEEDS_DATA = "pass --data PATH with the dataset to use"


def studio(*args, home=None):
    env = dict(os.environ)
    if home is not None:
        env["GAN_STUDIO_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, timeout=300,
                          env=env)


def image_folder(path, prefix):
    for label, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        (path / label).mkdir(parents=True)
        for index in range(8):
            (path / label / f"{prefix}-{index}.png").write_bytes(png_bytes(colour, size=(32, 32)))
    return path


@pytest.fixture(scope="module")
def received(tmp_path_factory):
    """A run trained by one studio on a folder outside the run, and the home of another studio."""
    root = tmp_path_factory.mktemp("exchange")
    data = image_folder(root / "their-data", "theirs")
    run = root / "run"
    trained = studio("train", "--data", data, "--out", run, "--steps", 4, "--device", "cpu", *TINY, home=root / "their-studio")
    assert trained.returncode == 0, trained.stderr
    return run, data, root / "my-studio"


@pytest.mark.parametrize("command", [["report", "--format", "md"], ["evaluate", "--n", "16"], ["resume", "--steps", "8"]])
def test_a_received_run_needs_data_before_any_command_reads_its_dataset(received, tmp_path, command):
    run, data, home = received
    before = (run / "run.json").read_text()
    out = ["--out", tmp_path / "report"] if command[0] == "report" else []
    result = studio(command[0], "--run", run, *out, *command[1:], home=home)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert NEEDS_DATA in last and f"'{data}'" in last and "Traceback" not in result.stderr
    assert "theirs-" not in result.stderr + result.stdout
    assert not (tmp_path / "report").exists() and (run / "run.json").read_text() == before


def test_with_data_the_report_is_written_from_the_chosen_dataset(received, tmp_path):
    run, _, home = received
    before = (run / "run.json").read_text()
    mine = image_folder(tmp_path / "my-data", "mine")
    result = studio("report", "--run", run, "--out", tmp_path / "report", "--format", "md", "--data", mine, home=home)
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert "real training images" in markdown and "could not be reloaded" not in markdown
    assert (run / "run.json").read_text() == before  # a report only reads the run


def test_the_studio_that_trained_the_run_needs_no_question(received, tmp_path):
    run, data, _ = received
    result = studio("evaluate", "--run", run, "--n", 16, home=run.parent / "their-studio")
    assert result.returncode == 0, result.stderr
    assert "16 generated vs 14 real" in result.stdout


def test_a_source_edited_to_leave_the_run_is_refused_even_here(received, tmp_path):
    run, _, _ = received
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("run.json", "metrics.jsonl"):
        (copy / name).write_bytes((run / name).read_bytes())
    info = json.loads((copy / "run.json").read_text())
    info["config"]["data"]["source"] = "../../etc"
    (copy / "run.json").write_text(json.dumps(info))
    result = studio("report", "--run", copy, "--out", tmp_path / "report", "--format", "md", home=run.parent / "their-studio")
    assert result.returncode == 2 and "'../../etc'" in result.stderr and NEEDS_DATA in result.stderr


def test_a_damaged_run_json_is_one_sentence_naming_the_field(received, tmp_path):
    run, _, home = received
    copy = tmp_path / "copy"
    copy.mkdir()
    info = json.loads((run / "run.json").read_text())
    info["config"]["model"]["latent_dim"] = -5
    (copy / "run.json").write_text(json.dumps(info))
    result = studio("sample", "--run", copy, "--n", 1, "--out", tmp_path / "out", home=home)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: '{copy / 'run.json'}' is damaged at config.model.latent_dim: Latent size must be at least 2, not -5.")


def test_resume_remembers_the_dataset_named_with_data(received, tmp_path):
    run, _, home = received
    copy = shutil.copytree(run, tmp_path / "copy")
    mine = image_folder(tmp_path / "my-data", "mine")
    resumed = studio("resume", "--run", copy, "--steps", 6, "--data", mine, home=home)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((copy / "run.json").read_text())["config"]["data"]["source"] == str(mine)
    evaluated = studio("evaluate", "--run", copy, "--n", 16, home=home)
    assert evaluated.returncode == 0, evaluated.stderr
