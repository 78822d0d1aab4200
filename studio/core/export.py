"""Exporting generated images: a grid PNG, or N images into a new folder with a manifest.

A batch is written into a hidden sibling folder and renamed into place at the end, so a cancel, a
crash or a full disk leaves either the complete folder or nothing, and never touches a folder that
already holds files.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from studio.core.atomic import as_studio_error, write_text_atomic
from studio.core.errors import Cancelled, StudioError
from studio.core.imaging import make_grid, png_bytes, save_png
from studio.core.paths import occupied
from studio.core.sampling import Sampler, per_seed_latents

EXPORT_BATCH = 64


def export_grid(images: np.ndarray, path: Path, nrow: int | None = None, overwrite: bool = False) -> Path:
    """Save ``(N, H, W, 3)`` images as one grid PNG."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise StudioError(f"'{path}' already exists; choose another name.")
    save_png(make_grid(images, nrow), path)
    return path


def export_images(
    sampler: Sampler,
    out_dir: Path,
    n: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Write ``n`` PNGs (image ``i`` from seed ``seed + i``) and ``manifest.csv`` into the new folder ``out_dir``."""
    out_dir = Path(out_dir)
    if n < 1:
        raise StudioError(f"The number of images must be at least 1, not {n}.")
    if occupied(out_dir):
        raise StudioError(f"'{out_dir}' already exists and is not empty; choose a new or empty folder.")
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=parent))
    except OSError:
        raise StudioError(f"'{parent}' is not writable.") from None
    try:
        names = _write_batch(sampler, staging, n, seed, progress, cancelled)
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise as_studio_error(error, out_dir / "image.png") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / name for name in names]


def _write_batch(sampler, staging: Path, n: int, seed: int, progress, cancelled) -> list[str]:
    digits = max(5, len(str(n - 1)))
    names, rows = [], []
    for start in range(0, n, EXPORT_BATCH):
        if cancelled and cancelled():
            raise Cancelled("The export was cancelled; no files were kept.")
        seeds = list(range(seed + start, seed + min(start + EXPORT_BATCH, n)))
        images = sampler.render(per_seed_latents(seeds, sampler.latent_dim))
        for image_seed, image in zip(seeds, images):
            name = f"image-{image_seed - seed:0{digits}d}.png"
            (staging / name).write_bytes(png_bytes(image))
            names.append(name)
            rows.append((name, image_seed, sampler.step, sampler.fingerprint))
        if progress:
            progress(len(names), n)
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "seed", "step", "checkpoint_sha256"])
    writer.writerows(rows)
    write_text_atomic(staging / "manifest.csv", manifest.getvalue())
    return names
