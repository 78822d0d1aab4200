"""Projecting many images at once (a folder, for exports) and writing what was found.

The folder written holds, per image, the reconstruction (``<name>.png``) and its latent
(``<name>.latent.json``, usable as ``walk --from/--to`` and in the explorer), and ``projections.csv``
with the quality measures of every image. It appears whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.data.limits import current_limits
from studio.core.errors import StudioError
from studio.core.imaging import IMAGE_SUFFIXES
from studio.core.explore.projection import Projection, project, read_image
from studio.core.sampling import Sampler
from studio.core.tasks import TaskState

CHUNK = 16  # images projected together
CSV_COLUMNS = ["image", "source_sha256", "reconstruction", "latent", "class", "psnr_db", "feature_distance",
               "prior_deviation", "warning"]


@dataclass(frozen=True)
class Skipped:
    """An image of a folder that was not projected, and why."""

    path: Path
    reason: str


def image_files(path: Path) -> tuple[list[Path], list[Skipped]]:
    """``path`` itself when it is an image file, or the image files directly in the folder ``path``, sorted by
    name, with the entries passed over: anything that is not a regular file (a pipe, a device) and links that
    lead out of the folder. A single ``path`` that is not a regular file is one sentence."""
    path = Path(path)
    try:
        kind = path.stat().st_mode
    except FileNotFoundError:
        raise StudioError(f"'{path}' does not exist.") from None
    except OSError as error:
        raise StudioError(f"'{path}' cannot be read ({error.strerror}).") from None
    if stat.S_ISREG(kind):
        return [path], []
    if not stat.S_ISDIR(kind):
        raise StudioError(f"'{path}' is neither an image file nor a folder (it is a pipe, a device or a socket).")
    found, skipped = [], []
    folder = Path(os.path.realpath(path))
    for entry in sorted(path.iterdir()):
        if entry.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        if not Path(os.path.realpath(entry)).is_relative_to(folder):
            skipped.append(Skipped(entry, "a link to a file outside the folder"))
        elif not entry.is_file():
            skipped.append(Skipped(entry, "not a regular file"))
        else:
            found.append(entry)
    if not found:
        raise StudioError(f"The folder '{path}' holds no image files.")
    return found, skipped


def project_files(sampler: Sampler, data_config, files: list[Path], steps: int, class_index: int | None, seed: int,
                  task: TaskState, encoder: Callable | None = None, features=None) -> tuple[list[Projection], list[Skipped]]:
    """Every readable file's :class:`Projection`, ``CHUNK`` images at a time, progress over all of them, and
    the files that could not be read (each skipped with its reason); refused when none can be."""
    current_limits().check_images("the images to project", len(files), sampler.resolution)  # all are held at once
    read, skipped = [], []
    for path in files:
        try:
            read.append((path, *read_image(path, data_config)))
        except StudioError as problem:
            skipped.append(Skipped(path, str(problem)))
    if not read:
        raise StudioError(f"None of the {len(files):,} images could be projected: {skipped[0].reason}")
    projections: list[Projection] = []
    for start in range(0, len(read), CHUNK):
        part = read[start : start + CHUNK]
        done = len(projections)
        chunk_task = task.subtask(lambda step, total: task.progress(done * total + step * len(part), len(read) * total))
        fits = project(sampler, np.stack([pixels for _, pixels, _ in part]), steps, class_index, seed, chunk_task,
                       encoder=encoder, features=features)
        for (path, _, digest), fit in zip(part, fits):
            projections.append(Projection(*fit, str(path), digest, sampler.fingerprint, steps, seed))
    return projections, skipped


def check_output_folder(out: Path) -> None:
    """Refuse an output folder that is in use before any projecting starts (the same rule the writing applies)."""
    from studio.core.files import occupied_folder_problem

    problem = occupied_folder_problem(out)
    if problem:
        raise StudioError(problem)


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
