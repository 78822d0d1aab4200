"""Quality metrics on feature arrays: Fréchet distance, KID, precision/recall, diversity, duplicates,
and the nearest training image of each generated one.

Pure numpy on ``(N, D)`` float arrays, so each metric can be checked on numbers made up in a test.
Which feature space the arrays come from is the caller's to record (see ``studio.core.evaluation.evaluate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PR_NEIGHBOURS = 3
KID_SUBSETS = 50
KID_SUBSET_SIZE = 1000
DUPLICATE_FRACTION = 0.25
NEAR_COPY_FRACTION = 0.5
_ROWS = 1024

#: One line for each metric: what it means and how to read it (the report and the GUI show these).
EXPLANATIONS = {
    "fd": "Fréchet distance between real and generated feature statistics; 0 means identical, lower is better.",
    "kid": "Kernel distance (KID ×1000): like FD but unbiased for small sample counts; near 0 is best.",
    "precision": "Share of generated images that look like some real image (fidelity); higher is better.",
    "recall": "Share of real images the generator can produce something close to (coverage); higher is better.",
    "diversity": "Mean feature distance between generated images divided by the same for real images; near 1 is healthy.",
    "duplicate_rate": "Share of generated images with a near-identical twin among the others; near 0 is healthy.",
    "near_copy_rate": "Share of generated images closer to a training image than half the usual gap between training images.",
}


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances ``(len(a), len(b))``, computed in row blocks to bound memory."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    b_sq = (b * b).sum(1)
    out = np.empty((len(a), len(b)))
    for start in range(0, len(a), _ROWS):
        block = a[start : start + _ROWS]
        sq = (block * block).sum(1)[:, None] + b_sq[None, :] - 2 * block @ b.T
        out[start : start + _ROWS] = np.sqrt(np.clip(sq, 0, None))
    return out


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½), the square root via symmetric eigendecompositions."""
    mu = a.mean(0) - b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float(max(0.0, mu @ mu + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root))


def kernel_distance(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """KID: unbiased MMD² with the cubic polynomial kernel, mean and std over random half-size (at most 1000) subsets."""
    size = max(2, min(KID_SUBSET_SIZE, len(a) // 2, len(b) // 2))
    rng = np.random.default_rng(seed)
    dim = a.shape[1]
    values = []
    for _ in range(KID_SUBSETS):
        x = a[rng.choice(len(a), size, replace=False)]
        y = b[rng.choice(len(b), size, replace=False)]
        kxx, kyy, kxy = ((x @ x.T / dim + 1) ** 3, (y @ y.T / dim + 1) ** 3, (x @ y.T / dim + 1) ** 3)
        same = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (size * (size - 1))
        values.append(same - 2 * kxy.mean())
    return float(np.mean(values)), float(np.std(values))


def _kth_neighbour(distances: np.ndarray, k: int) -> np.ndarray:
    """Distance to the k-th nearest other point, from a square self-distance matrix."""
    return np.partition(distances, k, axis=1)[:, k]


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = PR_NEIGHBOURS) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al., 2019) with k-NN balls as the manifolds."""
    real_radius = _kth_neighbour(pairwise_distances(real, real), k)
    fake_radius = _kth_neighbour(pairwise_distances(fake, fake), k)
    cross = pairwise_distances(fake, real)
    precision = (cross <= real_radius[None, :]).any(1).mean()
    recall = (cross <= fake_radius[:, None]).any(0).mean()
    return float(precision), float(recall)


def mean_pairwise_distance(features: np.ndarray) -> float:
    distances = pairwise_distances(features, features)
    n = len(features)
    return float(distances.sum() / max(n * (n - 1), 1))


def nearest_other(features: np.ndarray) -> np.ndarray:
    """Each point's distance to its nearest other point."""
    distances = pairwise_distances(features, features)
    np.fill_diagonal(distances, np.inf)
    return distances.min(1)


def duplicate_rate(fake: np.ndarray, real: np.ndarray) -> tuple[float, float, float]:
    """(generated rate, real rate, threshold): a twin is closer than a quarter of the real images' median gap."""
    real_gaps = nearest_other(real)
    threshold = DUPLICATE_FRACTION * float(np.median(real_gaps))
    return float((nearest_other(fake) < threshold).mean()), float((real_gaps < threshold).mean()), threshold


@dataclass(frozen=True)
class Neighbours:
    """For each generated image: its nearest training image by pixel RMSE (0-255 scale)."""

    index: np.ndarray
    pixel_distance: np.ndarray


def nearest_training_images(fake_pixels: np.ndarray, train_pixels: np.ndarray) -> Neighbours:
    """Nearest neighbours by per-pixel RMSE; both arrays are ``(N, D)`` flattened uint8 images."""
    fake = fake_pixels.astype(np.float32)
    train = train_pixels.astype(np.float32)
    train_sq = (train * train).sum(1)
    index = np.empty(len(fake), dtype=np.int64)
    best = np.empty(len(fake))
    for start in range(0, len(fake), 128):
        block = fake[start : start + 128]
        sq = (block * block).sum(1)[:, None] + train_sq[None, :] - 2 * block @ train.T
        index[start : start + 128] = sq.argmin(1)
        best[start : start + 128] = sq.min(1)
    return Neighbours(index, np.sqrt(np.clip(best, 0, None) / fake.shape[1]))


def typical_training_gap(sample_pixels: np.ndarray, sample_index: np.ndarray, train_pixels: np.ndarray) -> float:
    """Median pixel RMSE from training images to their nearest *other* training image."""
    train = train_pixels.astype(np.float32)
    sample = sample_pixels.astype(np.float32)
    sq = (sample * sample).sum(1)[:, None] + (train * train).sum(1)[None, :] - 2 * sample @ train.T
    sq[np.arange(len(sample)), sample_index] = np.inf
    return float(np.median(np.sqrt(np.clip(sq.min(1), 0, None) / sample.shape[1])))
