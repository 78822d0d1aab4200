"""Bringing an analyst's own image into a run: the latent (and class) whose generated image matches it.

The image goes through the run's own preprocessing (fit, resampling, colour, resolution), so it is
compared with what the generator draws. The search starts from the best of many random latents (for
a model with classes, of every class, or of the class the analyst names) and the encoder's guess,
then moves the latent with Adam on the pixel error plus the distance in the run's own networks'
features (:mod:`studio.core.explore.feature_distance`: the discriminator's, and the classifier's when
the run has one), with a small pull towards the prior (``mean(z²) ≈ 1``) so the latent stays where
the generator was trained. Everything runs from fixed seeds: the same image, checkpoint and seed give
the same latent.

A projection is a latent spec like any other (``LatentSpec(latent=...)``): it regenerates bit for
bit, takes the explorer's directions and truncation, and can be A or B of an interpolation. It is
saved as JSON (never pickle) with the source image's fingerprint and its quality measures.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from studio.core.errors import StudioError
from studio.core.explore.feature_distance import FeatureDistance
from studio.core.explore.latent_spec import LATENT_RANGE, LatentSpec
from studio.core.explore.render import render_spec
from studio.core.sampling import Sampler, latents, to_uint8_images
from studio.core.tasks import TaskState, quiet

PROJECTION_STEPS = 300
CANDIDATES = 256
LEARNING_RATE = 0.1
PRIOR_WEIGHT = 1e-3
FEATURE_WEIGHT = 0.05  # of the feature distance, beside the pixel MSE in [-1, 1]
POOR_PSNR = 20.0  # below this the model cannot draw the image well: the projection says so
FAR_FROM_PRIOR = 4.0  # |z|² this many standard deviations from its expected value: outside what was trained
FORMAT = "gan-studio-projection/1"
_BATCH = 64


class Fit(NamedTuple):
    """One image's projection as :func:`project` finds it: where it lies and how well the model draws it there."""

    latent: np.ndarray  # (latent_dim,) float32
    class_index: int | None
    reconstruction: np.ndarray  # (H, W, 3) uint8
    psnr: float  # dB
    prior_deviation: float
    feature_distance: float | None


@dataclass(frozen=True)
class Projection:
    """Where an image lies in a run's latent space, and how well the model draws it there."""

    latent: np.ndarray  # (latent_dim,) float32
    class_index: int | None
    reconstruction: np.ndarray  # (H, W, 3) uint8
    psnr: float  # dB, image against reconstruction
    prior_deviation: float  # (|z|² - d) / sqrt(2d): 0 is typical of the prior, beyond ±4 is far from it
    feature_distance: float | None  # in the run's own networks' features (None: a run with none)
    source: str
    source_sha256: str
    checkpoint_sha256: str
    steps: int
    seed: int

    @property
    def spec(self) -> LatentSpec:
        return LatentSpec(latent=tuple(float(x) for x in self.latent), class_index=self.class_index)

    @property
    def warning(self) -> str:
        """A sentence when the model cannot represent the image well ('' when it can)."""
        if self.psnr < POOR_PSNR:
            return (f"The model draws this image only roughly ({self.psnr:.1f} dB): it is probably unlike the images "
                    "the run was trained on.")
        if abs(self.prior_deviation) > FAR_FROM_PRIOR:
            return "The closest latent lies far from where the generator was trained, so edits of it may look odd."
        return ""

    def to_dict(self) -> dict:
        return {"format": FORMAT, "latent": [float(x) for x in self.latent], "class_index": self.class_index,
                "psnr": self.psnr, "prior_deviation": self.prior_deviation, "feature_distance": self.feature_distance,
                "source": self.source,
                "source_sha256": self.source_sha256, "checkpoint_sha256": self.checkpoint_sha256, "steps": self.steps,
                "seed": self.seed, "warning": self.warning}


