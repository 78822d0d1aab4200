"""Training options and data-parallel training from the command line, through subprocesses."""

import json
import os
import subprocess
import sys

from studio.core.runs import Run
from tests.cli.helpers import TINY as TINY_MODEL, studio

TINY = [*TINY_MODEL, "--device", "cpu"]


def test_models_lists_the_registry():
    result = subprocess.run([sys.executable, "-m", "studio", "models"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for name in ("dcgan", "sngan", "vae", "hinge", "wgan-gp", "small-data"):
        assert name in result.stdout


def test_train_takes_model_loss_and_switches(tmp_path):
    run = tmp_path / "run"
    args = ["train", "--out", run, "--steps", 4, "--model", "sngan", "--loss", "hinge", "--diffaugment", "--ema", "--conditional", *TINY]
    result = subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    config = Run.open(run).config
    assert (config.model.name, config.model.conditional, config.train.loss, config.train.diffaugment) == ("sngan", "on", "hinge", "on")


def test_explicit_flags_win_over_the_preset(tmp_path):
    run = tmp_path / "run"
    result = studio("train", "--out", run, "--preset", "small-data", "--steps", 2, "--ema-decay", 0.99, *TINY)
    assert result.returncode == 0, result.stderr
    config = json.loads((run / "run.json").read_text(encoding="utf-8"))["config"]
    assert (config["train"]["steps"], config["train"]["batch_size"]) == (2, 8)
    assert (config["model"]["latent_dim"], config["model"]["g_width"], config["model"]["d_width"]) == (16, 8, 8)
    assert (config["train"]["diffaugment"], config["train"]["ema_decay"]) == ("on", 0.99)
    assert "Finished 2 steps" in result.stdout


def test_fp16_on_the_cpu_is_one_sentence(tmp_path):
    args = ["train", "--out", tmp_path / "run", "--steps", 2, "--precision", "fp16", *TINY]
    result = subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1] == (
        "error: fp16 mixed precision needs a CUDA GPU; choose bf16 or fp32 on this device."
    )


def test_two_process_ddp_on_the_cpu_writes_one_valid_run_with_replicas_in_sync(tmp_path):
    run = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "studio", "train", "--out", str(run), "--steps", "12", *TINY]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("Finished 12 steps") == 1
    opened = Run.open(run)
    assert opened.last_step() == 12
    sidecar = json.loads(opened.latest_checkpoint().with_suffix(".json").read_text())
    assert sidecar["world_size"] == 2 and sidecar["replicas_in_sync"] is True
    assert [r["step"] for r in opened.read_metrics() if "g_loss" in r][-1] == 12
