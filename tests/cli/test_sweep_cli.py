"""The sweep command: a real tiny sweep stopped by SIGTERM, resumed and shown; its mistakes in one sentence."""

import os
import re
import signal
import subprocess
import sys

import pytest

from studio.cli.main import main
from studio.core.sweep.results import continue_best, read_results

TINY = ["--demo-images", "256", "--resolution", "16", "--steps", "40", "--eval-every", "20", "--eval-samples", "64",
        "--features", "random", "--device", "cpu", "--param", "g_width=8", "--param", "d_width=8",
        "--param", "batch_size=16"]


def test_a_sweep_stops_on_sigterm_resumes_without_repeating_a_trial_and_shows_its_table(tmp_path, capsys):
    folder = tmp_path / "sweep"
    command = [sys.executable, "-m", "studio", "sweep", *TINY, "--trials", "3", "--out", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        seen = []
        for line in process.stderr:  # the progress bar: stop once trial 1 has trained a first step
            seen.append(line)
            if line.startswith("trial 1 ["):
                break
        assert seen and seen[-1].startswith("trial 1 ["), "".join(seen)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert f"continue it with: python -m studio sweep --resume --out {folder}" in err
    assert out.startswith("trial   0  ")
    stopped = read_results(folder, importances=False)
    assert [row.state for row in stopped.trials] == ["COMPLETE", "RUNNING"]

    resumed = subprocess.run([sys.executable, "-m", "studio", "sweep", "--resume", "--out", str(folder)],
                             capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    numbers = [int(line.split()[1]) for line in resumed.stdout.splitlines() if re.match(r"trial +\d+ ", line)]
    assert numbers == [1, 2], resumed.stdout
    assert "Continuing" in resumed.stderr and "trial 1 [####" in resumed.stderr
    results = read_results(folder)
    assert [row.number for row in results.trials] == [0, 1, 2]
    assert all(row.state in ("COMPLETE", "PRUNED") and row.steps == 40 for row in results.trials if row.state == "COMPLETE")
    assert results.best is not None and (results.best.run_path / "run.json").is_file()

    capsys.readouterr()
    assert main(["sweep", "show", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "trial  state" in shown and f"Best: trial {results.best.number}" in shown
    assert "g_width=8" not in shown  # fixed values are not searched

    best = continue_best(folder, 20)
    assert best.path == results.best.run_path and best.config.train.steps == 60
    assert best.config.train.checkpoint_every == 500  # back to the base config's spacing


@pytest.mark.parametrize("args, says", [
    (["sweep", "--param", "lr_g=1e-3:1e-5", "--out", "{tmp}/new"], "lr_g (Learning rate G) needs a range"),
    (["sweep", "--trials", "0", "--out", "{tmp}/new"], "at least 1"),
    (["sweep", "--steps", "10", "--eval-every", "20", "--out", "{tmp}/new"], "at least 20 steps"),
    (["sweep", "show", "{tmp}"], "is not a GAN Studio sweep"),
    (["sweep", "show"], "Name the sweep folder"),
    (["sweep"], "Name the sweep folder with --out"),
    (["sweep", "--resume", "--out", "{tmp}/missing"], "is not a GAN Studio sweep"),
])
def test_sweep_mistakes_are_one_sentence(tmp_path, capsys, args, says):
    assert main([arg.format(tmp=tmp_path) for arg in args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and err.startswith("error: ")


def test_a_resume_with_other_dataset_options_or_steps_is_refused(tmp_path, capsys):
    from types import SimpleNamespace

    from studio.core.config import DataConfig
    from studio.core.sweep.jobs import create_sweep, plan_sweep

    create_sweep(tmp_path / "sweep", plan_sweep(DataConfig(resolution=16), SimpleNamespace(class_names=["a"]), steps=40,
                                                eval_every=20))
    assert main(["sweep", "--resume", "--out", str(tmp_path / "sweep"), "--resolution", "32"]) == 2
    assert "made with resolution 16, not 32" in capsys.readouterr().err
    assert main(["sweep", "--resume", "--out", str(tmp_path / "sweep"), "--steps", "80"]) == 2
    assert "made with --steps 40, not 80" in capsys.readouterr().err
    assert main(["sweep", "--resume", "--out", str(tmp_path / "sweep"), "--param", "loss=hinge"]) == 2
    assert "search space is fixed" in capsys.readouterr().err
    assert main(["sweep", "--out", str(tmp_path / "sweep")]) == 2
    assert "continue that sweep with --resume" in capsys.readouterr().err
