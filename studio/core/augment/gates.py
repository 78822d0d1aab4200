"""Quality gates for synthetic images: the confidence of a classifier trained on the real training images
that a sample is of its class, and the distance to the nearest training image (the memorisation check's
near-copy rule)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from studio.core.data.dataset import ImageDataset
from studio.core.errors import StudioError
from studio.core.evaluation.features import FeatureSpace, classifier_features
from studio.core.evaluation.metrics import NEAR_COPY_FRACTION, nearest_training_images, typical_training_gap

GATE_CLASSIFIER_STEPS = 1000
GAP_SAMPLES = 256
LOW_CONFIDENCE, NEAR_COPY = "low confidence", "near-copy"
_GAP_SEED = 515


@dataclass(frozen=True)
class Gates:
    """``min_confidence`` 0 switches the classifier gate off."""

    min_confidence: float = 0.0
    drop_copies: bool = False

    def check(self) -> None:
        if not 0.0 <= self.min_confidence < 1.0:
            raise StudioError(f"The minimum confidence must be from 0 to 0.99, not {self.min_confidence:g}.")

    def describe(self) -> str:
        parts = []
        if self.min_confidence:
            parts.append(f"the classifier is at least {self.min_confidence:.0%} sure of the class")
        if self.drop_copies:
            parts.append("no near-copies of training images")
        return "Kept only samples where " + " and ".join(parts) + "." if parts else "No quality gates."


@dataclass(frozen=True)
class Scores:
    """Per image: the class the classifier sees (-1 without it), its confidence in the asked class
    (NaN without it), and the pixel distance to the nearest training image (NaN when not measured)."""

    predicted: np.ndarray
    confidence: np.ndarray
    nearest_distance: np.ndarray
    nearest_index: np.ndarray


class Judge:
    """Scores generated images against the real training images ``training``.

    The classifier is trained once per run and training set and cached in ``cache_dir``.
    """

    def __init__(self, training: ImageDataset, cache_dir: Path, classify: bool, copies: bool,
                 classifier_steps: int = GATE_CLASSIFIER_STEPS):
        self.training = training
        self.space: FeatureSpace | None = None
        if classify:
            if len(training.class_names) < 2:
                raise StudioError("The confidence gate needs labelled data with at least two classes (sub-folders).")
            self.space = classifier_features(training, cache_dir, steps=classifier_steps)
        self.copy_threshold = self._copy_threshold() if copies else None
        self._pixels = training.images.reshape(len(training), -1).numpy() if copies else None

    @property
    def classifier_accuracy(self) -> float | None:
        return None if self.space is None else self.space.accuracy

    def _copy_threshold(self) -> float:
        pixels = self.training.images.reshape(len(self.training), -1).numpy()
        if len(pixels) < 2:
            return 0.0
        sample = torch.randperm(len(pixels), generator=torch.Generator().manual_seed(_GAP_SEED))[:GAP_SAMPLES].numpy()
        return NEAR_COPY_FRACTION * typical_training_gap(pixels[sample], sample, pixels)

    @torch.no_grad()
    def score(self, images: np.ndarray, asked: np.ndarray | None) -> Scores:
        """``images`` ``(N, H, W, 3)`` uint8; ``asked`` the class each was generated for, or None (then the
        confidence is the classifier's in the class it sees)."""
        n = len(images)
        predicted, confidence = np.full(n, -1), np.full(n, np.nan)
        if self.space is not None:
            pixels = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1)
            probabilities = torch.softmax(self.space.classify(pixels), dim=1).numpy()
            predicted = probabilities.argmax(1)
            chosen = predicted if asked is None else asked
            confidence = probabilities[np.arange(n), chosen]
        distance, index = np.full(n, np.nan), np.full(n, -1)
        if self._pixels is not None:
            neighbours = nearest_training_images(images.transpose(0, 3, 1, 2).reshape(n, -1), self._pixels)
            distance, index = neighbours.pixel_distance, neighbours.index
        return Scores(predicted, confidence, distance, index)

    def verdicts(self, scores: Scores, gates: Gates) -> list[str]:
        """Per image: '' when it passes, else why it is dropped ('low confidence' or 'near-copy')."""
        reasons = []
        for confidence, distance in zip(scores.confidence, scores.nearest_distance):
            if gates.min_confidence and not confidence >= gates.min_confidence:
                reasons.append(LOW_CONFIDENCE)
            elif gates.drop_copies and self.copy_threshold is not None and distance < self.copy_threshold:
                reasons.append(NEAR_COPY)
            else:
                reasons.append("")
        return reasons
