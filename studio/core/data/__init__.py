"""Dataset sources, all producing one :class:`ImageDataset` of uint8 images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studio.core.config import DEMO_SOURCE, DataConfig
from studio.core.data.dataset import ImageDataset, SkippedFile
from studio.core.data.demo import make_demo_dataset
from studio.core.data.folder import load_folder_dataset

__all__ = ["ImageDataset", "SkippedFile", "load_dataset"]


def load_dataset(
    config: DataConfig,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImageDataset:
    """Load the source a :class:`DataConfig` names at its resolution."""
    if config.source == DEMO_SOURCE:
        return make_demo_dataset(config.demo_images, config.resolution, progress=progress, cancelled=cancelled)
    return load_folder_dataset(Path(config.source), config.resolution, progress=progress, cancelled=cancelled)
