"""Exports and training from the command line never destroy what is there: an edited report is
kept, an unwritable target is one sentence, and a run trained by one process is refused to another."""

import os
import re
import subprocess
import sys
import time

import pytest

from studio.core.run_lock import holder
from tests.cli.helpers import studio

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LOCK_WAIT_S = 120


def one_sentence(result, sentence: str) -> None:
    assert result.returncode == 2, result.stderr
    assert sentence in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr


def test_a_report_never_overwrites_an_edited_report_or_mixes_with_other_files(run, tmp_path):
    out = tmp_path / "report"
    assert studio("report", "--run", run, "--out", out, "--format", "md").returncode == 0
    edited = (out / "report.md").read_text() + "\nMy conclusion: ship it.\n"
    (out / "report.md").write_text(edited)

    one_sentence(studio("report", "--run", run, "--out", out, "--format", "md"), "already exists and is not empty")
    assert (out / "report.md").read_text() == edited and sorted(os.listdir(tmp_path)) == ["report"]

    unrelated = tmp_path / "documents"
    unrelated.mkdir()
    (unrelated / "budget.xlsx").write_bytes(b"figures")
    one_sentence(studio("report", "--run", run, "--out", unrelated, "--format", "md"), "already exists and is not empty")
    assert os.listdir(unrelated) == ["budget.xlsx"]


def test_unwritable_targets_are_one_sentence(run, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    one_sentence(studio("report", "--run", run, "--out", blocker / "report", "--format", "md"), "is a file, not a folder")
    one_sentence(studio("walk", "--run", run, "--out", blocker / "walk.gif", "--from", 1, "--to", 2, "--frames", 3),
                 "is a file, not a folder")
    assert os.listdir(tmp_path) == ["notes.txt"]


@pytest.mark.skipif(AS_ROOT, reason="permissions do not restrict root; the file-in-the-way test covers it")
def test_a_read_only_folder_is_one_sentence(run, tmp_path):
    tmp_path.chmod(0o555)
    try:
        one_sentence(studio("report", "--run", run, "--out", tmp_path / "report", "--format", "md"), "is not writable")
        one_sentence(studio("walk", "--run", run, "--out", tmp_path / "walk.gif", "--from", 1, "--to", 2, "--frames", 3),
                     "is not writable")
    finally:
        tmp_path.chmod(0o755)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("args", "sentence"), [
    (["--fps", "0"], "A walk plays at 0.1 to 50 frames per second, not 0."),
    (["--frames", "1"], "A walk needs between 2 and 10,000 frames, not 1."),
])
def test_walk_timing_is_checked_before_any_work(run, tmp_path, args, sentence):
    one_sentence(studio("walk", "--run", run, "--out", tmp_path / "walk.gif", "--from", 1, "--to", 2, *args), sentence)
    assert os.listdir(tmp_path) == []


def test_a_run_trained_by_one_process_is_refused_to_another_until_it_is_killed(run, tmp_path):
    first = subprocess.Popen([sys.executable, "-m", "studio", "resume", "--run", str(run), "--steps", "10000000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while holder(run) is None:
            assert first.poll() is None, "the first resume ended before it trained"
            assert time.monotonic() < deadline, "the first resume never started training"
            time.sleep(0.05)
        second = studio("resume", "--run", run, "--steps", 20)
        one_sentence(second, f"This run is being trained by process {first.pid} since ")
        assert re.search(r"since \d{1,2}:\d{2}; ", second.stderr)
        sampled = studio("sample", "--run", run, "--n", 2, "--out", tmp_path / "images")
        assert sampled.returncode == 0, "reading the run stays possible: " + sampled.stderr
    finally:
        first.kill()
        first.wait()
    assert holder(run) is None, "the system released the lock of the killed process"
