"""Scoring generated images against a labelled real set, the same way for every model of the quality benchmark.

A small CNN classifier trained on the real images (the studio's own classifier feature space)
gives the features for FD and KID and the class probabilities for confidence, coverage and the
asked-class rate; near-copies are judged in pixel space against the training images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from studio.core.data.dataset import ImageDataset
from studio.core.evaluation.features import FeatureSpace, classifier_features
from studio.core.evaluation.metrics import frechet_distance, kernel_distance, nearest_training_images, pairwise_distances
from studio.core.imaging import make_grid, save_png

COPY_PERCENTILE = 5
GAP_SAMPLE = 1000
_CHUNK = 256


@dataclass
class Scorer:
    """What every set of samples is compared with: the classifier, the real features and the near-copy threshold."""

    space: FeatureSpace
    class_names: list[str]
    real_features: np.ndarray
    train_pixels: np.ndarray
    copy_threshold: float  # pixel RMSE on the 0-255 scale

    @classmethod
    def for_dataset(cls, dataset: ImageDataset, cache_dir: Path, classifier_steps: int, seed: int = 0) -> Scorer:
        space = classifier_features(dataset, cache_dir, seed=seed, steps=classifier_steps)
        pixels = dataset.images.reshape(len(dataset), -1).numpy()
        return cls(space, list(dataset.class_names), space(dataset.images), pixels, _copy_threshold(pixels, seed))

    def score(self, images: torch.Tensor, asked: torch.Tensor | None = None, check_copies: bool = True) -> dict:
        """The columns of the table for ``(N, 3, H, W)`` uint8 images; ``asked`` holds the classifier's
        index of the class each sample was asked for (conditional models)."""
        features = self.space(images)
        kid, _ = kernel_distance(self.real_features, features)
        probabilities = self._probabilities(images)
        predicted = probabilities.argmax(1)
        shares = np.bincount(predicted, minlength=len(self.class_names)) / len(predicted)
        shares = shares[shares > 0]
        nearest = nearest_training_images(images.reshape(len(images), -1).numpy(), self.train_pixels) if check_copies else None
        return {
            "FD": frechet_distance(self.real_features, features),
            "KID": kid * 1000,
            "conf": float(probabilities.max(1).mean()),
            "cover": float((shares * np.log(1 / shares)).sum() / math.log(len(self.class_names))),
            "copies": None if nearest is None else float((nearest.pixel_distance < self.copy_threshold).mean()),
            "asked": None if asked is None else float((predicted == asked.numpy()).mean()),
        }

    def asked_indices(self, generator_classes: list[str], count: int) -> torch.Tensor:
        """The classifier's index of the class asked for each of ``count`` samples drawn every class in turn."""
        to_classifier = torch.tensor([self.class_names.index(name) for name in generator_classes])
        return to_classifier[torch.arange(count) % len(generator_classes)]

    @torch.no_grad()
    def _probabilities(self, images: torch.Tensor) -> np.ndarray:
        parts = [torch.softmax(self.space.classify(images[start : start + _CHUNK].float().div(127.5).sub(1)), dim=1)
                 for start in range(0, len(images), _CHUNK)]
        return torch.cat(parts).double().numpy()


def _copy_threshold(pixels: np.ndarray, seed: int) -> float:
    """The 5th percentile of real images' pixel RMSE to their nearest *other* real image (a sample of them)."""
    sample = np.random.default_rng(seed).choice(len(pixels), min(GAP_SAMPLE, len(pixels)), replace=False)
    distances = pairwise_distances(pixels[sample], pixels)
    distances[np.arange(len(sample)), sample] = np.inf
    return float(np.percentile(distances.min(1), COPY_PERCENTILE) / math.sqrt(pixels.shape[1]))


def save_grid(images: torch.Tensor, classes: int, path: Path) -> None:
    """About 64 samples as a PNG; for a conditional model each column holds one class."""
    per_row = classes * max(1, 8 // classes) if classes else 8
    count = min(len(images), per_row * max(1, round(64 / per_row)))
    save_png(make_grid(images[:count].permute(0, 2, 3, 1).contiguous().numpy(), nrow=per_row), path)
