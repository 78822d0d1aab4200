"""Which images to use: the chosen classes, then at most ``max_images`` spread evenly over the set."""

from __future__ import annotations

import numpy as np

from studio.core.config import DataConfig
from studio.core.errors import StudioError


def chosen_classes(config: DataConfig, class_names: list[str]) -> list[str]:
    """The class names ``config.classes`` asks for (all when empty), in the dataset's order."""
    wanted = [name.strip() for name in config.classes.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in class_names]
    if unknown:
        raise StudioError(f"The dataset has no class named '{unknown[0]}'; its classes are: {', '.join(class_names)}.")
    return [name for name in class_names if name in wanted] if wanted else list(class_names)


def select(labels: np.ndarray, class_names: list[str], config: DataConfig) -> tuple[np.ndarray, list[str]]:
    """Indices of the images to use (ascending) and the class names they keep, in order."""
    kept = chosen_classes(config, class_names)
    indices = np.flatnonzero(np.isin(labels, [class_names.index(name) for name in kept]))
    if config.max_images and len(indices) > config.max_images:
        spread = np.linspace(0, len(indices), config.max_images, endpoint=False).astype(np.int64)
        indices = indices[spread]
    return indices, kept
