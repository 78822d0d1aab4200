"""How good a translation is: how close the translations come to the target set (Fréchet distance in a
fixed random feature space, beside the untranslated sources' distance), and how much of each source's
structure they keep (SSIM and edge correlation with the source). Also PSNR and SSIM against a known
answer, for benchmarks whose true translation is known."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from studio.core.evaluation.features import random_features
from studio.core.evaluation.metrics import frechet_distance
from studio.core.explore.projection import psnr
from studio.core.translation.apply import Translator
from studio.core.translation.data import ImagePair
from studio.core.translation.run import TranslationRun

_LUMA = torch.tensor([0.299, 0.587, 0.114], dtype=torch.float64)
MAX_IMAGES = 512
BATCH = 64


def _luma(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 to (N, 1, H, W) float64 luminance in [0, 255]."""
    return (torch.from_numpy(np.ascontiguousarray(images)).double() @ _LUMA)[:, None]


def _gaussian_window(size: int = 7, sigma: float = 1.5) -> torch.Tensor:
    axis = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    kernel = torch.exp(-(axis**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    return (kernel[:, None] * kernel[None, :])[None, None]


def ssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Structural similarity of each pair of (N, H, W, 3) uint8 images on luminance (7x7 Gaussian window)."""
    x, y, window = _luma(a), _luma(b), _gaussian_window()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mean_x, mean_y = F.conv2d(x, window), F.conv2d(y, window)
    var_x = F.conv2d(x * x, window) - mean_x**2
    var_y = F.conv2d(y * y, window) - mean_y**2
    cov = F.conv2d(x * y, window) - mean_x * mean_y
    score = ((2 * mean_x * mean_y + c1) * (2 * cov + c2)) / ((mean_x**2 + mean_y**2 + c1) * (var_x + var_y + c2))
    return score.mean(dim=(1, 2, 3)).numpy()


def edge_correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Correlation of the edge strength (Sobel gradient magnitude) of each pair of images: 1 when the edges
    sit in the same places whatever their colours, 0 when unrelated."""
    sobel = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float64)
    kernels = torch.stack([sobel, sobel.T])[:, None]

    def edges(images: np.ndarray) -> torch.Tensor:
        gradients = F.conv2d(_luma(images), kernels)
        return gradients.pow(2).sum(1).sqrt().flatten(1)

    x, y = edges(a), edges(b)
    x, y = x - x.mean(1, keepdim=True), y - y.mean(1, keepdim=True)
    denominator = (x.norm(dim=1) * y.norm(dim=1)).clamp_min(1e-12)
    return ((x * y).sum(1) / denominator).numpy()


def true_answer_scores(translations: np.ndarray, truths: np.ndarray) -> tuple[float, float]:
    """(mean PSNR in dB, mean SSIM) of translations against their known true counterparts."""
    return float(np.mean([psnr(t, u) for t, u in zip(translations, truths)])), float(ssim(translations, truths).mean())


@dataclass(frozen=True)
class TranslationQuality:
    step: int
    count: int  # held-out source images translated
    feature_label: str
    fd_translated: float  # translations to the target set
    fd_untranslated: float  # the same sources, untranslated, to the target set
    ssim: float  # translations with their sources
    edge_correlation: float
    sources: np.ndarray  # the first few, (n, H, W, 3) uint8, for the before/after grid
    translations: np.ndarray


def measure_translation(run: TranslationRun, pair: ImagePair, checkpoint=None, shown: int = 8) -> TranslationQuality:
    """Translate the run's held-out source images (every source image for a run without them) with its
    newest checkpoint (or ``checkpoint``) and measure the result."""
    translator = Translator(run, checkpoint)
    _, held = run.split(pair.source)
    sources = (held if held is not None and len(held) else pair.source).images[:MAX_IMAGES]
    translations = np.concatenate([translator.translate(sources[start : start + BATCH]) for start in range(0, len(sources), BATCH)])
    space = random_features()
    target = space(pair.target.images[:MAX_IMAGES])
    source_pixels = sources.permute(0, 2, 3, 1).contiguous().numpy()
    return TranslationQuality(
        step=translator.step, count=len(sources), feature_label=space.label,
        fd_translated=frechet_distance(space(torch.from_numpy(translations).permute(0, 3, 1, 2)), target),
        fd_untranslated=frechet_distance(space(sources), target),
        ssim=float(ssim(translations, source_pixels).mean()),
        edge_correlation=float(edge_correlation(translations, source_pixels).mean()),
        sources=source_pixels[:shown], translations=translations[:shown])