def read_latent_file(path: Path, latent_dim: int) -> LatentSpec:
    """A saved projection as a latent spec; a file from a stranger is checked and never runs code.

    Every number must be finite and within ±``LATENT_RANGE``; a latent far from the prior the generator
    was trained on is accepted with a note, since what it draws may look odd (or blank).
    """
    from studio.core.notes import note
    from studio.core.validation import Fields, read_json

    path = Path(path)
    try:
        raw = read_json(path)
    except FileNotFoundError:
        raise StudioError(f"The latent file '{path}' does not exist.") from None
    latent = raw.get("latent") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(latent, list):
        raise StudioError(f"'{path}' is not a latent file written by 'project'.")
    if len(latent) != latent_dim:
        raise StudioError(f"The latent in '{path}' does not fit this model ({len(latent)} numbers; it needs {latent_dim}).")
    fields = Fields(raw, path)
    values = fields.numbers("latent", length=latent_dim, low=-LATENT_RANGE, high=LATENT_RANGE)
    class_index = None if raw.get("class_index") is None else fields.integer("class_index", 0, 100_000)
    deviation = prior_deviation(np.asarray(values))
    if abs(deviation) > FAR_FROM_PRIOR:
        note(f"The latent in '{path}' lies far from where the generator was trained ({deviation:+,.0f} standard "
             "deviations), so its image may look odd or blank.")
    return LatentSpec(latent=tuple(values), class_index=class_index)


def prior_deviation(latent: np.ndarray) -> float:
    """How far ``latent`` lies from the standard normal prior: ``(|z|² - d) / sqrt(2d)``, in standard deviations."""
    dim = len(latent)
    return float((np.sum(np.asarray(latent, dtype=np.float64) ** 2) - dim) / math.sqrt(2 * dim))


def read_image(path: Path, data_config) -> tuple[np.ndarray, str]:
    """The image file at ``path`` as the run sees its training images, ``(R, R, 3)`` uint8, and its sha256."""
    from studio.core.data.decode import Unreadable, decode_bytes
    from studio.core.data.limits import current_limits
    from studio.core.data.preprocess import Preprocess
    from studio.core.data.readers import FolderReader

    path = Path(path)
    try:
        data = FolderReader(path.parent, current_limits().file_bytes)(path.name)
        pixels = decode_bytes(data, Preprocess.from_config(data_config)).pixels
    except Unreadable as problem:
        raise StudioError(f"'{path.name}' cannot be projected: {problem}.") from None
    return np.ascontiguousarray(pixels.transpose(1, 2, 0)), hashlib.sha256(data).hexdigest()


def project(
    sampler: Sampler,
    images: np.ndarray,
    steps: int = PROJECTION_STEPS,
    class_index: int | None = None,
    seed: int = 0,
    task: TaskState | None = None,
    on_step: Callable[[int, np.ndarray], None] | None = None,
    encoder: Callable | None = None,
    features: FeatureDistance | None = None,
) -> list[Fit]:
    """Project ``images`` ``(N, R, R, 3)`` uint8 together; a :class:`Fit` per image. ``on_step(step, reconstructions)`` sees every intermediate result;
    ``encoder`` (see :mod:`studio.core.explore.encoder`) adds its guess to the random starting points;
    ``features`` adds its distance to the loss and measures the result. The reconstruction is rendered
    from the latent spec the way the explorer renders it, so it is what the spec regenerates."""
    task = task or quiet()
    if not 1 <= steps <= 100_000:
        raise StudioError(f"The number of projection steps must be from 1 to 100,000, not {steps}.")
    generator, device = sampler.generator, sampler.device
    target = _pixels(images, device)
    classes = _classes_to_try(sampler, class_index)
    z, labels = _initial_guess(sampler, target, classes, seed, task, encoder)
    z = z.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=LEARNING_RATE)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    frozen = [p for p in generator.parameters() if p.requires_grad]
    for parameter in frozen:  # only the latent learns
        parameter.requires_grad_(False)
    try:
        _optimise(generator, z, labels, target, optimizer, schedule, steps, task, on_step, features)
    finally:
        for parameter in frozen:
            parameter.requires_grad_(True)
    results = []
    for i, row in enumerate(z.detach().cpu().numpy().astype(np.float32)):
        chosen = None if labels is None else int(labels[i])
        reconstruction = render_spec(sampler, LatentSpec(latent=tuple(float(x) for x in row), class_index=chosen))[0]
        deviation = prior_deviation(row)
        distance = None if features is None else _feature_distance(features, images[i], reconstruction, device)
        results.append(Fit(row, chosen, reconstruction, psnr(images[i], reconstruction), deviation, distance))
    return results


def _pixels(images: np.ndarray, device) -> torch.Tensor:
    """``(N, R, R, 3)`` uint8 to ``(N, 3, R, R)`` in [-1, 1]."""
    return torch.from_numpy(np.array(images, dtype=np.uint8)).permute(0, 3, 1, 2).float().div(127.5).sub(1).to(device)


