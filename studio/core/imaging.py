"""Image arrays to grids and PNG files (numpy and Pillow only)."""

from __future__ import annotations

import io
import math
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.errors import StudioError
from studio.core.files import write_bytes_atomic
from studio.core.validation import IMAGE_LIMIT, read_regular_file

MAX_GRID_TILES = 32  # images a side of any grid the studio saves into a run (sample grids, closest pairs)
MAX_GRID_PIXELS = 40_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")  # files an analyst may bring


def make_grid(images: np.ndarray, nrow: int | None = None, padding: int = 2, fill: int = 24) -> np.ndarray:
    """Tile ``(N, H, W, 3)`` uint8 images into one ``(H', W', 3)`` image, ``nrow`` images per row."""
    count, height, width, channels = images.shape
    nrow = nrow or max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / nrow)
    grid = np.full(
        (rows * (height + padding) + padding, nrow * (width + padding) + padding, channels), fill, dtype=np.uint8
    )
    for index in range(count):
        row, col = divmod(index, nrow)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        grid[top : top + height, left : left + width] = images[index]
    return grid


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def save_png(image: np.ndarray, path: Path) -> None:
    """Write an ``(H, W, 3)`` uint8 array as a PNG, atomically."""
    write_bytes_atomic(Path(path), png_bytes(image))


def load_png(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def read_run_grid(path: Path, resolution: int, run_path: Path) -> np.ndarray:
    """A grid the studio saved into the run at ``run_path`` (``(H, W, 3)`` uint8), read through the gate: a regular
    file inside the run, size first, and its pixel size from the header checked against the largest grid a run
    at ``resolution`` writes before anything is decoded. Anything else is one sentence naming the file."""
    data = read_regular_file(path, IMAGE_LIMIT, inside=run_path)
    largest = 2 + MAX_GRID_TILES * (resolution + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if max(width, height) > largest or width * height > MAX_GRID_PIXELS:
                    raise StudioError(f"'{path}' is {width:,}×{height:,} pixels, larger than any grid the run writes "
                                      f"({largest:,} a side); it was not decoded.")
                return np.asarray(image.convert("RGB"))
        except Image.DecompressionBombError:  # Pillow's own limit, from the header too
            raise StudioError(f"'{path}' claims more pixels than any grid the run writes; it was not decoded.") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError,
                struct.error):  # Pillow's ways of failing on a damaged file
            raise StudioError(f"'{path}' is not a readable image.") from None
