"""Semantic directions in latent space, found GANSpace-style (Härkönen et al., 2020), cached per checkpoint.

Many latents are pushed through the generator and the output of its first feature layer is
recorded; PCA of those activations gives the main ways the early feature map varies, and a linear
regression from the PCA coordinates back to the latents maps each component to a latent
direction. Directions are unit vectors, so one standard deviation of the Gaussian prior along
any of them is 1 and a slider's ±5σ range is ±5 in latent units.

The result lives in ``<run>/directions/<checkpoint sha256>.json`` (JSON, never pickle); the
numbers round-trip exactly, so a favourite that names direction offsets regenerates bit for bit.
A cached file that is damaged, too large or shaped for another model is computed again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from studio.core.files import write_text_atomic
from studio.core.errors import StudioError
from studio.core.runs import Run
from studio.core.sampling import Sampler, latents
from studio.core.tasks import TaskState, quiet
from studio.core.validation import Fields, numbers, read_json

FORMAT = "gan-studio-directions/1"
MAX_DIRECTIONS = 20
SAMPLES = 4096
BATCH = 256
SIGMA_RANGE = 5.0
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
_PROJECTIONS = (nn.ConvTranspose2d, nn.Linear)


class _LayerReached(Exception):
    """Raised by the hook to stop the forward pass once the early layer's output is recorded."""


@dataclass(frozen=True)
class Directions:
    """``vectors`` is ``(k, latent_dim)`` float32, one unit direction per row, most variance first."""

    fingerprint: str
    layer: str
    samples: int
    vectors: np.ndarray
    variance_share: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"format": FORMAT, "fingerprint": self.fingerprint, "layer": self.layer, "samples": self.samples,
                "variance_share": list(self.variance_share), "vectors": self.vectors.astype(np.float32).tolist()}

    @classmethod
    def from_dict(cls, raw: dict) -> Directions:
        return cls(raw["fingerprint"], raw["layer"], int(raw["samples"]), np.asarray(raw["vectors"], dtype=np.float32),
                   tuple(float(share) for share in raw["variance_share"]))

    @classmethod
    def read(cls, path: Path, latent_dim: int) -> Directions:
        """The directions in ``path``, each field checked: at most MAX_DIRECTIONS unit-sized rows of ``latent_dim`` numbers."""
        fields = Fields(read_json(path), path)
        fields.text("fingerprint", max_length=64)
        fields.text("layer", max_length=1000)
        fields.integer("samples", 2, 10_000_000)
        rows = fields.value("vectors")
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_DIRECTIONS:
            raise fields.problem("vectors", f"a list of 1 to {MAX_DIRECTIONS} directions", rows)
        for index, row in enumerate(rows):
            numbers(row, path, f"vectors[{index}]", length=latent_dim, low=-1.01, high=1.01)
        fields.numbers("variance_share", length=len(rows), low=0.0, high=1.0)
        return cls.from_dict(fields.raw)


def first_feature_layer(generator: nn.Module) -> tuple[str, nn.Module]:
    """The generator's earliest feature map: its first BatchNorm, else its first transposed convolution or linear layer.

    That is DCGAN's ``net[0:2]`` (the projected 4x4 map, normalised) and, for SNGAN, ``project``'s
    output normalised by the first block; a model without any such layer gets a clear sentence.
    """
    modules = list(generator.named_modules())
    for kinds in (_NORMS, _PROJECTIONS):
        for name, module in modules:
            if isinstance(module, kinds):
                return name, module
    raise StudioError("This model has no BatchNorm, transposed convolution or linear layer to find directions in.")


def directions_path(run: Run, fingerprint: str) -> Path:
    return run.path / "directions" / f"{fingerprint}.json"


def load_directions(run: Run, fingerprint: str) -> Directions | None:
    """The cached directions of this checkpoint, or None when they were never computed (or are unusable)."""
    try:
        directions = Directions.read(directions_path(run, fingerprint), run.config.model.latent_dim)
    except (OSError, StudioError):
        return None
    return directions if directions.fingerprint == fingerprint else None


def save_directions(run: Run, directions: Directions) -> Path:
    path = directions_path(run, directions.fingerprint)
    write_text_atomic(path, json.dumps(directions.to_dict()))
    return path


def compute_directions(
    sampler: Sampler,
    samples: int = SAMPLES,
    seed: int = 0,
    task: TaskState | None = None,
) -> Directions:
    """PCA of the first feature layer over ``samples`` latents from ``seed``, regressed back to latent space."""
    task = task or quiet()
    layer_name, layer = first_feature_layer(sampler.generator)
    captured: list[torch.Tensor] = []

    def record(_module, _inputs, output) -> None:
        captured.append(output.flatten(1).float().cpu())
        raise _LayerReached

    hook = layer.register_forward_hook(record)
    z_all = latents(seed, samples, sampler.latent_dim)
    steps = -(-samples // BATCH) + 1
    try:
        with torch.inference_mode():
            for index, start in enumerate(range(0, samples, BATCH)):
                task.check("Finding directions")
                z = z_all[start : start + BATCH]
                try:
                    sampler.generator(z.to(sampler.device), _labels(sampler, z.shape[0]))
                except _LayerReached:
                    pass
                task.progress(index + 1, steps)
    finally:
        hook.remove()
    features = torch.cat(captured)
    features -= features.mean(dim=0)
    k = min(MAX_DIRECTIONS, sampler.latent_dim, samples - 1, features.shape[1])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        _, singular, components = torch.svd_lowrank(features, q=min(k + 10, *features.shape), niter=4)
    coordinates = (features @ components[:, :k]).double()
    regression = torch.linalg.lstsq(coordinates, z_all.double()).solution
    vectors = regression / regression.norm(dim=1, keepdim=True).clamp_min(1e-12)
    variance = singular[:k].double() ** 2 / features.double().square().sum()
    task.progress(steps, steps)
    return Directions(sampler.fingerprint, layer_name, samples, vectors.float().numpy(),
                      tuple(float(share) for share in variance))


def _labels(sampler: Sampler, n: int) -> torch.Tensor | None:
    labels = sampler.labels_for(n)
    return None if labels is None else labels.to(sampler.device)


def directions_for(
    run: Run,
    sampler: Sampler,
    task: TaskState | None = None,
) -> Directions:
    """The checkpoint's directions from the cache, computing and caching them the first time."""
    cached = load_directions(run, sampler.fingerprint)
    if cached is not None:
        return cached
    directions = compute_directions(sampler, task=task)
    save_directions(run, directions)
    return directions