def _feature_distance(features: FeatureDistance, image: np.ndarray, reconstruction: np.ndarray, device) -> float:
    with torch.no_grad():
        return float(features(_pixels(reconstruction[None], device), features.reference(_pixels(image[None], device)))[0])


def _optimise(generator, z, labels, target, optimizer, schedule, steps, task, on_step, features) -> None:
    reference = None if features is None else features.reference(target)
    for step in range(1, steps + 1):
        if step % 10 == 0:
            task.check("The projection")
        drawn = generator(z, labels)
        loss = F.mse_loss(drawn, target, reduction="none").mean(dim=(1, 2, 3)).sum()
        if features is not None:
            loss = loss + FEATURE_WEIGHT * features(drawn, reference).sum()
        loss = loss + PRIOR_WEIGHT * (z.pow(2).mean(dim=1) - 1).pow(2).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        task.progress(step, steps)
        if on_step is not None and (step % 10 == 0 or step == steps):
            on_step(step, to_uint8_images(drawn))


def project_image(sampler: Sampler, image: np.ndarray, source: str, source_sha256: str, steps: int = PROJECTION_STEPS,
                  class_index: int | None = None, seed: int = 0, task: TaskState | None = None,
                  on_step: Callable[[int, np.ndarray], None] | None = None, encoder: Callable | None = None,
                  features: FeatureDistance | None = None) -> Projection:
    """One image's :class:`Projection`."""
    fit, = project(sampler, image[None], steps, class_index, seed, task,
                   None if on_step is None else lambda step, drawn: on_step(step, drawn[0]), encoder, features)
    return Projection(*fit, source, source_sha256, sampler.fingerprint, steps, seed)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of two uint8 images, in dB (inf when identical)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _classes_to_try(sampler: Sampler, class_index: int | None) -> list[int | None]:
    if not sampler.num_classes:
        if class_index is not None:
            raise StudioError("This model does not know classes; project without a class.")
        return [None]
    if class_index is not None:
        sampler.labels_for(1, class_index)  # refuses a class the model does not have
        return [class_index]
    return list(range(sampler.num_classes))


@torch.no_grad()
def _initial_guess(sampler: Sampler, target: torch.Tensor, classes: list[int | None], seed: int,
                   task: TaskState, encoder: Callable | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Per image, the best by pixel error of ``CANDIDATES`` random latents of each class to try and the
    encoder's guess."""
    device, dim = sampler.device, sampler.latent_dim
    candidates = latents(seed, CANDIDATES, dim, device)
    best_error = torch.full((len(target),), math.inf, device=device)
    best_z = torch.zeros(len(target), dim, device=device)
    best_class = torch.zeros(len(target), dtype=torch.long, device=device)

    def keep_better(errors: torch.Tensor, z: torch.Tensor, chosen: int | None) -> None:
        """``errors`` is (images, candidates); ``z`` the candidates, shared or one per image."""
        nonlocal best_error
        value, index = errors.min(dim=1)
        better = value < best_error
        best_error = torch.where(better, value, best_error)
        best_z[better] = z[index[better]] if z.dim() == 2 else z[better, index[better]]
        best_class[better] = chosen or 0

    for chosen in classes:
        task.check("The projection")
        for start in range(0, CANDIDATES, _BATCH):
            z = candidates[start : start + _BATCH]
            drawn = sampler.generator(z, _labels(chosen, len(z), device))
            keep_better(((drawn[None] - target[:, None]) ** 2).mean(dim=(2, 3, 4)), z, chosen)
        if encoder is not None:
            labels = _labels(chosen, len(target), device)
            guess = encoder(target.cpu(), None if labels is None else labels.cpu()).to(device)
            errors = ((sampler.generator(guess, labels) - target) ** 2).mean(dim=(1, 2, 3))
            keep_better(errors[:, None], guess[:, None], chosen)
    return best_z, (None if classes == [None] else best_class)


def _labels(chosen: int | None, n: int, device) -> torch.Tensor | None:
    return None if chosen is None else torch.full((n,), chosen, dtype=torch.long, device=device)


def save_projection(projection: Projection, path: Path) -> None:
    from studio.core.files import write_text_atomic

    write_text_atomic(Path(path), json.dumps(projection.to_dict(), indent=2))
