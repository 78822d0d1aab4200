"""The sweep worker: runs a core SweepRunner on its own thread and re-emits its events as signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from studio.core.sweep.events import (SweepFinished, SweepStarted, TrialFinished, TrialProgress, TrialStarted,
                                      TrialTrainingEvent)
from studio.core.training.events import Paused
from studio.gui.tasks import EventWorker


class SweepWorker(EventWorker):
    """Runs the sweep in ``folder`` on ``dataset`` (with the ``changed`` spec the runner writes first);
    hosted by a ``ThreadHost``. A stop leaves the sweep resumable and ``sweep_finished`` follows. Of a
    trial's own training events only one is shown: ``trial_paused(number)`` once its training holds
    after ``pause()``."""

    sweep_started = Signal(object)
    trial_started = Signal(object)
    trial_progress = Signal(object)
    trial_finished = Signal(object)
    sweep_finished = Signal(object)
    trial_paused = Signal(int)
    doing = "The sweep"

    def __init__(self, folder: Path, dataset: Any, train_trial: Any = None, changed: Any = None) -> None:
        super().__init__()
        self.folder, self.dataset, self.train_trial, self.changed = Path(folder), dataset, train_trial, changed

    def event_slots(self) -> dict[type, Callable[[Any], None]]:
        return {SweepStarted: self.sweep_started.emit, TrialStarted: self.trial_started.emit,
                TrialProgress: self.trial_progress.emit, TrialFinished: self.trial_finished.emit,
                SweepFinished: self.sweep_finished.emit, TrialTrainingEvent: self._on_training_event}

    def _on_training_event(self, event: TrialTrainingEvent) -> None:
        if isinstance(event.event, Paused):
            self.trial_paused.emit(event.number)

    def make_job(self, on_event: Callable[[Any], None]) -> Any:
        from studio.core.sweep.runner import SweepRunner

        return SweepRunner(self.folder, self.dataset, on_event, self.train_trial, self.changed)
