"""SNGAN-style ResNet generator and discriminator (Miyato et al., 2018) at 2^k pixels.

The generator stacks upsampling residual blocks from a 4x4 map (class-conditional BatchNorm when
conditional); the discriminator stacks downsampling residual blocks with spectral normalisation
on every weight, sums the final features over space and adds the projection class term.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from studio.core.models.conditioning import ClassProjection
from studio.core.models.dcgan import upsampling_blocks


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm whose scale and shift come from the class (plain affine BatchNorm when unconditional)."""

    def __init__(self, features: int, num_classes: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(features, affine=not num_classes)
        self.scale = nn.Embedding(num_classes, features) if num_classes else None
        self.shift = nn.Embedding(num_classes, features) if num_classes else None
        if num_classes:
            nn.init.ones_(self.scale.weight)
            nn.init.zeros_(self.shift.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        x = self.norm(x)
        if self.scale is None:
            return x
        return x * self.scale(labels)[:, :, None, None] + self.shift(labels)[:, :, None, None]


class UpBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, num_classes: int):
        super().__init__()
        self.norm1 = ConditionalBatchNorm2d(c_in, num_classes)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, 1, 1)
        self.norm2 = ConditionalBatchNorm2d(c_out, num_classes)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.skip = nn.Conv2d(c_in, c_out, 1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        h = self.up(torch.relu(self.norm1(x, labels)))
        h = self.conv2(torch.relu(self.norm2(self.conv1(h), labels)))
        return h + self.skip(self.up(x))


class DownBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, first: bool):
        super().__init__()
        self.first = first
        self.conv1 = spectral_norm(nn.Conv2d(c_in, c_out, 3, 1, 1))
        self.conv2 = spectral_norm(nn.Conv2d(c_out, c_out, 3, 1, 1))
        self.skip = spectral_norm(nn.Conv2d(c_in, c_out, 1))
        self.pool = nn.AvgPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else torch.relu(x)
        h = self.pool(self.conv2(torch.relu(self.conv1(h))))
        skip = self.skip(self.pool(x)) if self.first else self.pool(self.skip(x))
        return h + skip


class ResNetGenerator(nn.Module):
    def __init__(self, latent_dim: int, width: int, resolution: int, num_classes: int = 0, channels: int = 3):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        blocks = upsampling_blocks(resolution)
        widths = [width * 2 ** (blocks - i) for i in range(blocks + 1)]
        self.widths = widths
        self.project = nn.Linear(latent_dim, 4 * 4 * widths[0])
        self.blocks = nn.ModuleList(UpBlock(c_in, c_out, num_classes) for c_in, c_out in zip(widths, widths[1:]))
        self.out_norm = nn.BatchNorm2d(widths[-1])
        self.out = nn.Conv2d(widths[-1], channels, 3, 1, 1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes and labels is None:
            raise ValueError("This model is conditional: pass a class label for every sample.")
        h = self.project(z).view(z.shape[0], self.widths[0], 4, 4)
        for block in self.blocks:
            h = block(h, labels)
        return torch.tanh(self.out(torch.relu(self.out_norm(h))))


class ResNetDiscriminator(nn.Module):
    def __init__(self, width: int, resolution: int, num_classes: int = 0, channels: int = 3):
        super().__init__()
        blocks = upsampling_blocks(resolution)
        widths = [channels] + [width * 2**i for i in range(blocks)]
        self.blocks = nn.Sequential(*(DownBlock(c_in, c_out, first=i == 0) for i, (c_in, c_out) in enumerate(zip(widths, widths[1:]))))
        self.head = spectral_norm(nn.Linear(widths[-1], 1))
        self.projection = ClassProjection(num_classes, widths[-1])
        if self.projection.embed is not None:
            spectral_norm(self.projection.embed)

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        features = torch.relu(self.blocks(images)).sum(dim=(2, 3))
        return self.head(features).flatten() + self.projection(features, labels)
