"""`evaluate` and `report` on the command line, headless, read back from the files they write."""

import json
import os

import pytest

from tests.cli.helpers import studio


def test_evaluate_prints_and_saves_numbers_with_their_feature_space(run):
    result = studio("evaluate", "--run", run, "--n", 40)
    assert result.returncode == 0, result.stderr
    assert "random conv features" in result.stdout and "40 generated vs 40 real" in result.stdout
    record = json.loads((run / "eval" / "step-000010-random.json").read_text())
    assert record["n_fake"] == 40 and f"{record['fd']:.4g}" in result.stdout


def test_report_without_a_display_writes_the_chosen_formats(run, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = studio("report", "--run", run, "--out", tmp_path / "r", "--format", "html,md", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "report.md").exists()
    assert not (tmp_path / "r" / "report.pdf").exists()


@pytest.mark.parametrize(("args", "sentence"), [
    (["--format", "docx"], "Formats must be"),
    (["--checkpoint", "77"], "Checkpoint must be last, best or a saved step"),
    (["--features", "inception"], "Inception features need the local weights file"),
])
def test_bad_report_and_evaluate_input_is_one_sentence(run, tmp_path, args, sentence):
    command = "report" if args[0] == "--format" else "evaluate"
    extra = ["--out", tmp_path / "r"] if command == "report" else ["--n", 20]
    result = studio(command, "--run", run, *extra, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert sentence in lines[-1] and "Traceback" not in result.stderr
