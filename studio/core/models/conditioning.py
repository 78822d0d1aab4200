"""Class conditioning shared by the models: an optional embedding, and the projection term.

A model built with ``num_classes == 0`` is unconditional and ignores labels; every generator and
discriminator takes ``(input, labels=None)`` so the trainer, sampler and explorer need not care.
"""

from __future__ import annotations

import torch
from torch import nn


class ClassProjection(nn.Module):
    """The projection discriminator's class term (Miyato & Koyama, 2018): ``<embed(y), features>``."""

    def __init__(self, num_classes: int, features: int):
        super().__init__()
        self.embed = nn.Embedding(num_classes, features) if num_classes else None

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        if self.embed is None or labels is None:
            return features.new_zeros(features.shape[0])
        return (self.embed(labels) * features).sum(dim=1)


def one_hot_or_none(labels: torch.Tensor | None, num_classes: int, like: torch.Tensor) -> torch.Tensor | None:
    """Labels as one-hot rows in ``like``'s dtype and device, or None for an unconditional model."""
    if not num_classes:
        return None
    if labels is None:
        raise ValueError("This model is conditional: pass a class label for every sample.")
    return nn.functional.one_hot(labels, num_classes).to(like.dtype)
