"""MNIST and Fashion-MNIST IDX files (``*-images-idx3-ubyte``, gzipped or not, labels beside them).

The header is checked before the payload is read: the magic number, the dimensions against the
size limits, and that the file holds exactly the bytes the header promises (a gzip that
inflates forever is cut off).
"""

from __future__ import annotations

import gzip
import math
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

from studio.core.config import DataConfig
from studio.core.data.build import from_arrays
from studio.core.data.dataset import ImageDataset
from studio.core.data.limits import Limits, current_limits
from studio.core.errors import StudioError
from studio.core.tasks import TaskState

IMAGES_MARK = "idx3-ubyte"
FASHION_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def is_idx(path: Path) -> bool:
    return IMAGES_MARK in path.name


def image_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and is_idx(p))


def load_idx_dataset(path: Path, config: DataConfig, task: TaskState | None = None) -> ImageDataset:
    images, labels, limits = [], [], current_limits()
    for file in image_files(path):
        pixels = read_idx(file, ndim=3, limits=limits)
        images.append(pixels)
        labels.append(_labels_for(file, len(pixels), limits))
        limits.check_total(path.name, sum(part.nbytes for part in (*images, *labels)))
    all_labels = np.concatenate(labels)
    count = int(all_labels.max()) + 1
    fashion = "fashion" in str(path).lower() and count <= len(FASHION_NAMES)
    class_names = FASHION_NAMES[:count] if fashion else [str(index) for index in range(count)]
    return from_arrays(source=str(path), kind="idx", images=np.concatenate(images), labels=all_labels,
                       class_names=class_names, config=config, task=task)


def idx_fingerprint(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for file in image_files(path):
        for part in (file, _label_path(file)):
            if part is not None:
                stat = part.stat()
                digest.update(f"{part.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_idx(path: Path, ndim: int, limits: Limits) -> np.ndarray:
    """A uint8 IDX array with ``ndim`` dimensions, every size checked against the header."""
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            header = handle.read(4)
            if len(header) < 4 or header[:2] != b"\0\0" or header[2] != 0x08 or header[3] != ndim:
                raise StudioError(f"'{path.name}' is not an IDX file of {ndim}-D uint8 data (wrong magic number).")
            dims = struct.unpack(f">{ndim}I", _exactly(handle, 4 * ndim, path))
            size = math.prod(dims)
            if ndim == 3 and min(dims) < 1:
                raise StudioError(f"'{path.name}' holds no images (its header says {'×'.join(map(str, dims))}).")
            limits.check_file(path.name, size)
            payload = _exactly(handle, size, path)
            if handle.read(1):
                raise StudioError(f"'{path.name}' is longer than its header says.")
    except PermissionError:
        raise StudioError(f"'{path}' cannot be read (permission denied).") from None
    except (OSError, EOFError, zlib.error):
        raise StudioError(f"'{path.name}' is damaged (it could not be decompressed).") from None
    return np.frombuffer(payload, dtype=np.uint8).reshape(dims)


def _exactly(handle, size: int, path: Path) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise StudioError(f"'{path.name}' is shorter than its header says ({len(data):,} of {size:,} bytes).")
    return data


def _label_path(images: Path) -> Path | None:
    candidate = images.with_name(images.name.replace("images-idx3", "labels-idx1").replace(IMAGES_MARK, "idx1-ubyte"))
    return candidate if candidate != images and candidate.is_file() else None


def _labels_for(images: Path, count: int, limits: Limits) -> np.ndarray:
    path = _label_path(images)
    if path is None:
        return np.zeros(count, dtype=np.int64)
    labels = read_idx(path, ndim=1, limits=limits).astype(np.int64)
    if len(labels) != count:
        raise StudioError(f"'{path.name}' has {len(labels):,} labels for {count:,} images.")
    return labels
