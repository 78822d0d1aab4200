"""Image folders: class = first-level sub-folder, any file Pillow reads; bad files are skipped and listed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from studio.core.data.dataset import ImageDataset, SkippedFile
from studio.core.errors import Cancelled, StudioError

UNLABELLED = "unlabelled"


def load_folder_dataset(
    root: Path,
    resolution: int,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImageDataset:
    root = Path(root)
    if not root.is_dir():
        raise StudioError(f"The dataset folder '{root}' does not exist.")
    files = _list_files(root)
    if not files:
        raise StudioError(f"The folder '{root}' contains no files.")
    class_names = sorted({label for _, label in files})
    images, labels, skipped = [], [], []
    for done, (path, label) in enumerate(files, start=1):
        if cancelled and cancelled():
            raise Cancelled("Loading the dataset was cancelled.")
        try:
            images.append(decode_image(path, resolution))
            labels.append(class_names.index(label))
        except _Unreadable as problem:
            skipped.append(SkippedFile(str(path.relative_to(root)), str(problem)))
        if progress:
            progress(done, len(files))
    if not images:
        raise StudioError(f"None of the {len(files)} files in '{root}' is a readable image.")
    used = sorted(set(labels))
    return ImageDataset(
        images=torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous(),
        labels=torch.tensor([used.index(label) for label in labels], dtype=torch.int64),
        class_names=[class_names[index] for index in used],
        source=str(root),
        skipped=skipped,
    )


def _list_files(root: Path) -> list[tuple[Path, str]]:
    """Every non-hidden file under ``root`` with its class: the first-level sub-folder, if any."""
    files = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        relative = Path(directory).relative_to(root)
        label = relative.parts[0] if relative.parts else UNLABELLED
        files.extend((Path(directory) / name, label) for name in sorted(names) if not name.startswith("."))
    return files


class _Unreadable(Exception):
    """A file that cannot become a training image; its message is the reason shown to the user."""


def decode_image(path: Path, resolution: int) -> np.ndarray:
    """Decode one file to ``(resolution, resolution, 3)`` uint8: centre-cropped to a square, then resized."""
    if path.stat().st_size == 0:
        raise _Unreadable("empty file")
    try:
        with Image.open(path) as image:
            image.load()
            rgb = image.convert("RGB")
    except UnidentifiedImageError:
        raise _Unreadable("not an image") from None
    except Image.DecompressionBombError:
        raise _Unreadable("too large (possible decompression bomb)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise _Unreadable(f"damaged image ({error})") from None
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    return np.asarray(square.resize((resolution, resolution), Image.Resampling.LANCZOS), dtype=np.uint8)
