"""CIFAR-10 and CIFAR-100 "python version" batches, from their folder or the ``.tar.gz``.

The batches are pickles. A pickle can name any function to call while it loads, so these are
read with :class:`BatchUnpickler`, which admits only the numpy array reconstruction the real
files use; any other object is refused before anything runs. The tarball is read in place, and
every batch's size (on disk, or in the archive's header) is checked against the limits first.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from studio.core.config import DataConfig
from studio.core.data.build import from_arrays
from studio.core.data.dataset import ImageDataset
from studio.core.data.limits import Limits, current_limits
from studio.core.errors import StudioError
from studio.core.tasks import TaskState

CIFAR10_BATCHES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
CIFAR100_BATCHES = ["train", "test"]
META_FILES = {"batches.meta": b"label_names", "meta": b"fine_label_names"}
MAX_MEMBERS = 10_000  # the published archives hold 8 (CIFAR-10) and 5 (CIFAR-100) entries
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),  # how Python 2 pickles carry raw bytes
}


class RefusedObject(pickle.UnpicklingError):
    """The pickle names something outside :data:`_ALLOWED`; it is refused before it is looked up."""


class BatchUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise RefusedObject(f"{module}.{name}")


def is_cifar_folder(path: Path) -> bool:
    return any((path / name).is_file() for name in (*CIFAR10_BATCHES, *CIFAR100_BATCHES[:1]))


def load_cifar_dataset(path: Path, config: DataConfig, task: TaskState | None = None) -> ImageDataset:
    limits = current_limits()
    members = _read_tarball(path, limits) if path.is_file() else _read_folder(path, limits)
    batches = [name for name in (*CIFAR10_BATCHES, *CIFAR100_BATCHES) if name in members]
    if not batches:
        raise StudioError(f"'{path}' holds no CIFAR batches (data_batch_1… or train/test).")
    images, labels = [], []
    for name in batches:
        data, batch_labels = _batch(members[name], name)
        images.append(data)
        labels.append(batch_labels)
    all_labels = np.concatenate(labels)
    class_names = _class_names(members, int(all_labels.max()) + 1)
    pixels = np.concatenate(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return from_arrays(source=str(path), kind="cifar", images=pixels, labels=all_labels, class_names=class_names,
                       config=config, task=task)


def cifar_fingerprint(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    for file in files:
        stat = file.stat()
        digest.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def unpickle(data: bytes, name: str) -> object:
    try:
        return BatchUnpickler(io.BytesIO(data), encoding="bytes").load()
    except RefusedObject as refused:
        raise StudioError(f"'{name}' contains a Python object the studio refuses to load ({refused}); nothing in it was run.") from None
    except Exception:  # noqa: BLE001 - a mangled pickle fails in many ways, all meaning the same
        raise StudioError(f"'{name}' is not a readable CIFAR batch.") from None


def _batch(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    batch = unpickle(data, name)
    pixels = batch.get(b"data") if isinstance(batch, dict) else None
    labels = (batch.get(b"labels", batch.get(b"fine_labels")) if isinstance(batch, dict) else None)
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != 3072:
        raise StudioError(f"'{name}' is not a CIFAR batch: it has no (N, 3072) uint8 'data' array.")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        labels = None
    if labels is None or labels.shape != (len(pixels),) or (len(labels) and (labels.min() < 0 or labels.max() >= 1000)):
        raise StudioError(f"'{name}' is not a CIFAR batch: its labels do not match its {len(pixels)} images.")
    return pixels, labels


def _class_names(members: dict[str, bytes], count: int) -> list[str]:
    for file, key in META_FILES.items():
        if file in members:
            meta = unpickle(members[file], file)
            names = meta.get(key) if isinstance(meta, dict) else None
            if isinstance(names, list) and len(names) >= count:
                return [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in names]
    return [str(index) for index in range(count)]


def _read_folder(path: Path, limits: Limits) -> dict[str, bytes]:
    wanted = [path / name for name in (*CIFAR10_BATCHES, *CIFAR100_BATCHES, *META_FILES) if (path / name).is_file()]
    try:
        sizes = [file.stat().st_size for file in wanted]
        for file, size in zip(wanted, sizes):
            limits.check_file(file.name, size)
        limits.check_total(path.name, sum(sizes))
        return {file.name: file.read_bytes() for file in wanted}
    except PermissionError:
        raise StudioError(f"'{path}' cannot be read (permission denied).") from None
    except OSError as error:
        raise StudioError(f"'{path}' cannot be read ({error.strerror}).") from None


def _read_tarball(path: Path, limits: Limits) -> dict[str, bytes]:
    """The known batch files by base name, read from the archive without extracting it.

    A first pass reads only the members' headers: an archive with more than :data:`MAX_MEMBERS`
    entries, a batch named twice, a batch over the per-file limit, or batches over the total are
    refused there, before any member's data is read. The second pass reads the batches.
    """
    wanted = {*CIFAR10_BATCHES, *CIFAR100_BATCHES, *META_FILES}
    try:
        with tarfile.open(path, "r:*") as archive:
            chosen = _checked_members(archive, path, wanted, limits)
        with tarfile.open(path, "r:*") as archive:
            members = {}
            for member in _members(archive):
                base = Path(member.name).name
                if member.isfile() and base in chosen:
                    handle = archive.extractfile(member)
                    members[base] = handle.read(member.size) if handle else b""
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise StudioError(f"'{path}' is not a readable CIFAR archive ({type(error).__name__}).") from None
    return members


def _checked_members(archive: tarfile.TarFile, path: Path, wanted: set[str], limits: Limits) -> set[str]:
    """The batch names of ``archive``, from its headers alone (see :func:`_read_tarball`)."""
    chosen, total = set(), 0
    for count, member in enumerate(_members(archive), start=1):
        if count > MAX_MEMBERS:
            raise StudioError(f"'{path}' holds more than {MAX_MEMBERS:,} entries; a CIFAR archive holds a few batches, so "
                              "it is not one.")
        base = Path(member.name).name
        if not (member.isfile() and base in wanted):
            continue
        if base in chosen:
            raise StudioError(f"'{path}' holds '{base}' twice, so which one to read is unclear; it is not a CIFAR archive "
                              "as published.")
        limits.check_file(f"{path.name}/{member.name}", member.size)
        total += member.size
        limits.check_total(path.name, total)
        chosen.add(base)
    return chosen


def _members(archive: tarfile.TarFile):
    """The archive's members one by one, without the list ``tarfile`` keeps of every member it has seen."""
    while (member := archive.next()) is not None:
        yield member
        archive.members = []
