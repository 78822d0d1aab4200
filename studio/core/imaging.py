"""Image arrays to grids and PNG files (numpy and Pillow only)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.files import write_bytes_atomic

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
