"""The one in-memory form every dataset source produces."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import torch


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class ImageDataset:
    """All images decoded once: ``images`` is ``(N, 3, H, W)`` uint8, ``labels`` is ``(N,)`` int64."""

    images: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    source: str
    skipped: list[SkippedFile] = field(default_factory=list)
    report: dict = field(default_factory=dict)  # the validation report (see validation.py)
    fingerprint: str = ""  # of the source's content and the options: the cache key
    names: list[str] = field(default_factory=list)  # each image's file inside the source, or '#index' for arrays

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def resolution(self) -> int:
        return int(self.images.shape[-1])

    def class_counts(self) -> dict[str, int]:
        counts = Counter(self.labels.tolist())
        return {name: counts.get(index, 0) for index, name in enumerate(self.class_names)}

    def name_of(self, index: int) -> str:
        return self.names[index] if index < len(self.names) else f"#{index}"

    def subset(self, indices) -> ImageDataset:
        """The images at ``indices`` (ascending; a tensor, array or list) with their labels and names;
        the classes and the source stay."""
        indices = torch.as_tensor(indices, dtype=torch.int64)
        chosen = indices.tolist()
        return replace(self, images=self.images[indices], labels=self.labels[indices],
                       names=[self.name_of(i) for i in chosen])

    def preview(self, n: int) -> np.ndarray:
        """The first ``n`` images as ``(n, H, W, 3)`` uint8, ready for a grid."""
        return self.images[:n].permute(0, 2, 3, 1).contiguous().numpy()

    def class_previews(self, n: int) -> dict[str, np.ndarray]:
        """Up to ``n`` images of each class, ``(k, H, W, 3)`` uint8, for the thumbnail filter."""
        return {name: self.images[self.labels == index][:n].permute(0, 2, 3, 1).contiguous().numpy()
                for index, name in enumerate(self.class_names)}

    def summary(self) -> dict:
        """What a run records about the data it was trained on (``Run.create`` files the report apart)."""
        return {
            "source": self.source,
            "images": len(self),
            "resolution": self.resolution,
            "classes": self.class_counts(),
            "skipped": len(self.skipped),
            "fingerprint": self.fingerprint,
            "report": self.report,
        }
