"""The training worker: runs a core Trainer on its own thread and re-emits its events as signals.

Besides the shared pause, resume and stop, the window steers it while it runs with new preview
noise and a checkpoint on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from studio.core.config import RunConfig
from studio.core.training.events import (CheckpointSaved, Failed, Finished, Paused, QualityMeasured, Recovered,
                                         SamplesReady, Started, StepLogged)
from studio.gui.tasks import EventWorker


class TrainWorker(EventWorker):
    """Trains a new run, or a reopened one to resume; hosted by a ``ThreadHost``. ``paused(event)``
    follows once training has actually stopped stepping after ``pause()``."""

    started = Signal(object)
    step_logged = Signal(object)
    samples_ready = Signal(object)
    checkpoint_saved = Signal(object)
    quality_measured = Signal(object)
    recovered = Signal(object)
    paused = Signal(object)
    finished = Signal(object)
    doing = "Training"

    def __init__(self, config: RunConfig, dataset: Any, resume_path: Path | None = None) -> None:
        super().__init__()
        self.config, self.dataset, self.resume_path = config, dataset, resume_path

    def event_slots(self) -> dict[type, Callable[[Any], None]]:
        return {Started: self.started.emit, StepLogged: self.step_logged.emit, SamplesReady: self.samples_ready.emit,
                CheckpointSaved: self.checkpoint_saved.emit, QualityMeasured: self.quality_measured.emit,
                Recovered: self.recovered.emit, Paused: self.paused.emit, Finished: self.finished.emit,
                Failed: lambda event: self.failed.emit(event.message)}

    def make_job(self, on_event: Callable[[Any], None]) -> Any:
        from studio.core.training.jobs import run_to_train
        from studio.core.training.trainer import Trainer

        return Trainer(run_to_train(self.config, self.dataset, self.resume_path), self.dataset, on_event=on_event)

    def request_preview(self, seed: int) -> None:
        self.call(lambda trainer: trainer.request_preview(seed))

    def request_checkpoint(self) -> None:
        self.call(lambda trainer: trainer.request_checkpoint())
