"""Generating synthetic images per class until each class has the number the target asks for, through the
quality gates; every image keeps its seed, class, ψ and gate scores.

An export hands each batch that passed the gates to a sink that writes it at once, so its memory stays
that of one batch however many images are asked for; the usefulness check keeps them (a few thousand).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from studio.core.augment.gates import LOW_CONFIDENCE, NEAR_COPY, Gates, Judge
from studio.core.sampling import Sampler, per_seed_latents, truncate
from studio.core.tasks import TaskState, quiet

BATCH = 64
MAX_TRIES_FACTOR = 4  # a class gets at most this many samples per image asked for (plus a batch) to pass the gates
CLASS_SEED_STRIDE = 10_000_019  # class c draws its seeds from seed + c * stride on, so classes never share a seed


@dataclass
class Tally:
    """One class's outcome: asked for, generated, kept, and dropped by each gate."""

    asked: int
    generated: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: {LOW_CONFIDENCE: 0, NEAR_COPY: 0})

    @property
    def short(self) -> int:
        return self.asked - self.kept


@dataclass
class Batch:
    """Images that passed the gates ``(N, H, W, 3)`` uint8 with, per image, its class index (-1 for none),
    seed and scores: one generated batch's, handed to an export as it is made."""

    images: np.ndarray
    labels: np.ndarray
    seeds: np.ndarray
    confidence: np.ndarray
    nearest_distance: np.ndarray
    nearest_index: np.ndarray


@dataclass
class Synthetic(Batch):
    """Every kept image (none when they went to a sink), each class's tally and the ψ they were made with."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    psi: float = 1.0

    def __len__(self) -> int:
        return len(self.images)

    def of_class(self, index: int, n: int | None = None) -> np.ndarray:
        return self.images[self.labels == index][:n]


def synthesize(
    sampler: Sampler,
    judge: Judge,
    gates: Gates,
    wanted: dict[str, int],
    class_names: list[str],
    seed: int = 0,
    psi: float = 1.0,
    task: TaskState | None = None,
    sink: Callable[[Batch], None] | None = None,
) -> Synthetic:
    """``wanted`` per class name (or ``{'': n}`` for a model without classes, whose images take the class
    the classifier sees when there is one). With ``sink`` every batch goes to it as it is made and the
    result holds no images, only the tallies."""
    task = task or quiet()
    total = max(sum(wanted.values()), 1)
    parts: list[tuple] = []
    tallies: dict[str, Tally] = {}
    done = 0
    for name, asked in wanted.items():
        index = class_names.index(name) if name else None
        tally = tallies[name or "all"] = Tally(asked)
        base = seed + (index or 0) * CLASS_SEED_STRIDE
        while tally.kept < asked and tally.generated < asked * MAX_TRIES_FACTOR + BATCH:
            task.check("Generating synthetic images")
            seeds = np.arange(base + tally.generated, base + tally.generated + BATCH)
            labels = None if index is None else np.full(BATCH, index)
            images = sampler.render(truncate(per_seed_latents(seeds.tolist(), sampler.latent_dim), psi),
                                    None if labels is None else _tensor(labels))
            scores = judge.score(images, labels)
            reasons = judge.verdicts(scores, gates)
            keep = np.array([not reason for reason in reasons])
            passed = np.cumsum(keep)
            # samples after the one that fills the target were never needed: not counted, not kept
            used = int(np.searchsorted(passed, asked - tally.kept) + 1) if passed[-1] >= asked - tally.kept else BATCH
            keep[used:] = False
            tally.generated += used
            for reason in reasons[:used]:
                if reason:
                    tally.dropped[reason] += 1
            tally.kept += int(keep.sum())
            classes = labels if labels is not None else scores.predicted
            batch = Batch(images[keep], np.asarray(classes)[keep].astype(np.int64), seeds[keep].astype(np.int64),
                          scores.confidence[keep], scores.nearest_distance[keep], scores.nearest_index[keep].astype(np.int64))
            if sink is not None:
                sink(batch)
            else:
                parts.append(tuple(vars(batch).values()))
            task.progress(min(done + tally.kept, total), total)
        done += tally.kept
    if not parts:
        parts.append((np.zeros((0, 0, 0, 3), np.uint8), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)))
    images, labels, seeds, confidence, distance, nearest = (np.concatenate(column) for column in zip(*parts))
    return Synthetic(images, labels.astype(np.int64), seeds.astype(np.int64), confidence, distance,
                     nearest.astype(np.int64), tallies, psi)


def _tensor(labels: np.ndarray):
    import torch

    return torch.from_numpy(labels.astype(np.int64))
