"""Training speed: the studio's loop against a DCGAN loop written the common way, in one process.

Run from the repository root (a script, not a test):

    .venv/bin/python tests/benchmarks/bench_training.py [--steps 40] [--width 64] [--resolutions 32 64]

The reference decodes image files with Pillow in a DataLoader (2 workers) every epoch, resizing
them to the training size as the PyTorch DCGAN tutorial does, and trains in fp32 with the default
memory format. Two kinds of files are measured: PNGs already at the training size (the most
favourable case for the reference) and 256 px JPEG photos (what an analyst's folder holds). The studio trains the same architecture, batch and loss
through its real Trainer: the dataset resident as one uint8 tensor sliced per batch, channels_last,
no host-device syncs between log points; once in fp32 (equal numerics) and once in bf16 autocast.
EMA is off in both so the work per step is the same. Figures are images per second after warm-up.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from reference_dcgan import BATCH, LATENT, ReferenceDCGAN, write_images

from studio.core.config import DataConfig, RunConfig
from studio.core.data import load_dataset
from studio.core.training.events import StepLogged
from studio.core.runs import Run
from studio.core.training.trainer import Trainer

WARMUP_STEPS = 5


def write_files(config: RunConfig, folder: Path, source_size: int) -> list[Path]:
    """The demo set as files: PNGs at the training size, or JPEG photos at ``source_size``."""
    dataset = load_dataset(DataConfig(demo_images=config.data.demo_images, resolution=source_size or config.data.resolution))
    return write_images(dataset.preview(len(dataset)), folder, jpeg=bool(source_size))


def reference_rate(files: list[Path], resolution: int, width: int, steps: int) -> float:
    started = []

    def on_step(done: int, g_loss: float, d_loss: float) -> None:
        if done == WARMUP_STEPS:
            started.append(time.perf_counter())
        print(f"\r  reference step {done}/{steps + WARMUP_STEPS} (losses {g_loss:.2f}, {d_loss:.2f})", end="", flush=True)

    ReferenceDCGAN(files, resolution, width).train(lambda done: done == steps + WARMUP_STEPS, on_step)
    print()
    return steps * BATCH / (time.perf_counter() - started[0])


def studio_rate(config: RunConfig, precision: str, steps: int, root: Path) -> float:
    """Images/s of the real Trainer on the same files (decoded once, before the timing starts)."""
    config = RunConfig.from_dict(config.to_dict())
    config.train.precision = precision
    config.train.steps = WARMUP_STEPS + steps
    config.train.log_every = WARMUP_STEPS
    dataset = load_dataset(config.data)
    run = Run.create(root, config, dataset.summary())
    rates = []

    def on_event(event) -> None:
        if isinstance(event, StepLogged) and event.step > WARMUP_STEPS:
            rates.append((event.step, event.images_per_sec))

    Trainer(run, dataset, on_event).run()
    return float(np.mean([rate for _, rate in rates]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--resolutions", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--sources", type=int, nargs="+", default=[0, 256],
                        help="0: PNGs at the training size; N: JPEG photos of N px")
    args = parser.parse_args()
    print(f"DCGAN width {args.width}, batch {BATCH}, {args.steps} timed steps after {WARMUP_STEPS} warm-up, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for source_size in args.sources:
        for resolution in args.resolutions:
            config = RunConfig()
            config.data.resolution = resolution
            config.data.demo_images = 2048
            config.model.latent_dim, config.model.g_width, config.model.d_width = LATENT, args.width, args.width
            config.train.ema_decay = 0.0
            config.train.eval_every = 0
            config.train.sample_every = config.train.checkpoint_every = 1_000_000
            config.train.device = "cpu"
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                (root / "files").mkdir()
                files = write_files(config, root / "files", source_size)
                config.data.source = str(root / "files")
                reference = reference_rate(files, resolution, args.width, args.steps)
                fp32 = studio_rate(config, "fp32", args.steps, root)
                bf16 = studio_rate(config, "bf16", args.steps, root)
            kind = f"{source_size} px JPEG photos" if source_size else "PNGs at training size"
            print(f"{resolution} px from {kind}: reference {reference:7.1f} img/s | studio fp32 {fp32:7.1f} img/s "
                  f"({fp32 / reference:.2f}x) | studio bf16 {bf16:7.1f} img/s ({bf16 / reference:.2f}x)")


if __name__ == "__main__":
    main()
