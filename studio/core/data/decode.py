"""One image file's bytes to one training image, or the plain reason it cannot be one.

Pillow reads the header first, so the size is checked before a single pixel is decoded: a
PNG that claims 100000×100000 pixels costs nothing. Every colour mode Pillow hands back is
brought to ``L`` or ``RGB`` the way a person would expect (transparency over white, 16-bit
scaled down, CMYK and palettes converted).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from studio.core.data.preprocess import Preprocess, fit_image

MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; more is a mistake or a decompression bomb
MIN_SIDE = 8
_SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
_WITH_ALPHA = {"LA", "La", "PA", "RGBA", "RGBa"}
_DIRECT = {"1", "L", "P", "RGB", "RGBX", "CMYK", "YCbCr"}


class Unreadable(Exception):
    """A file that cannot become a training image; its message is the reason shown to the analyst."""


@dataclass(frozen=True)
class Decoded:
    pixels: np.ndarray  # (3, R, R) uint8
    size: tuple[int, int]  # the original width and height
    digest: str  # of the file's bytes, to find exact duplicates


def decode_bytes(data: bytes, prep: Preprocess) -> Decoded:
    if not data:
        raise Unreadable("empty file")
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                size = image.size
                _check_size(*size)
                if image.format == "JPEG":
                    image.draft(prep.mode if image.mode in ("RGB", "L") else None, prep.draft_size(*size))
                image.load()
                return Decoded(fit_image(to_plain_mode(image), prep), size, digest)
        except UnidentifiedImageError:
            raise Unreadable("not an image") from None
        except Image.DecompressionBombError:
            raise Unreadable("too large (possible decompression bomb)") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError, struct.error) as error:
            raise Unreadable(f"truncated or damaged image ({_short(error)})") from None


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise Unreadable(f"too large ({width}×{height} pixels; possible decompression bomb)")
    if min(width, height) < MIN_SIDE:
        raise Unreadable(f"too small ({width}×{height} pixels; at least {MIN_SIDE} a side)")


def to_plain_mode(image: Image.Image) -> Image.Image:
    """``L`` or ``RGB``, whatever Pillow decoded."""
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode in _SIXTEEN_BIT:
        wide = np.asarray(image, dtype=np.float32)
        return Image.fromarray(np.clip(wide / 257.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if mode in _WITH_ALPHA or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    if mode in _DIRECT:
        return image.convert("L" if mode == "1" else "RGB")
    raise Unreadable(f"unsupported colour mode {mode}")


def _short(error: BaseException) -> str:
    text = str(error).strip().rstrip(".") or type(error).__name__
    return text[:80]
