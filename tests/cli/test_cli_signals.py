"""SIGTERM and SIGINT stop command-line training with a checkpoint, as a process manager or a
background job would send them; under torchrun a signal to one rank stops every rank at the same step."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.core.runs import Run

TINY = ["--demo-images", "64", "--latent-dim", "16", "--g-width", "8", "--d-width", "8", "--batch-size", "8", "--device", "cpu"]
ENDLESS = ["--steps", "1000000"]
STOPPED = re.compile(r"Training was stopped(?: by (\w+))? at step (\d+); its checkpoint is (\S+); continue with: "
                     r"python -m studio resume --run (\S+)$")
INTERRUPTED = 130


def _start(command: list[str], ignore_sigint: bool = False) -> subprocess.Popen:
    """Start as a background job would: its own session, no terminal input, SIGINT ignored if asked."""
    return subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
    )


def _wait_for_a_logged_step(run: Path, process: subprocess.Popen) -> None:
    metrics = run / "metrics.jsonl"
    while not (metrics.exists() and '"g_loss"' in metrics.read_text()):
        assert process.poll() is None, process.communicate()[1]
        time.sleep(0.1)


def _stop(process: subprocess.Popen, send) -> tuple[int, str, str]:
    try:
        send()
        out, err = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return process.returncode, out, err


def _stopped_line(err: str) -> re.Match:
    found = [match for line in err.splitlines() if (match := STOPPED.match(line.strip()))]
    assert len(found) == 1, err[-3000:]
    return found[0]


def _train_and_stop(tmp_path: Path, signum: int, ignore_sigint: bool = False) -> tuple[Path, int]:
    run = tmp_path / "run"
    process = _start([sys.executable, "-m", "studio", "train", "--out", str(run), *ENDLESS, *TINY], ignore_sigint)
    _wait_for_a_logged_step(run, process)
    code, _, err = _stop(process, lambda: os.kill(process.pid, signum))
    assert code == INTERRUPTED, err[-3000:]
    stopped = _stopped_line(err)
    name, step, checkpoint = stopped.group(1), int(stopped.group(2)), Path(stopped.group(3))
    assert name == signal.Signals(signum).name and Path(stopped.group(4)) == run
    assert step >= 10 and Run.open(run).last_step() == step
    assert checkpoint == Run.open(run).latest_checkpoint()
    assert json.loads(checkpoint.with_suffix(".json").read_text())["step"] == step
    return run, step


def _resume_continues(run: Path, step: int) -> None:
    result = subprocess.run([sys.executable, "-m", "studio", "resume", "--run", str(run), "--steps", str(step + 3)],
                            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"from step {step} to {step + 3}" in result.stderr
    assert f"Finished {step + 3} steps" in result.stdout
    assert Run.open(run).last_step() == step + 3


def test_sigterm_stops_training_with_a_checkpoint_that_resume_continues(tmp_path):
    run, step = _train_and_stop(tmp_path, signal.SIGTERM)
    _resume_continues(run, step)


def test_sigint_stops_a_background_training_that_started_with_sigint_ignored(tmp_path):
    run, step = _train_and_stop(tmp_path, signal.SIGINT, ignore_sigint=True)
    _resume_continues(run, step)


def test_the_exit_status_of_a_stopped_run_is_in_the_help():
    result = subprocess.run([sys.executable, "-m", "studio", "train", "--help"], capture_output=True, text=True, timeout=60)
    assert "SIGTERM" in result.stdout and "130" in result.stdout


def _rank_pids(launcher: subprocess.Popen) -> dict[int, int]:
    """The worker processes torchrun started, by rank (read from /proc)."""
    ranks = {}
    children = [pid for task in Path(f"/proc/{launcher.pid}/task").iterdir() for pid in (task / "children").read_text().split()]
    for pid in children:
        environ = dict(item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)
        ranks[int(environ["RANK"])] = int(pid)
    return ranks


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the ranks' processes through /proc")
def test_sigterm_to_one_rank_stops_both_ranks_at_the_same_step_with_one_checkpoint(tmp_path):
    run = tmp_path / "ddp"
    launcher = _start([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                       "-m", "studio", "train", "--out", str(run), *ENDLESS, *TINY])
    _wait_for_a_logged_step(run, launcher)
    code, _, err = _stop(launcher, lambda: os.kill(_rank_pids(launcher)[1], signal.SIGTERM))
    assert code != 0 and "terminate called" not in err, err[-3000:]
    stopped = _stopped_line(err)
    assert stopped.group(1) is None  # rank 0 stopped because rank 1 was signalled
    step = int(stopped.group(2))
    assert Run.open(run).last_step() == step
    sidecar = json.loads(Path(stopped.group(3)).with_suffix(".json").read_text())
    assert sidecar["step"] == step and sidecar["world_size"] == 2 and sidecar["replicas_in_sync"] is True
