"""The decoded, preprocessed tensor on disk, so reopening a dataset skips decoding entirely.

An entry is keyed by the source's fingerprint (its files' names, sizes and modification times,
or a zip's CRCs) and the options that shape the pixels; a changed source or option is a new key,
and stale entries age out (the newest :data:`KEEP` stay). Each entry is two files written
atomically: ``<key>.u8`` (raw pixels) and ``<key>.json`` (shape, labels, report), the JSON last,
so an entry without it is incomplete and ignored. No pickle anywhere. The pixels are mapped
copy-on-write rather than read, so reopening costs the fingerprint and the page faults of the
images actually used; a later write to a mapped entry cannot reach the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from studio.core.files import write_bytes_atomic, write_text_atomic
from studio.core.data.dataset import ImageDataset, SkippedFile
from studio.core.errors import StudioError
from studio.core.paths import cache_dir

FORMAT = 2
KEEP = 8


def cache_key(fingerprint: str, options: dict) -> str:
    text = json.dumps({"format": FORMAT, "source": fingerprint, "options": options}, sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def load_cached(key: str) -> ImageDataset | None:
    """The cached dataset, or None when there is none or it is damaged."""
    meta_path, pixels_path = _paths(key)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        shape = tuple(meta["shape"])
        if (pixels_path.stat().st_size != int(np.prod(shape)) or len(meta["labels"]) != shape[0]
                or len(meta["names"]) != shape[0]):
            return None
        pixels = np.memmap(pixels_path, dtype=np.uint8, mode="c", shape=shape)
        dataset = ImageDataset(
            images=torch.from_numpy(pixels),
            labels=torch.tensor(meta["labels"], dtype=torch.int64),
            class_names=list(meta["class_names"]),
            source=meta["source"],
            skipped=[SkippedFile(item["path"], item["reason"]) for item in meta["report"]["skipped"]],
            report=meta["report"],
            fingerprint=key,
            names=[str(name) for name in meta["names"]],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    meta_path.touch()
    return dataset


def store(key: str, dataset: ImageDataset) -> None:
    """Write the entry; a full or read-only disk only costs the speed-up, never the load."""
    meta_path, pixels_path = _paths(key)
    meta = {"shape": list(dataset.images.shape), "labels": dataset.labels.tolist(), "class_names": dataset.class_names,
            "source": dataset.source, "report": dataset.report, "names": dataset.names}
    try:
        write_bytes_atomic(pixels_path, dataset.images.numpy().data)
        write_text_atomic(meta_path, json.dumps(meta))
    except StudioError:
        return
    _prune()


def _paths(key: str) -> tuple[Path, Path]:
    folder = cache_dir()
    return folder / f"{key}.json", folder / f"{key}.u8"


def _prune() -> None:
    entries = sorted(cache_dir().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".u8").unlink(missing_ok=True)
