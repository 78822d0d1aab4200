"""The two ends every source shares: decoded files, or arrays already in memory, to an ImageDataset."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict

import numpy as np
import torch

from studio.core.config import DataConfig
from studio.core.data.dataset import ImageDataset, SkippedFile
from studio.core.data.limits import current_limits
from studio.core.data.parallel import decode_all
from studio.core.data.preprocess import Preprocess, fit_array
from studio.core.data.selection import select
from studio.core.data.validation import build_report
from studio.core.errors import StudioError
from studio.core.tasks import TaskState, quiet


def options_of(config: DataConfig) -> dict:
    """The options that shape the tensor: recorded in the report and part of the cache key."""
    return {**asdict(Preprocess.from_config(config)), "classes": config.classes, "max_images": config.max_images}


def from_files(
    *,
    source: str,
    kind: str,
    files: Sequence[tuple[str, str]],
    read: Callable[[str], bytes],
    config: DataConfig,
    refused: Sequence[tuple[str, str]] = (),
    hidden_folders: Sequence[str] = (),
    task: TaskState | None = None,
) -> ImageDataset:
    """Decode ``files`` (``(name, class)`` pairs) in parallel; ``refused`` were skipped before reading and
    ``hidden_folders`` left out unread (both go into the report)."""
    class_names = sorted({label for _, label in files})
    labels = np.array([class_names.index(label) for _, label in files], dtype=np.int64)
    indices, kept = select(labels, class_names, config)
    if not len(indices):
        raise StudioError(f"'{source}' contains no image files.")
    names = [files[i][0] for i in indices]
    limits = current_limits()
    limits.check_images(source, len(names), config.resolution)
    pixels, outcomes = decode_all(names, read, Preprocess.from_config(config), task, limits.stall_seconds)
    good = [i for i, (reason, _, _) in enumerate(outcomes) if reason is None]
    if not good:
        raise StudioError(f"None of the {len(names)} files in '{source}' is a readable image.")
    if len(good) < len(names):
        for target, index in enumerate(good):  # in place: a fancy-indexed copy would double the peak memory
            pixels[target] = pixels[index]
        pixels = pixels[: len(good)]
    used_labels = labels[indices][good]
    skipped = [*refused, *((names[i], reason) for i, (reason, _, _) in enumerate(outcomes) if reason is not None)]
    return _assemble(source, kind, pixels, used_labels, class_names, kept, [names[i] for i in good],
                     [outcomes[i][1] for i in good], [outcomes[i][2] for i in good], skipped, config, hidden_folders)


def from_arrays(
    *,
    source: str,
    kind: str,
    images: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    config: DataConfig,
    task: TaskState | None = None,
) -> ImageDataset:
    """``images`` is ``(N, H, W)`` or ``(N, H, W, 3)`` uint8 (possibly memory-mapped)."""
    task = task or quiet()
    indices, kept = select(labels, class_names, config)
    if not len(indices):
        raise StudioError(f"'{source}' holds no images.")
    prep = Preprocess.from_config(config)
    side = prep.resolution
    current_limits().check_images(source, len(indices), side)
    pixels = np.empty((len(indices), 3, side, side), dtype=np.uint8)
    digests = []
    for done, index in enumerate(indices, start=1):
        if done % 1024 == 0:
            task.check("Loading the dataset")
        image = images[index]
        digests.append(hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=12).hexdigest())
        pixels[done - 1] = fit_array(image, prep)
        if done % 1024 == 0 or done == len(indices):
            task.progress(done, len(indices))
    height, width = images.shape[1:3]
    return _assemble(source, kind, pixels, labels[indices], class_names, kept, [f"#{i}" for i in indices],
                     [(width, height)] * len(indices), digests, [], config)


def _assemble(source, kind, pixels, labels, class_names, kept, names, sizes, digests, skipped, config,
              hidden_folders=()) -> ImageDataset:
    remap = np.full(len(class_names), -1, dtype=np.int64)
    remap[[class_names.index(name) for name in kept]] = np.arange(len(kept))
    present = sorted(set(remap[labels].tolist()))
    final = [kept[i] for i in present]
    squeeze = np.full(len(kept), -1, dtype=np.int64)
    squeeze[present] = np.arange(len(present))
    new_labels = squeeze[remap[labels]]
    report = build_report(source=source, kind=kind, options=options_of(config), class_names=final,
                          labels=new_labels.tolist(), names=names, sizes=sizes, digests=digests, skipped=skipped,
                          hidden_folders=hidden_folders)
    return ImageDataset(
        images=torch.from_numpy(pixels),
        labels=torch.from_numpy(new_labels),
        class_names=final,
        source=source,
        skipped=[SkippedFile(path, reason) for path, reason in skipped],
        report=report,
        names=list(names),
    )
