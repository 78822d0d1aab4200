"""NumPy ``.npy`` / ``.npz`` images: (N,H,W), (N,H,W,C) or (N,C,H,W), uint8 or floats in [0,1] or [-1,1].

Loaded with ``allow_pickle=False``: an array of Python objects is refused, never unpickled.
An ``.npz`` may carry a labels array (``labels`` or ``y``, or any 1-D integer array of length N).
Every array's header (shape and type) is read first and its size checked against the file and
the limits, so an archive member that inflates to gigabytes is refused before it is read.
"""

from __future__ import annotations

import hashlib
import math
import zipfile
from pathlib import Path

import numpy as np

from studio.core.config import DataConfig
from studio.core.data.build import from_arrays
from studio.core.data.dataset import ImageDataset
from studio.core.data.limits import Limits, current_limits
from studio.core.errors import StudioError
from studio.core.tasks import TaskState

IMAGE_KEYS = ("images", "x", "x_train", "data", "arr_0")
LABEL_KEYS = ("labels", "y", "y_train", "targets", "arr_1")
UNLABELLED = "unlabelled"


def load_array_dataset(path: Path, config: DataConfig, task: TaskState | None = None) -> ImageDataset:
    images, labels = _read(path)
    pixels = to_nhwc_uint8(images, path.name)
    if labels is None:
        labels, class_names = np.zeros(len(pixels), dtype=np.int64), [UNLABELLED]
    else:
        labels, class_names = _labels(labels, len(pixels), path.name)
    return from_arrays(source=str(path), kind=path.suffix.lstrip("."), images=pixels, labels=labels,
                       class_names=class_names, config=config, task=task)


def array_fingerprint(path: Path) -> str:
    stat = path.stat()
    return hashlib.blake2b(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode(), digest_size=16).hexdigest()


def _read(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    limits = current_limits()
    try:
        if path.suffix == ".npy":
            with open(path, "rb") as handle:
                shape, dtype = _header(handle, path.name)
            _check(path.name, shape, dtype, path.stat().st_size, limits)
            limits.check_total(path.name, _nbytes(shape, dtype))
            array = np.load(path, allow_pickle=False, mmap_mode="r")
            if not isinstance(array, np.ndarray):
                raise StudioError(f"'{path.name}' is not a .npy array (it looks like an .npz archive).")
            return array, None
        headers = _npz_headers(path, limits)
        keys = list(headers)
        image_key = next((k for k in IMAGE_KEYS if k in keys), None) or next(
            (k for k in keys if len(headers[k][0]) in (3, 4)), None)
        if image_key is None:
            raise StudioError(f"'{path.name}' has no image array (3-D or 4-D); it holds: {', '.join(keys) or 'nothing'}.")
        label_key = next((k for k in LABEL_KEYS if k in keys and k != image_key), None)
        limits.check_total(path.name, sum(_nbytes(*headers[k]) for k in (image_key, label_key) if k))
        with np.load(path, allow_pickle=False) as archive:
            return archive[image_key], archive[label_key] if label_key else None
    except StudioError:
        raise
    except PermissionError:
        raise StudioError(f"'{path}' cannot be read (permission denied).") from None
    except ValueError as error:
        if "pickle" in str(error) or "Python objects" in str(error):
            raise StudioError(f"'{path.name}' holds Python objects, which the studio refuses to load.") from None
        raise StudioError(f"'{path.name}' is not a readable NumPy file.") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, TypeError, AttributeError, SyntaxError, MemoryError):
        raise StudioError(f"'{path.name}' is not a readable NumPy file.") from None


def _npz_headers(path: Path, limits: Limits) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Each array's shape and type, read from the start of its member; sizes checked on the way."""
    headers = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            shown = f"{path.name}/{info.filename}"
            limits.check_file(shown, info.file_size)
            with archive.open(info) as handle:
                shape, dtype = _header(handle, shown)
            _check(shown, shape, dtype, info.file_size, limits)
            headers[info.filename[: -len(".npy")]] = (shape, dtype)
    return headers


def _header(handle, name: str) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
    else:
        raise StudioError(f"'{name}' is a NumPy format version ({version[0]}.{version[1]}) the studio does not read.")
    if dtype.hasobject:
        raise StudioError(f"'{name}' holds Python objects, which the studio refuses to load.")
    return tuple(int(side) for side in shape), dtype


def _check(name: str, shape: tuple[int, ...], dtype: np.dtype, stored: int, limits: Limits) -> None:
    """The array fits in what holds it (a header may lie) and under the per-file limit."""
    size = _nbytes(shape, dtype)
    limits.check_file(name, size)
    if size > stored:
        raise StudioError(f"'{name}' claims a {'×'.join(map(str, shape))} array, more than the {stored:,} bytes it holds.")


def _nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    return math.prod(shape) * dtype.itemsize


def to_nhwc_uint8(images: np.ndarray, name: str) -> np.ndarray:
    """Any accepted layout and range as ``(N, H, W)`` or ``(N, H, W, 3)`` uint8."""
    if images.ndim == 4 and images.shape[-1] in (1, 3, 4):
        layout = images
    elif images.ndim == 4 and images.shape[1] in (1, 3, 4):
        layout = images.transpose(0, 2, 3, 1)
    elif images.ndim == 3:
        layout = images
    else:
        raise StudioError(f"'{name}' has shape {tuple(images.shape)}; expected (N,H,W), (N,H,W,C) or (N,C,H,W) with C of 1, 3 or 4.")
    if min(layout.shape[:3]) < 1:
        raise StudioError(f"'{name}' holds no images (shape {tuple(images.shape)}).")
    pixels = _as_uint8(layout, name)
    if pixels.ndim == 4 and pixels.shape[-1] == 1:
        return pixels[..., 0]
    if pixels.ndim == 4 and pixels.shape[-1] == 4:
        alpha = pixels[..., 3:].astype(np.float32) / 255
        return (pixels[..., :3] * alpha + 255 * (1 - alpha) + 0.5).astype(np.uint8)
    return pixels


def _as_uint8(images: np.ndarray, name: str) -> np.ndarray:
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind != "f":
        raise StudioError(f"'{name}' holds {images.dtype} values; expected uint8, or floats in [0, 1] or [-1, 1].")
    low, high = float(np.min(images)), float(np.max(images))
    if not (np.isfinite(low) and np.isfinite(high)) or low < -1 or high > 1:
        raise StudioError(f"'{name}' holds floats from {low:g} to {high:g}; expected them in [0, 1] or [-1, 1].")
    scaled = images * 255.0 if low >= 0 else (images + 1.0) * 127.5
    return np.clip(scaled + 0.5, 0, 255).astype(np.uint8)


def _labels(labels: np.ndarray, count: int, name: str) -> tuple[np.ndarray, list[str]]:
    if labels.ndim != 1 or len(labels) != count or labels.dtype.kind not in "iu":
        raise StudioError(f"'{name}' has a labels array that is not {count:,} whole numbers.")
    values = sorted(set(labels.tolist()))
    index = {value: position for position, value in enumerate(values)}
    return np.array([index[v] for v in labels.tolist()], dtype=np.int64), [str(v) for v in values]
