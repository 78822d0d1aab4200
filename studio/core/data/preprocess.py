"""How any decoded picture becomes one square training image: fit, resample, colour.

Every source (files, archives, arrays) ends in :func:`fit_image`, so a folder of JPEGs and the
same pictures in an ``.npz`` give the same pixels for the same options.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.core.config import DataConfig

FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "box": Image.Resampling.BOX,
    "nearest": Image.Resampling.NEAREST,
}
REDUCING_GAP = 3.0  # shrink big pictures by whole factors first: same look, several times faster


@dataclass(frozen=True)
class Preprocess:
    """The options that decide the pixels, and so also the cache key."""

    resolution: int = 32
    fit: str = "crop"
    resample: str = "lanczos"
    colour: str = "rgb"

    @classmethod
    def from_config(cls, config: DataConfig) -> Preprocess:
        return cls(config.resolution, config.fit, config.resample, config.colour)

    @property
    def mode(self) -> str:
        return "L" if self.colour == "grayscale" else "RGB"

    def draft_size(self, width: int, height: int) -> tuple[int, int]:
        """The smallest size a JPEG may be decoded at (DCT scaling) without losing detail we keep."""
        side = self.resolution
        if self.fit == "stretch":
            return side, side
        scale = side / (min(width, height) if self.fit == "crop" else max(width, height))
        return max(1, int(width * scale)), max(1, int(height * scale))


def fit_image(image: Image.Image, prep: Preprocess) -> np.ndarray:
    """An ``L`` or ``RGB`` picture as ``(3, R, R)`` uint8 (grayscale repeats its one channel)."""
    image = image.convert(prep.mode) if image.mode != prep.mode else image
    side, resample = prep.resolution, FILTERS[prep.resample]
    width, height = image.size
    if prep.fit == "stretch":
        square = image.resize((side, side), resample, reducing_gap=REDUCING_GAP)
    elif prep.fit == "crop":
        short = min(width, height)
        left, top = (width - short) / 2, (height - short) / 2
        square = image.resize((side, side), resample, box=(left, top, left + short, top + short), reducing_gap=REDUCING_GAP)
    else:
        scale = side / max(width, height)
        inner = (max(1, round(width * scale)), max(1, round(height * scale)))
        square = Image.new(prep.mode, (side, side), 0)
        square.paste(image.resize(inner, resample, reducing_gap=REDUCING_GAP), ((side - inner[0]) // 2, (side - inner[1]) // 2))
    pixels = np.asarray(square, dtype=np.uint8)
    if pixels.ndim == 2:
        return np.broadcast_to(pixels, (3, side, side))
    return pixels.transpose(2, 0, 1)


def fit_array(pixels: np.ndarray, prep: Preprocess) -> np.ndarray:
    """One ``(H, W)`` or ``(H, W, 3)`` uint8 array as ``(3, R, R)``, skipping Pillow when nothing changes."""
    if pixels.shape[0] == pixels.shape[1] == prep.resolution:
        if pixels.ndim == 2:
            return np.broadcast_to(pixels, (3, *pixels.shape))
        if prep.colour == "rgb":
            return pixels.transpose(2, 0, 1)
    return fit_image(Image.fromarray(np.ascontiguousarray(pixels)), prep)
