"""The two image sets of a translation run, each loaded and validated as any dataset is, and the
held-out share of the source set that training never sees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.core.data import load_dataset
from studio.core.data.dataset import ImageDataset
from studio.core.data.held_out import HeldOut, choose_held_out
from studio.core.errors import StudioError
from studio.core.tasks import TaskState, quiet
from studio.core.translation.config import TranslationConfig

MIN_IMAGES = 2


@dataclass
class ImagePair:
    """The source and target sets at one resolution."""

    source: ImageDataset
    target: ImageDataset

    def sets(self) -> dict[str, ImageDataset]:
        return {"source": self.source, "target": self.target}


def load_pair(source_config, target_config, task: TaskState | None = None) -> ImagePair:
    """Both sets (each a :class:`DataConfig`), progress split between them."""
    task = task or quiet()
    return checked_pair(load_dataset(source_config, task.phase(0, 0.5)), load_dataset(target_config, task.phase(0.5, 1)))


def checked_pair(source: ImageDataset, target: ImageDataset) -> ImagePair:
    """The two loaded sets; a set of fewer than two images is refused in one sentence."""
    for which, dataset in (("source", source), ("target", target)):
        if len(dataset) < MIN_IMAGES:
            raise StudioError(f"The {which} set '{dataset.source}' has {len(dataset)} usable image"
                              f"{'' if len(dataset) == 1 else 's'}; translation needs at least {MIN_IMAGES}.")
    return ImagePair(source, target)


def load_config_pair(config: TranslationConfig, task: TaskState | None = None) -> ImagePair:
    return load_pair(config.data.set_config("source"), config.data.set_config("target"), task)


def held_out_split(source: ImageDataset, share: float) -> HeldOut:
    """A stable share of the source images, taken evenly from its classes, that training leaves alone."""
    return choose_held_out(source.class_names, np.asarray(source.labels), share)


def new_translation_run(root, config: TranslationConfig, pair: ImagePair, name: str | None = None):
    """Create the run folder for ``config`` on ``pair``, recording both sets and the held-out source images."""
    from studio.core.translation.run import TranslationRun

    held = held_out_split(pair.source, config.data.held_out)
    return TranslationRun.create(root, config, {which: dataset.summary() for which, dataset in pair.sets().items()}, name, held)
