"""DCGAN (Radford et al., 2016) for square images of 2^k pixels, k >= 3.

The generator projects the latent vector to a 4x4 feature map with a transposed convolution and
doubles the size with each block; the discriminator mirrors it with strided convolutions down to
4x4 and one 4x4 convolution to a single logit, so both sizes follow from the resolution.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _blocks(resolution: int) -> int:
    blocks = int(math.log2(resolution)) - 2
    if resolution != 2 ** (blocks + 2) or blocks < 1:
        raise ValueError(f"DCGAN needs a power-of-two resolution of at least 8, not {resolution}.")
    return blocks


def _init_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: N(0, 0.02) convolutions, N(1, 0.02) BatchNorm scales."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    def __init__(self, latent_dim: int, width: int, resolution: int, channels: int = 3):
        super().__init__()
        self.latent_dim = latent_dim
        blocks = _blocks(resolution)
        widths = [width * 2 ** (blocks - 1 - i) for i in range(blocks)]
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
        ]
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(_init_weights)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(N, latent_dim)`` noise to ``(N, C, H, W)`` images in [-1, 1]."""
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    def __init__(self, width: int, resolution: int, channels: int = 3):
        super().__init__()
        blocks = _blocks(resolution)
        widths = [width * 2**i for i in range(blocks)]
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, inplace=True)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0)]
        self.net = nn.Sequential(*layers)
        self.apply(_init_weights)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` images in [-1, 1] to ``(N,)`` real-vs-fake logits."""
        return self.net(images).flatten()
