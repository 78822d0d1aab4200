"""Augmentation applied to training batches (the stored tensor is never changed)."""

from __future__ import annotations

import torch


def flip_half(batch: torch.Tensor, seed: int, step: int) -> torch.Tensor:
    """Mirror a random half of ``(B, C, H, W)`` left to right, in place.

    The choice comes from ``(seed, step)`` alone, so a resumed run flips exactly the images the
    uninterrupted run would have.
    """
    generator = torch.Generator().manual_seed(seed * 1_000_003 + step)
    mask = (torch.rand(batch.shape[0], generator=generator) < 0.5).to(batch.device)
    batch[mask] = batch[mask].flip(-1)
    return batch
