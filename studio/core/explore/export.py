"""Exporting generated images: a grid PNG, or N images into a new folder with a manifest.

A batch is written into a hidden sibling folder and renamed into place at the end, so a cancel, a
crash or a full disk leaves either the complete folder or nothing, and never touches a folder that
already holds files.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from studio.core.class_folders import class_folder_names
from studio.core.config import MAX_EXPORT_IMAGES
from studio.core.files import check_free_space, write_new_folder, write_text_atomic
from studio.core.errors import StudioError
from studio.core.imaging import make_grid, png_bytes, save_png
from studio.core.sampling import Sampler, per_seed_latents, truncate
from studio.core.tasks import TaskState, quiet

EXPORT_BATCH = 64
LABEL_HEIGHT = 14


def export_grid(images: np.ndarray, path: Path, nrow: int | None = None, overwrite: bool = False) -> Path:
    """Save ``(N, H, W, 3)`` images as one grid PNG."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise StudioError(f"'{path}' already exists; choose another name.")
    save_png(make_grid(images, nrow), path)
    return path


def export_labelled_grid(images: np.ndarray, labels: list[str], path: Path, nrow: int | None = None) -> Path:
    """Save ``(N, H, W, 3)`` images as one grid PNG with each image's label (seed, class, ψ) printed under it."""
    count, height, width, _ = images.shape
    canvas = np.full((count, height + LABEL_HEIGHT, max(width, 64), 3), 24, dtype=np.uint8)
    left = (canvas.shape[2] - width) // 2
    canvas[:, :height, left : left + width] = images
    for index, label in enumerate(labels):
        picture = Image.fromarray(canvas[index])
        ImageDraw.Draw(picture).text((2, height + 1), label, fill=(230, 230, 230))
        canvas[index] = np.asarray(picture)
    return export_grid(canvas, path, nrow)


def export_images(
    sampler: Sampler,
    out_dir: Path,
    n: int,
    seed: int = 0,
    task: TaskState | None = None,
    truncation: float = 1.0,
    class_index: int | None = None,
) -> list[Path]:
    """Write ``n`` PNGs and ``manifest.csv`` / ``manifest.json`` into the new folder ``out_dir``.

    Image ``i`` comes from seed ``seed + i``, truncated by ψ = ``truncation``; a conditional model's
    images are of class ``class_index``, or of every class in turn, each in a sub-folder named after
    its class. Rendering in fixed batches of ``EXPORT_BATCH`` makes the same settings give the same
    bytes on the same device; ``manifest.json`` records those settings.
    """
    if not 1 <= n <= MAX_EXPORT_IMAGES:
        raise StudioError(f"The number of images must be from 1 to {MAX_EXPORT_IMAGES:,}, not {n:,}.")
    # An uncompressed image's bytes bound its PNG's; the manifests add a few hundred bytes per image.
    check_free_space(out_dir, n * (3 * sampler.resolution**2 + 400), f"{n:,} images")
    labels = sampler.labels_for(n, class_index)
    names = write_new_folder(
        out_dir, lambda staging: _write_batch(sampler, staging, n, seed, truncation, labels, task or quiet()))
    return [Path(out_dir) / name for name in names]


def _write_batch(sampler, staging: Path, n: int, seed: int, psi: float, labels, task: TaskState) -> list[str]:
    digits = max(5, len(str(n - 1)))
    folders = class_folder_names(sampler.class_names, sampler.num_classes)
    names, rows = [], []
    for start in range(0, n, EXPORT_BATCH):
        task.check("The export", "no files were kept")
        seeds = list(range(seed + start, seed + min(start + EXPORT_BATCH, n)))
        batch_labels = None if labels is None else labels[start : start + len(seeds)]
        images = sampler.render(truncate(per_seed_latents(seeds, sampler.latent_dim), psi), batch_labels)
        for offset, (image_seed, image) in enumerate(zip(seeds, images)):
            name = f"image-{image_seed - seed:0{digits}d}.png"
            class_name = ""
            if batch_labels is not None:
                folder = folders[int(batch_labels[offset])]
                (staging / folder).mkdir(exist_ok=True)
                name, class_name = f"{folder}/{name}", folder
            (staging / name).write_bytes(png_bytes(image))
            names.append(name)
            rows.append((name, image_seed, class_name, psi, sampler.step, sampler.fingerprint))
        task.progress(len(names), n)
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "seed", "class", "truncation", "step", "checkpoint_sha256"])
    writer.writerows(rows)
    write_text_atomic(staging / "manifest.csv", manifest.getvalue())
    write_text_atomic(staging / "manifest.json", json.dumps(_settings(sampler, n, seed, psi, labels, folders), indent=2))
    return names


def _settings(sampler: Sampler, n: int, seed: int, psi: float, labels, folders: list[str]) -> dict:
    """What reproduces the batch bit for bit on the same device (``python -m studio sample`` with these values)."""
    import torch

    return {
        "format": "gan-studio-batch/1",
        "checkpoint_sha256": sampler.fingerprint,
        "step": sampler.step,
        "n": n,
        "seed": seed,
        "truncation": psi,
        "truncation_mean": "zero (the Gaussian prior's mean)",
        "classes": "none" if labels is None else sorted({folders[int(k)] for k in labels}),
        "latents": "image i: standard normal from torch.Generator seeded with seed + i, on the CPU, times truncation",
        "batch": EXPORT_BATCH,
        "device": str(sampler.device),
        "torch": torch.__version__,
    }
