"""Translating a file or a folder into a new folder: the source's sub-folder layout and file names kept
(as PNG), ``manifest.csv`` with each source file's SHA-256, the checkpoint's fingerprint and the strength.

Written into a hidden staging folder and renamed into place at the end, so a cancel, a crash or a full
disk leaves nothing behind, and a folder that is not empty is never written into. Files that are not
images are skipped and listed, never fatal.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from studio.core.data.decode import Unreadable, decode_bytes
from studio.core.data.folder import scan
from studio.core.data.limits import current_limits
from studio.core.data.preprocess import Preprocess
from studio.core.data.readers import FolderReader
from studio.core.errors import StudioError
from studio.core.files import write_new_folder, write_text_atomic
from studio.core.imaging import save_png
from studio.core.tasks import TaskState, quiet
from studio.core.translation.apply import Translator, check_strength

BATCH = 16
MANIFEST_COLUMNS = ("file", "source_file", "source_sha256", "checkpoint_sha256", "checkpoint_step", "strength")


@dataclass
class TranslatedFolder:
    folder: Path
    written: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source file, reason)


def source_files(images: Path) -> tuple[FolderReader, list[str], list[tuple[str, str]]]:
    """How to read the images of a file or folder, their names relative to it, and what was refused and why."""
    images = Path(images)
    limits = current_limits()
    if images.is_file():
        return FolderReader(images.parent, limits.file_bytes), [images.name], []
    if not images.is_dir():
        raise StudioError(f"'{images}' does not exist.")
    found, refused, hidden = scan(images, limits)
    if not found:
        raise StudioError(f"The folder '{images}' contains no images to translate.")
    left_out = refused + [(f"{name}/", "a hidden folder, left out") for name in hidden]
    return FolderReader(images, limits.file_bytes), [name for name, _, _ in found], left_out


def output_name(name: str, taken: set[str]) -> str:
    """The source's name with a .png suffix; a second file of the same stem keeps its whole name before it."""
    path = PurePosixPath(name)
    candidate = str(path.with_suffix(".png"))
    if candidate.lower() in taken:
        candidate = f"{name}.png"
    taken.add(candidate.lower())
    return candidate


def translate_folder(translator: Translator, images: Path, out_dir: Path, strength: float = 1.0,
                     task: TaskState | None = None) -> TranslatedFolder:
    """Translate every image of ``images`` (a file or a folder) into the new folder ``out_dir``."""
    strength = check_strength(strength)
    task = task or quiet()
    read, names, refused = source_files(images)
    prep = Preprocess(resolution=translator.resolution)

    def fill(staging: Path) -> TranslatedFolder:
        result = TranslatedFolder(Path(out_dir), 0, list(refused))
        rows, taken = [], set()
        for start in range(0, len(names), BATCH):
            task.check("Translating the images", "no files were kept")
            decoded, chosen = [], []
            for name in names[start : start + BATCH]:
                try:
                    data = read(name)
                    decoded.append(decode_bytes(data, prep).pixels)
                    chosen.append((name, hashlib.sha256(data).hexdigest()))
                except Unreadable as reason:
                    result.skipped.append((name, str(reason)))
            if decoded:
                for (name, digest), image in zip(chosen, translator.translate(np.stack(decoded), strength)):
                    target = output_name(name, taken)
                    save_png(image, staging / target)
                    rows.append((target, name, digest, translator.fingerprint, translator.step, f"{strength:g}"))
            task.progress(min(start + BATCH, len(names)), len(names))
        if not rows:
            raise StudioError(f"None of the files in '{images}' could be read as an image.")
        manifest = io.StringIO()
        writer = csv.writer(manifest, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerows(rows)
        write_text_atomic(staging / "manifest.csv", manifest.getvalue())
        result.written = len(rows)
        return result

    return write_new_folder(out_dir, fill)


def read_images(images: Path, resolution: int, limit: int) -> tuple[list[str], np.ndarray]:
    """Up to ``limit`` images of a file or folder at ``resolution``, for a preview: their names and
    ``(N, 3, R, R)`` uint8 pixels; files that are not images are passed over."""
    read, names, _ = source_files(images)
    prep = Preprocess(resolution=resolution)
    kept, pixels = [], []
    for name in names:
        if len(kept) == limit:
            break
        try:
            pixels.append(decode_bytes(read(name), prep).pixels)
        except Unreadable:
            continue
        kept.append(name)
    if not kept:
        raise StudioError(f"No image in '{images}' could be read.")
    return kept, np.stack(pixels)


def translate_with_run(run_path: Path, images: Path, out_dir: Path, strength: float, task: TaskState | None = None) -> TranslatedFolder:
    """Translate with the newest checkpoint of the run at ``run_path`` (a background job's whole body)."""
    from studio.core.translation.run import TranslationRun

    return translate_folder(Translator(TranslationRun.open(run_path)), images, out_dir, strength, task)
