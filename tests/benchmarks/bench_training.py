"""Training speed: the studio's loop against a DCGAN loop written the common way, in one process.

Run from the repository root (a script, not a test):

    .venv/bin/python tests/benchmarks/bench_training.py [--steps 40] [--width 64] [--resolutions 32 64]

The reference decodes PNG files with Pillow in a DataLoader (2 workers) every epoch and trains in
fp32 with the default memory format. The studio trains the same architecture, batch and loss
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

from studio.core.config import RunConfig
from studio.core.data import load_dataset
from studio.core.events import StepLogged
from studio.core.models.dcgan import DCGANDiscriminator, DCGANGenerator
from studio.core.runs import Run
from studio.core.training import Trainer

BATCH = 64
WARMUP_STEPS = 5
LATENT = 100


class PngFolder(Dataset):
    """The common way: one Pillow decode and tensor conversion per item, every epoch."""

    def __init__(self, files: list[Path]):
        self.files = files

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> torch.Tensor:
        with Image.open(self.files[index]) as image:
            array = np.asarray(image.convert("RGB"), dtype=np.float32)
        return torch.from_numpy(array).permute(2, 0, 1) / 127.5 - 1


def write_pngs(config: RunConfig, folder: Path) -> list[Path]:
    dataset = load_dataset(config.data)
    files = []
    for index, image in enumerate(dataset.preview(len(dataset))):
        path = folder / f"{index:05d}.png"
        Image.fromarray(image).save(path)
        files.append(path)
    return files


def reference_rate(files: list[Path], resolution: int, width: int, steps: int) -> float:
    torch.manual_seed(0)
    generator, discriminator = DCGANGenerator(LATENT, width, resolution), DCGANDiscriminator(width, resolution)
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(PngFolder(files), batch_size=BATCH, shuffle=True, num_workers=2, drop_last=True, persistent_workers=True)
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
    args = parser.parse_args()
    print(f"DCGAN width {args.width}, batch {BATCH}, {args.steps} timed steps after {WARMUP_STEPS} warm-up, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
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
            (root / "pngs").mkdir()
            files = write_pngs(config, root / "pngs")
            reference = reference_rate(files, resolution, args.width, args.steps)
            fp32 = studio_rate(config, "fp32", args.steps, root)
            bf16 = studio_rate(config, "bf16", args.steps, root)
        print(f"{resolution} px: reference {reference:7.1f} img/s | studio fp32 {fp32:7.1f} img/s ({fp32 / reference:.2f}x) "
              f"| studio bf16 {bf16:7.1f} img/s ({bf16 / reference:.2f}x)")


if __name__ == "__main__":
    main()
