"""Loading any source by its path: the reader it needs, the on-disk cache, the demo set."""

from __future__ import annotations

import os
from pathlib import Path

from studio.core.config import DEMO_SOURCE, DataConfig
from studio.core.data.arrays import array_fingerprint, load_array_dataset
from studio.core.data.build import from_arrays, options_of
from studio.core.data.cache import cache_key, load_cached, store
from studio.core.data.cifar import cifar_fingerprint, is_cifar_folder, load_cifar_dataset
from studio.core.data.dataset import ImageDataset
from studio.core.data.demo import make_demo_dataset
from studio.core.data.folder import folder_fingerprint, load_folder_dataset
from studio.core.data.idx import idx_fingerprint, image_files, is_idx, load_idx_dataset
from studio.core.data.limits import current_limits
from studio.core.data.validation import build_report
from studio.core.data.zipped import load_zip_dataset, zip_fingerprint
from studio.core.errors import StudioError
from studio.core.tasks import TaskState, quiet

SUPPORTED = "a folder of images, a .zip, CIFAR batches (folder or .tar.gz), MNIST IDX files, .npy or .npz"
_SOURCES = {
    "folder": (load_folder_dataset, folder_fingerprint),
    "zip": (load_zip_dataset, zip_fingerprint),
    "cifar": (load_cifar_dataset, cifar_fingerprint),
    "idx": (load_idx_dataset, idx_fingerprint),
    "numpy": (load_array_dataset, array_fingerprint),
}


def load_dataset(
    config: DataConfig,
    task: TaskState | None = None,
) -> ImageDataset:
    """Load the source a :class:`DataConfig` names, with its preprocessing options."""
    task = task or quiet()
    if config.source == DEMO_SOURCE:
        return _demo(config, task)
    path = Path(config.source)
    kind = source_kind(path)
    load, fingerprint = _SOURCES[kind]
    key = cache_key(f"{kind}:{fingerprint(path)}:{current_limits().file_bytes}", options_of(config))
    cached = load_cached(key)
    if cached is not None:
        task.progress(len(cached), len(cached))
        return cached
    dataset = load(path, config, task)
    dataset.fingerprint = key
    store(key, dataset)
    return dataset


def source_kind(path: Path) -> str:
    """Which reader a path needs, or one sentence on why none does."""
    if not path.exists():
        raise StudioError(f"The dataset '{path}' does not exist.")
    if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
        raise StudioError(f"'{path}' cannot be read (permission denied).")
    name = path.name.lower()
    if path.is_dir():
        if is_cifar_folder(path):
            return "cifar"
        return "idx" if image_files(path) else "folder"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "cifar"
    if name.endswith((".npy", ".npz")):
        return "numpy"
    if is_idx(path):
        return "idx"
    raise StudioError(f"'{path.name}' is not a dataset the studio reads; use {SUPPORTED}.")


def _demo(config: DataConfig, task: TaskState) -> ImageDataset:
    """The demo set is drawn at its native size, then goes through the same options as any source."""
    demo = make_demo_dataset(config.demo_images, config.resolution, task=task)
    if config == DataConfig(source=DEMO_SOURCE, resolution=config.resolution, demo_images=config.demo_images, flip=config.flip,
                         held_out=config.held_out):
        demo.report = _demo_report(demo, config)
        return demo
    return from_arrays(source=DEMO_SOURCE, kind="demo", images=demo.images.permute(0, 2, 3, 1).numpy(),
                       labels=demo.labels.numpy(), class_names=demo.class_names, config=config, task=task)


def _demo_report(demo: ImageDataset, config: DataConfig) -> dict:
    side = demo.resolution
    return build_report(source=DEMO_SOURCE, kind="demo", options=options_of(config), class_names=demo.class_names,
                        labels=demo.labels.tolist(), names=[], sizes=[(side, side)] * len(demo), digests=[], skipped=[])
