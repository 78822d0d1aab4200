"""Projecting many images at once (a folder, for exports) and writing what was found.

The folder written holds, per image, the reconstruction (``<name>.png``) and its latent
(``<name>.latent.json``, usable as ``walk --from/--to`` and in the explorer), and ``projections.csv``
with the quality measures of every image. It appears whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from studio.core.errors import StudioError
from studio.core.imaging import IMAGE_SUFFIXES
from studio.core.explore.projection import Projection, project, read_image
from studio.core.sampling import Sampler
from studio.core.tasks import TaskState

CHUNK = 16  # images projected together
CSV_COLUMNS = ["image", "source_sha256", "reconstruction", "latent", "class", "psnr_db", "feature_distance",
               "prior_deviation", "warning"]


def image_files(path: Path) -> list[Path]:
    """``path`` itself, or the image files directly in the folder ``path``, sorted by name."""
    path = Path(path)
    if not path.exists():
        raise StudioError(f"'{path}' does not exist.")
    if path.is_file():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not found:
        raise StudioError(f"The folder '{path}' holds no image files.")
    return found


def project_files(sampler: Sampler, data_config, files: list[Path], steps: int, class_index: int | None, seed: int,
                  task: TaskState, encoder: Callable | None = None, features=None) -> list[Projection]:
    """Every file's :class:`Projection`, ``CHUNK`` images at a time, progress over all of them."""
    read = [read_image(path, data_config) for path in files]
    projections: list[Projection] = []
    for start in range(0, len(files), CHUNK):
        part = read[start : start + CHUNK]
        done = len(projections)
        chunk_task = task.subtask(lambda step, total: task.progress(done * total + step * len(part), len(files) * total))
        fits = project(sampler, np.stack([pixels for pixels, _ in part]), steps, class_index, seed, chunk_task,
                       encoder=encoder, features=features)
        for path, (_, digest), fit in zip(files[start:], part, fits):
            projections.append(Projection(*fit, str(path), digest, sampler.fingerprint, steps, seed))
    return projections


def write_projections(out: Path, projections: list[Projection], class_names: list[str]) -> None:
    """The reconstructions, latents and ``projections.csv`` into the new (or empty) folder ``out``."""
    from studio.core.files import write_new_folder
    from studio.core.imaging import png_bytes

    def fill(staging: Path) -> None:
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        taken: set[str] = set()
        for projection in projections:
            stem = Path(projection.source).stem
            while stem in taken:
                stem += "-2"
            taken.add(stem)
            (staging / f"{stem}.png").write_bytes(png_bytes(projection.reconstruction))
            (staging / f"{stem}.latent.json").write_text(json.dumps(projection.to_dict(), indent=2), encoding="utf-8")
            name = "" if projection.class_index is None else class_names[projection.class_index]
            distance = "" if projection.feature_distance is None else f"{projection.feature_distance:.4f}"
            writer.writerow([projection.source, projection.source_sha256, f"{stem}.png", f"{stem}.latent.json", name,
                             f"{projection.psnr:.2f}", distance, f"{projection.prior_deviation:.2f}", projection.warning])
        (staging / "projections.csv").write_text(table.getvalue(), encoding="utf-8")

    write_new_folder(out, fill)
