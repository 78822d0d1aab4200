"""What the explorer shows, as plain data: seed or latent, class, ψ, direction and dimension offsets.

A ``LatentSpec`` plus a checkpoint names pixels exactly: the latents are drawn on the CPU from
the seed (image ``i`` of a grid from ``seed + i``), truncated around the latent mean by ψ, then
moved along the principal directions and raw latent dimensions by the offsets (after truncation,
so ψ never rescales a direction the analyst chose). An A→B interpolation is the spherical
interpolation of the two specs' final latents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from studio.core.errors import StudioError
from studio.core.sampling import Sampler, per_seed_latents, slerp, truncate


@dataclass(frozen=True)
class LatentSpec:
    seed: int = 0
    latent: tuple[float, ...] | None = None  # an explicit latent (e.g. a point between A and B) instead of the seed's
    class_index: int | None = None  # None: every class in turn (conditional models), or unconditional
    psi: float = 1.0
    direction_offsets: dict[int, float] = field(default_factory=dict)  # principal direction -> offset in σ
    dimension_offsets: dict[int, float] = field(default_factory=dict)  # raw latent dimension -> offset

    def to_dict(self) -> dict:
        raw = asdict(self)
        raw["latent"] = None if self.latent is None else list(self.latent)
        raw["direction_offsets"] = {str(k): v for k, v in self.direction_offsets.items()}
        raw["dimension_offsets"] = {str(k): v for k, v in self.dimension_offsets.items()}
        return raw

    @classmethod
    def from_dict(cls, raw: dict) -> LatentSpec:
        latent = raw.get("latent")
        return cls(
            seed=int(raw.get("seed", 0)),
            latent=None if latent is None else tuple(float(x) for x in latent),
            class_index=None if raw.get("class_index") is None else int(raw["class_index"]),
            psi=float(raw.get("psi", 1.0)),
            direction_offsets={int(k): float(v) for k, v in raw.get("direction_offsets", {}).items()},
            dimension_offsets={int(k): float(v) for k, v in raw.get("dimension_offsets", {}).items()},
        )


def spec_latents(spec: LatentSpec, n: int, latent_dim: int, directions: np.ndarray | None = None) -> torch.Tensor:
    """The ``(n, latent_dim)`` latents a spec names; ``directions`` is ``(k, latent_dim)`` when it has direction offsets."""
    if spec.latent is not None:
        if len(spec.latent) != latent_dim:
            raise StudioError(f"This latent has {len(spec.latent)} numbers but the model expects {latent_dim}.")
        z = torch.tensor([spec.latent], dtype=torch.float32).expand(n, -1).clone()
    else:
        z = per_seed_latents(list(range(spec.seed, spec.seed + n)), latent_dim)
    z = truncate(z, spec.psi)
    shift = torch.zeros(latent_dim)
    for index, offset in spec.direction_offsets.items():
        if offset:
            if directions is None or index >= len(directions):
                raise StudioError("This sample uses semantic directions that have not been found for this checkpoint yet.")
            shift += offset * torch.from_numpy(directions[index])
    for index, offset in spec.dimension_offsets.items():
        if offset:
            shift[index] += offset
    return z + shift if bool(shift.any()) else z


def render_spec(sampler: Sampler, spec: LatentSpec, n: int = 1, directions: np.ndarray | None = None) -> np.ndarray:
    """The ``(n, H, W, 3)`` uint8 images a spec names on this sampler's checkpoint."""
    z = spec_latents(spec, n, sampler.latent_dim, directions)
    return sampler.render(z, sampler.labels_for(n, spec.class_index))


def between(a: LatentSpec, b: LatentSpec, t: float, latent_dim: int, directions: np.ndarray | None = None) -> LatentSpec:
    """The spec of the point ``t`` of the way from A to B (spherical interpolation), with A's class and ψ 1."""
    z = slerp(spec_latents(a, 1, latent_dim, directions), spec_latents(b, 1, latent_dim, directions), t)
    return LatentSpec(latent=tuple(float(x) for x in z[0]), class_index=a.class_index)
