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
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from studio.core.config import DataConfig, RunConfig
from studio.core.data import load_dataset
from studio.core.training.events import StepLogged
from studio.core.models.dcgan import DCGANDiscriminator, DCGANGenerator
from studio.core.runs import Run
from studio.core.training.trainer import Trainer

BATCH = 64
WARMUP_STEPS = 5
LATENT = 100


class ImageFiles(Dataset):
    """The common way: one Pillow decode, resize and tensor conversion per item, every epoch."""

    def __init__(self, files: list[Path], resolution: int):
        self.files, self.resolution = files, resolution

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> torch.Tensor:
        with Image.open(self.files[index]) as image:
            rgb = image.convert("RGB").resize((self.resolution, self.resolution), Image.Resampling.BILINEAR)
        array = np.asarray(rgb, dtype=np.float32)
        return torch.from_numpy(array).permute(2, 0, 1) / 127.5 - 1


def write_files(config: RunConfig, folder: Path, source_size: int) -> list[Path]:
    """The demo set as files: PNGs at the training size, or JPEG photos at ``source_size``."""
    dataset = load_dataset(DataConfig(demo_images=config.data.demo_images, resolution=source_size or config.data.resolution))
    files = []
    for index, image in enumerate(dataset.preview(len(dataset))):
        path = folder / (f"{index:05d}.jpg" if source_size else f"{index:05d}.png")
        Image.fromarray(image).save(path, **({"quality": 90} if source_size else {}))
        files.append(path)
    return files


def reference_rate(files: list[Path], resolution: int, width: int, steps: int) -> float:
    torch.manual_seed(0)
    generator, discriminator = DCGANGenerator(LATENT, width, resolution), DCGANDiscriminator(width, resolution)
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(ImageFiles(files, resolution), batch_size=BATCH, shuffle=True, num_workers=2, drop_last=True, persistent_workers=True)
    done, started = 0, None
    while done < steps + WARMUP_STEPS:
        for real in loader:
            if done == WARMUP_STEPS:
                started = time.perf_counter()
            fake = generator(torch.randn(BATCH, LATENT))
            real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
            d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + \
                F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            gen_logits = discriminator(fake)
            g_loss = F.binary_cross_entropy_with_logits(gen_logits, torch.ones_like(gen_logits))
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            print(f"\r  reference step {done + 1}/{steps + WARMUP_STEPS} (losses {g_loss.item():.2f}, {d_loss.item():.2f})",
                  end="", flush=True)
            done += 1
            if done == steps + WARMUP_STEPS:
                break
    print()
    return steps * BATCH / (time.perf_counter() - started)


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
