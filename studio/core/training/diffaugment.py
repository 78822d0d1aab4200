"""DiffAugment (Zhao et al., 2020): differentiable colour, translation and cutout augmentation.

Applied to real and fake images alike before the discriminator, so gradients reach the generator
through it and the discriminator cannot memorise a small dataset. Randomness comes from an explicit
``torch.Generator`` so that a resumed run augments exactly as an uninterrupted one.
"""

from __future__ import annotations

import torch


def diff_augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Colour, then translation (1/8 of the size), then cutout (half the size), per image."""
    return _cutout(_translate(_colour(images, generator), generator), generator)


def _uniform(n: int, generator: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    return torch.rand(n, 1, 1, 1, generator=generator).to(device=like.device, dtype=like.dtype)


def _colour(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    x = x + (_uniform(n, generator, x) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (_uniform(n, generator, x) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(n, generator, x) + 0.5) + mean


def _translate(x: torch.Tensor, generator: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    n, _, height, width = x.shape
    shift_y, shift_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    dy = torch.randint(-shift_y, shift_y + 1, (n, 1, 1), generator=generator).to(x.device)
    dx = torch.randint(-shift_x, shift_x + 1, (n, 1, 1), generator=generator).to(x.device)
    rows = torch.arange(height, device=x.device)[None, :, None] + dy
    cols = torch.arange(width, device=x.device)[None, None, :] + dx
    padded = torch.nn.functional.pad(x, [1, 1, 1, 1])
    rows = (rows + 1).clamp(0, height + 1).expand(n, height, width)
    cols = (cols + 1).clamp(0, width + 1).expand(n, height, width)
    batch = torch.arange(n, device=x.device)[:, None, None].expand(n, height, width)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def _cutout(x: torch.Tensor, generator: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    n, _, height, width = x.shape
    cut_h, cut_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    top = torch.randint(0, height + (1 - cut_h % 2), (n, 1, 1), generator=generator).to(x.device) - cut_h // 2
    left = torch.randint(0, width + (1 - cut_w % 2), (n, 1, 1), generator=generator).to(x.device) - cut_w // 2
    rows = torch.arange(height, device=x.device)[None, :, None]
    cols = torch.arange(width, device=x.device)[None, None, :]
    inside = (rows >= top) & (rows < top + cut_h) & (cols >= left) & (cols < left + cut_w)
    return x * (~inside).unsqueeze(1).to(x.dtype)
