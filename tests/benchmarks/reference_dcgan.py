"""A DCGAN trained the common way, the yardstick of the speed and quality benchmarks.

As the PyTorch DCGAN tutorial does it: Pillow opens, converts and resizes every image file in a
DataLoader (2 worker processes) every epoch; BCE loss; Adam at 2e-4 with β1 0.5 for both networks;
fp32 in the default memory format; the classic architecture (latent 100, width 64, batch 64). The
networks are the studio's own DCGAN modules, so only the way of training differs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from studio.core.models.dcgan import DCGANDiscriminator, DCGANGenerator
from studio.core.sampling import to_uint8_images

BATCH = 64
LATENT = 100
WIDTH = 64


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


def write_images(images: np.ndarray, folder: Path, jpeg: bool = False) -> list[Path]:
    """``(N, H, W, 3)`` uint8 images as numbered PNG files (or JPEG at quality 90) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, image in enumerate(images):
        path = folder / (f"{index:05d}.jpg" if jpeg else f"{index:05d}.png")
        Image.fromarray(image).save(path, **({"quality": 90} if jpeg else {}))
        files.append(path)
    return files


class ReferenceDCGAN:
    """The two networks, their optimizers and the file loader, ready to :meth:`train`."""

    def __init__(self, files: list[Path], resolution: int, width: int = WIDTH, seed: int = 0):
        torch.manual_seed(seed)
        self.generator = DCGANGenerator(LATENT, width, resolution)
        self.discriminator = DCGANDiscriminator(width, resolution)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loader = DataLoader(ImageFiles(files, resolution), batch_size=BATCH, shuffle=True, num_workers=2,
                                 drop_last=True, persistent_workers=True)

    def train(self, until: Callable[[int], bool], on_step: Callable[[int, float, float], None] | None = None) -> int:
        """Train step after step, epoch after epoch, until ``until(steps done)`` is true; returns the steps done.

        ``on_step(steps done, G loss, D loss)`` is called after every step.
        """
        done = 0
        while True:
            for real in self.loader:
                fake = self.generator(torch.randn(BATCH, LATENT))
                real_logits, fake_logits = self.discriminator(real), self.discriminator(fake.detach())
                d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + \
                    F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
                self.opt_d.zero_grad()
                d_loss.backward()
                self.opt_d.step()
                gen_logits = self.discriminator(fake)
                g_loss = F.binary_cross_entropy_with_logits(gen_logits, torch.ones_like(gen_logits))
                self.opt_g.zero_grad()
                g_loss.backward()
                self.opt_g.step()
                done += 1
                if on_step is not None:
                    on_step(done, g_loss.item(), d_loss.item())
                if until(done):
                    return done


@torch.no_grad()
def tutorial_samples(generator: torch.nn.Module, noise: torch.Tensor) -> torch.Tensor:
    """``(N, 3, H, W)`` uint8 images from ``noise`` as the tutorial draws them: the generator left in
    training mode (BatchNorm on batch statistics), one training-size batch at a time."""
    parts = [to_uint8_images(generator(noise[start : start + BATCH])) for start in range(0, len(noise), BATCH)]
    return torch.from_numpy(np.concatenate(parts)).permute(0, 3, 1, 2)
