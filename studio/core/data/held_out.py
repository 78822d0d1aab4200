"""The held-out test split: real images a run keeps out of GAN training, to test other models on later.

The split is stratified (the same share of every class), stable (a function of the labels and a fixed
seed only, so the same dataset always gives the same split) and recorded in the run with a fingerprint
of what the indices point into: the class names, every image's label and its name in the source. A
dataset that changed since (images added, removed or renamed) no longer matches, and the run says so
instead of testing on images it may have trained on. File modification times are not part of it, so a
dataset copied to another computer still matches. No torch here: the run folder reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from studio.core.errors import StudioError

SPLIT_SEED = 20_240_601
MAX_SHARE = 0.5


@dataclass(frozen=True)
class HeldOut:
    """``indices`` (ascending) of the held-out images in the dataset the ``fingerprint`` describes."""

    share: float
    indices: np.ndarray
    total: int
    fingerprint: str
    per_class: dict[str, int]

    @property
    def count(self) -> int:
        return len(self.indices)

    def describe(self) -> str:
        """'800 of 8,000 images (10% of each class) are kept apart for testing'."""
        if not self.count:
            return "No real images are kept apart for testing."
        return f"{self.count:,} of {self.total:,} images ({self.share:.0%} of each class) are kept apart for testing."

    def to_dict(self) -> dict:
        return {"share": self.share, "total": self.total, "fingerprint": self.fingerprint,
                "per_class": self.per_class, "indices": self.indices.tolist()}

    @classmethod
    def from_dict(cls, raw: object, where: str) -> HeldOut:
        """Checked field by field: a file from a stranger gives one sentence, never a crash."""
        def bad(what: str) -> StudioError:
            return StudioError(f"{where} is damaged ({what}); the run's held-out test images are unknown.")

        if not isinstance(raw, dict):
            raise bad("not a JSON object")
        share, total, fingerprint = raw.get("share"), raw.get("total"), raw.get("fingerprint")
        per_class, indices = raw.get("per_class"), raw.get("indices")
        if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= MAX_SHARE:
            raise bad("share")
        if not isinstance(total, int) or isinstance(total, bool) or not 0 <= total <= 10**12:
            raise bad("total")
        if not isinstance(fingerprint, str) or len(fingerprint) > 64:
            raise bad("fingerprint")
        if not isinstance(per_class, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                                      for v in per_class.values()):
            raise bad("per_class")
        if not isinstance(indices, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise bad("indices")
        array = np.asarray(indices, dtype=np.int64)
        if len(array) and (array.min() < 0 or array.max() >= total or np.any(np.diff(array) <= 0)):
            raise bad("indices out of order or range")
        return cls(float(share), array, total, fingerprint, {str(k): v for k, v in per_class.items()})


def split_fingerprint(class_names: Sequence[str], labels: Sequence[int]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps([list(class_names), [int(label) for label in labels]]).encode())
    return digest.hexdigest()


def held_out_count(class_size: int, share: float) -> int:
    """How many of a class's images are held out: ``share`` of them rounded, at least one when the share
    is above 0 and the class has two or more images, and never the whole class."""
    if share <= 0 or class_size < 2:
        return 0
    return min(class_size - 1, max(1, round(share * class_size)))


def choose_held_out(class_names: Sequence[str], labels: np.ndarray, share: float) -> HeldOut:
    """The stratified split of a dataset with these labels."""
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(SPLIT_SEED)
    chosen, per_class = [], {}
    for index, name in enumerate(class_names):
        members = np.flatnonzero(labels == index)
        count = held_out_count(len(members), share)
        chosen.append(rng.permutation(members)[:count])
        per_class[name] = count
    indices = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return HeldOut(share, indices.astype(np.int64), len(labels), split_fingerprint(class_names, labels), per_class)
