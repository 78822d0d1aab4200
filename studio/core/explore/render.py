"""Turning latent specs and favourites into pixels and files (torch); the specs themselves are plain data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from studio.core.files import write_new_folder, write_text_atomic
from studio.core.errors import StudioError
from studio.core.explore.favourites import FAVOURITES_FILE, FORMAT, Favourite
from studio.core.imaging import png_bytes
from studio.core.explore.latent_spec import LatentSpec
from studio.core.sampling import Sampler, per_seed_latents, slerp, truncate
from studio.core.tasks import TaskState, quiet


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


def regenerate(sampler: Sampler, favourite: Favourite, directions: np.ndarray | None = None) -> np.ndarray:
    """The favourite's ``(H, W, 3)`` image, from the very checkpoint it was pinned on."""
    if favourite.fingerprint != sampler.fingerprint:
        raise StudioError("This favourite was pinned on another checkpoint; open that checkpoint to regenerate it.")
    return render_spec(sampler, favourite.spec, 1, directions)[0]


def export_favourites(
    sampler: Sampler,
    favourites: list[Favourite],
    out_dir: Path,
    directions: np.ndarray | None = None,
    task: TaskState | None = None,
) -> list[Path]:
    """Write each favourite as a PNG, plus ``favourites.json`` to regenerate them, into the new folder ``out_dir``."""
    if not favourites:
        raise StudioError("There are no pinned samples to export; pin one first.")
    task = task or quiet()

    def fill(staging: Path) -> list[str]:
        names = []
        for index, favourite in enumerate(favourites):
            task.check("The export", "no files were kept")
            name = f"favourite-{index + 1:03d}.png"
            (staging / name).write_bytes(png_bytes(regenerate(sampler, favourite, directions)))
            names.append(name)
            task.progress(index + 1, len(favourites))
        payload = {"format": FORMAT, "favourites": [dict(f.to_dict(), file=n) for f, n in zip(favourites, names)]}
        write_text_atomic(staging / FAVOURITES_FILE, json.dumps(payload, indent=2))
        return names

    return [Path(out_dir) / name for name in write_new_folder(out_dir, fill)]
