"""Small dataset files of every kind the studio reads, written the way the real ones are."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def png_bytes(colour=(200, 30, 30), size=(40, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header that claims a huge picture (the pixel data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def cifar_batch(count: int, labels_key: bytes = b"labels", seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    batch = {b"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
             labels_key: [int(v) for v in rng.integers(0, 10, count)], b"batch_label": b"testing"}
    return pickle.dumps(batch, protocol=2)


def cifar_meta() -> bytes:
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
    return pickle.dumps({b"label_names": names, b"num_cases_per_batch": 10}, protocol=2)


def write_cifar_folder(folder: Path, count: int = 20) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data_batch_1").write_bytes(cifar_batch(count))
    (folder / "test_batch").write_bytes(cifar_batch(count // 2, seed=1))
    (folder / "batches.meta").write_bytes(cifar_meta())
    return folder


def write_cifar_tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, count: int = 30, gz: bool = True, prefix: str = "train") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    images = idx_bytes(rng.integers(0, 256, (count, 28, 28), dtype=np.uint8))
    labels = idx_bytes(np.arange(count) % 10)
    suffix = ".gz" if gz else ""
    opener = gzip.compress if gz else (lambda data: data)
    (folder / f"{prefix}-images-idx3-ubyte{suffix}").write_bytes(opener(images))
    (folder / f"{prefix}-labels-idx1-ubyte{suffix}").write_bytes(opener(labels))
    return folder / f"{prefix}-images-idx3-ubyte{suffix}"


def hostile_folder(root):
    """A labelled folder dataset whose class names and a file name try to inject markup."""
    rng = np.random.default_rng(0)
    for index, name in enumerate(["<script>", "plain & simple"]):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(24):
            pixels = rng.integers(0, 60, (32, 32, 3), dtype=np.uint8)
            pixels[8:24, 8:24, index] = 220
            Image.fromarray(pixels).save(folder / f"img-{i}.png")
    (root / "plain & simple" / "<b>broken.png").write_bytes(b"not an image")
    return root


def shapes_folder(root: Path, counts: dict[str, int], resolution: int = 16) -> Path:
    """A folder of demo shapes as PNG files, one sub-folder per class with ``counts[class]`` images."""
    from studio.core.data.demo import make_demo_dataset

    demo = make_demo_dataset(4 * max(counts.values()) + 8, resolution)
    for index, name in enumerate(demo.class_names):
        if name not in counts:
            continue
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        images = demo.images[demo.labels == index][: counts[name]].permute(0, 2, 3, 1).numpy()
        for number, image in enumerate(images):
            Image.fromarray(image).save(folder / f"{name}-{number:03d}.png")
    return root
