"""The dataset panel's long job as a plain function: load a dataset and summarise it for display.

Torch-using modules are imported inside the function, so the GUI can import this module (and
``DatasetSummary``) before torch is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.core.config import DataConfig
from studio.core.tasks import TaskState

PREVIEW_COUNT = 64


@dataclass(frozen=True)
class DatasetSummary:
    """What the dataset panel shows about a loaded dataset, as plain data."""

    config: DataConfig
    count: int
    resolution: int
    class_counts: dict[str, int]
    skipped: list[Any]
    preview: np.ndarray
    report: dict = field(default_factory=dict)  # the validation report (studio.core.data.validation)
    previews: dict[str, np.ndarray] = field(default_factory=dict)  # thumbnails per class
    held_out: dict[str, int] = field(default_factory=dict)  # per class, the test images a new run keeps apart

    @property
    def held_out_total(self) -> int:
        return sum(self.held_out.values())


def load_for_training(config: DataConfig, task: TaskState) -> tuple[Any, DatasetSummary]:
    """The dataset ``config`` names, ready to train on, and its summary.

    Also pays for torch's lazily imported optimizer code while the analyst looks at the summary,
    so pressing Train does not stall.
    """
    from studio.core.data import load_dataset
    from studio.core.data.held_out import held_out_count
    from studio.core.training.trainer import warm_up

    dataset = load_dataset(config, task)
    warm_up()
    task.check("Loading the dataset")
    return dataset, DatasetSummary(
        config=config,
        count=len(dataset),
        resolution=dataset.resolution,
        class_counts=dataset.class_counts(),
        skipped=list(dataset.skipped),
        preview=dataset.preview(min(PREVIEW_COUNT, len(dataset))),
        report=dataset.report,
        previews=dataset.class_previews(PREVIEW_COUNT),
        held_out={name: held_out_count(count, config.held_out) for name, count in dataset.class_counts().items()},
    )
