"""A CycleGAN trained the usual way, the yardstick of the translation benchmark.

As the CycleGAN authors' code does it by default: batch 1, a 64-channel ResNet generator with 9 residual
blocks each way, 64-channel PatchGAN discriminators, LSGAN, Adam at 2e-4 with β1 0.5, cycle weight 10,
identity 0.5, the plain tanh output, a pool of the last 50 translations for the discriminators, each image decoded from its
PNG file and randomly flipped as it is drawn. The networks are the studio's own modules at those sizes,
so only the way of training differs.
"""

from __future__ import annotations

import io
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from studio.core.translation.networks import PatchDiscriminator, ResnetGenerator

WIDTH, BLOCKS, POOL = 64, 9, 50


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _load(data: bytes) -> torch.Tensor:
    """One image file to a (1, 3, H, W) tensor in [-1, 1], flipped half the time."""
    with Image.open(io.BytesIO(data)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    if random.random() < 0.5:
        pixels = pixels[:, ::-1]
    return torch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1)[None] / 127.5 - 1


class ImagePool:
    def __init__(self, size: int = POOL):
        self.size, self.images = size, []

    def query(self, image: torch.Tensor) -> torch.Tensor:
        if len(self.images) < self.size:
            self.images.append(image.detach())
            return image.detach()
        if random.random() < 0.5:
            index = random.randrange(self.size)
            old, self.images[index] = self.images[index], image.detach()
            return old
        return image.detach()


def _lsgan(prediction: torch.Tensor, real: bool) -> torch.Tensor:
    return F.mse_loss(prediction, torch.full_like(prediction, 1.0 if real else 0.0))


def train_reference_cyclegan(source: np.ndarray, target: np.ndarray, seconds: float, seed: int = 0):
    """Train on (N, H, W, 3) uint8 sets for ``seconds``; returns (the source-to-target generator, steps)."""
    random.seed(seed)
    torch.manual_seed(seed)
    resolution = source.shape[1]
    files_a, files_b = [_png(image) for image in source], [_png(image) for image in target]
    g_ab, g_ba = ResnetGenerator(WIDTH, BLOCKS, residual=False), ResnetGenerator(WIDTH, BLOCKS, residual=False)
    d_a, d_b = PatchDiscriminator(WIDTH, resolution), PatchDiscriminator(WIDTH, resolution)
    opt_g = torch.optim.Adam([*g_ab.parameters(), *g_ba.parameters()], lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam([*d_a.parameters(), *d_b.parameters()], lr=2e-4, betas=(0.5, 0.999))
    pool_a, pool_b = ImagePool(), ImagePool()
    steps, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        a, b = _load(random.choice(files_a)), _load(random.choice(files_b))
        for network in (d_a, d_b):
            network.requires_grad_(False)
        opt_g.zero_grad()
        fake_b, fake_a = g_ab(a), g_ba(b)
        loss = (_lsgan(d_b(fake_b), True) + _lsgan(d_a(fake_a), True)
                + 10 * (F.l1_loss(g_ba(fake_b), a) + F.l1_loss(g_ab(fake_a), b))
                + 5 * (F.l1_loss(g_ab(b), b) + F.l1_loss(g_ba(a), a)))
        loss.backward()
        opt_g.step()
        for network in (d_a, d_b):
            network.requires_grad_(True)
        opt_d.zero_grad()
        loss_d = 0.5 * (_lsgan(d_b(b), True) + _lsgan(d_b(pool_b.query(fake_b)), False)
                        + _lsgan(d_a(a), True) + _lsgan(d_a(pool_a.query(fake_a)), False))
        loss_d.backward()
        opt_d.step()
        steps += 1
    return g_ab.eval(), steps
