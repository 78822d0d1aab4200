"""``--self-test`` from the source checkout: the real window trains, renders and exports offscreen,
one line per step, in a temporary folder; a failing or stuck step ends it with status 1 and one sentence."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _self_test(home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}  # it sets offscreen itself
    environ.pop("DISPLAY", None)
    environ.update(GAN_STUDIO_HOME=str(home), OMP_NUM_THREADS="1", **env)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], cwd=home, env=environ,
                          capture_output=True, text=True, timeout=240)


def test_self_test_passes_from_the_checkout_and_leaves_nothing_behind(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = _self_test(home)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line for line in lines if line.startswith("[")]
    assert [line.split(":")[0] for line in steps] == [
        "[1/7] open the main window", "[2/7] load the demo set", "[3/7] train a few steps",
        "[4/7] render a sample", "[5/7] export one image", "[6/7] draft and export the report",
        "[7/7] decode a folder in worker processes"]
    assert all(": ok (" in line for line in steps)
    assert "Qt platform 'offscreen'" in steps[0] and "20 steps" in steps[2] and "12 images in 2 classes" in steps[6]
    assert lines[-1].startswith("Self-test passed in ")
    assert list(home.iterdir()) == [], "runs and settings must go to the self-test's own temporary folder"


def test_a_stuck_self_test_ends_at_its_time_limit(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    result = _self_test(tmp_path, GAN_STUDIO_SELF_TEST_SECONDS="2", TMPDIR=str(temp))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "Self-test failed: it did not finish within 2 s."
    assert list(temp.iterdir()) == [], "its temporary folder is removed even then"


def test_a_failing_step_is_one_sentence_and_status_1(qapp, monkeypatch, tmp_path):
    from studio.core.paths import HOME_ENV
    from studio.gui import self_test

    monkeypatch.setenv(HOME_ENV, str(tmp_path))  # restored afterwards; the self-test points it elsewhere

    def no_data(test):
        raise self_test.StepFailed("The demo set could not be drawn (out of memory).")

    monkeypatch.setattr(self_test.SelfTest, "load_demo", no_data)
    out = io.StringIO()
    assert self_test.run_self_test(out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/7] open the main window: ok")
    assert lines[1:] == ["Self-test failed at step 2 (load the demo set): The demo set could not be drawn (out of memory)."]
