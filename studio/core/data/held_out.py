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
from studio.core.validation import is_number, shown

SPLIT_SEED = 20_240_601
MAX_SHARE = 0.5
MAX_IMAGES = 1_000_000_000  # far above what the image limits let a dataset hold; only a damaged file says more
MAX_CLASSES = 100_000


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
        """Checked field by field, every number bounded before anything is allocated from it: a file from a
        stranger gives one sentence, never a crash."""
        def bad(field: str, problem: str) -> StudioError:
            return damaged_split(where, field, problem)

        if not isinstance(raw, dict):
            raise bad("the top level", "not a JSON object")
        share, total, fingerprint = raw.get("share"), raw.get("total"), raw.get("fingerprint")
        per_class, indices = raw.get("per_class"), raw.get("indices")
        if not is_number(share) or not 0 <= share <= MAX_SHARE:
            raise bad("share", f"expected a number from 0 to {MAX_SHARE}, not {shown(share)}")
        if not _is_whole(total, MAX_IMAGES):
            raise bad("total", f"expected a whole number from 0 to {MAX_IMAGES:,}, not {shown(total)}")
        if not isinstance(fingerprint, str) or len(fingerprint) > 64:
            raise bad("fingerprint", f"expected text of at most 64 characters, not {shown(fingerprint)}")
        if not isinstance(indices, list) or len(indices) > total:
            raise bad("indices", f"expected a list of at most {total:,} image numbers, not {shown(indices)}")
        for position, index in enumerate(indices):
            if not _is_whole(index, total - 1) or (position and index <= indices[position - 1]):
                raise bad(f"indices[{position}]", f"expected image numbers in ascending order from 0 to {total - 1:,}, "
                                                  f"not {shown(index)}")
        if not isinstance(per_class, dict) or len(per_class) > MAX_CLASSES:
            raise bad("per_class", f"expected an object of class names and counts, not {shown(per_class)}")
        for name, count in per_class.items():
            if not _is_whole(count, len(indices)):
                raise bad(f"per_class.{shown(name)}", f"expected a whole number from 0 to {len(indices):,}, not {shown(count)}")
        if sum(per_class.values()) != len(indices):
            raise bad("per_class", f"its counts add up to {sum(per_class.values()):,}, not the {len(indices):,} indices")
        return cls(float(share), np.asarray(indices, dtype=np.int64), total, fingerprint,
                   {str(k): v for k, v in per_class.items()})

    def check_against(self, class_names: Sequence[str], labels: np.ndarray, where: str) -> None:
        """Refuse, before anything is allocated from it, a split that does not fit the dataset it names: another
        number of images, counts per class that differ from the file's, or a class held out entirely or (when
        the split holds some out, from a class of two or more images) not at all."""
        if self.total != len(labels):
            raise damaged_split(where, "total", f"it says {self.total:,} images, the dataset has {len(labels):,}")
        sizes = np.bincount(labels, minlength=len(class_names))
        held = np.bincount(labels[self.indices], minlength=len(class_names))
        for index, name in enumerate(class_names):
            field, size, count = f"per_class.{shown(name)}", int(sizes[index]), int(held[index])
            if self.per_class.get(name, 0) != count:
                raise damaged_split(where, field, f"it says {self.per_class.get(name, 0):,}, the indices hold out {count:,}")
            if size and count >= size:
                raise damaged_split(where, field, f"it holds out all {size:,} images of the class, leaving none to train on")
            if self.count and size >= 2 and count == 0:
                raise damaged_split(where, field, f"it holds out none of the class's {size:,} images, so it cannot be tested")


def damaged_split(where: str, field: str, problem: str) -> StudioError:
    """The one sentence for a split file that cannot be used."""
    return StudioError(f"{where} is damaged at {field} ({problem}); the run's held-out test images are unknown.")


def _is_whole(value: object, high: int) -> bool:
    """A whole number from 0 to ``high``, compared as an integer (a 4000-digit one is simply too large)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high


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
