"""DCGAN (Radford et al., 2016) for square images of 2^k pixels, k >= 3, optionally class-conditional.

The generator projects the latent vector to a 4x4 feature map with a transposed convolution and
doubles the size with each block; the discriminator mirrors it with strided convolutions down to
4x4 and one 4x4 convolution to a single logit, so both sizes follow from the resolution. The
conditional variant concatenates a one-hot class to the latent vector and adds a projection term
to the discriminator's logit.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from studio.core.models.conditioning import ClassProjection, one_hot_or_none


def upsampling_blocks(resolution: int) -> int:
    """How many doublings take a 4x4 map to ``resolution``."""
    blocks = int(math.log2(resolution)) - 2
    if resolution != 2 ** (blocks + 2) or blocks < 1:
        raise ValueError(f"The models need a power-of-two resolution of at least 8, not {resolution}.")
    return blocks


def _init_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: N(0, 0.02) convolutions, N(1, 0.02) BatchNorm scales.

    The class embedding of the projection term starts as small as the convolutions: at torch's
    default N(0, 1) it outweighs the real-vs-fake logit and the generator learns shapes without colour
    for the first minutes.
    """
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    def __init__(self, latent_dim: int, width: int, resolution: int, num_classes: int = 0, channels: int = 3):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        blocks = upsampling_blocks(resolution)
        widths = [width * 2 ** (blocks - 1 - i) for i in range(blocks)]
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim + num_classes, widths[0], 4, 1, 0, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
        ]
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(_init_weights)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """``(N, latent_dim)`` noise (and ``(N,)`` labels if conditional) to ``(N, C, H, W)`` images in [-1, 1]."""
        classes = one_hot_or_none(labels, self.num_classes, z)
        if classes is not None:
            z = torch.cat([z, classes], dim=1)
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    def __init__(self, width: int, resolution: int, num_classes: int = 0, channels: int = 3):
        super().__init__()
        blocks = upsampling_blocks(resolution)
        widths = [width * 2**i for i in range(blocks)]
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, inplace=True)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(widths[-1], 1, 4, 1, 0)
        self.projection = ClassProjection(num_classes, widths[-1])
        self.apply(_init_weights)

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """``(N, C, H, W)`` images in [-1, 1] to ``(N,)`` real-vs-fake logits."""
        features = self.features(images)
        return self.head(features).flatten() + self.projection(features.sum(dim=(2, 3)), labels)
