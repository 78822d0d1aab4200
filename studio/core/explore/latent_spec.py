"""What the explorer shows, as plain data: seed or latent, class, ψ, direction and dimension offsets.

A ``LatentSpec`` plus a checkpoint names pixels exactly: the latents are drawn on the CPU from
the seed (image ``i`` of a grid from ``seed + i``), truncated around the latent mean by ψ, then
moved along the principal directions and raw latent dimensions by the offsets (after truncation,
so ψ never rescales a direction the analyst chose). An A→B interpolation is the spherical
interpolation of the two specs' final latents. Plain data, no torch: the GUI builds these; the
functions that turn them into pixels are in ``studio.core.explore.render``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

LATENT_RANGE = 1e3  # the most any latent number may be, in a latent file or a favourite (the prior's are within ±6)


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
