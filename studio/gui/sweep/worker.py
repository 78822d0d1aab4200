"""The sweep worker: runs a core SweepRunner on its own thread and re-emits its events as signals."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from studio.core.sweep.events import SweepFinished, SweepStarted, TrialFinished, TrialProgress, TrialStarted
from studio.gui.tasks import analyst_message
from studio.gui.training.worker import gui_share_of_threads


class SweepWorker(QObject):
    """Runs the sweep in ``folder`` on ``dataset`` (with the ``changed`` spec the runner writes first);
    hosted by a ``ThreadHost``.

    ``pause``, ``resume`` and ``stop`` call the runner's thread-safe methods directly (the worker's
    thread is busy running trials, so a queued slot would only run afterwards); a stop asked for
    before the runner exists is remembered.
    """

    sweep_started = Signal(object)
    trial_started = Signal(object)
    trial_progress = Signal(object)
    trial_finished = Signal(object)
    sweep_finished = Signal(object)
    failed = Signal(str)
    done = Signal()
    doing = "The sweep"

    def __init__(self, folder: Path, dataset: Any, train_trial: Any = None, changed: Any = None) -> None:
        super().__init__()
        from studio.core.sweep.runner import SweepRunner

        self.folder = Path(folder)
        # not named ``runner``: the ThreadHost moves a job's ``runner`` to the thread
        self.sweep = SweepRunner(self.folder, dataset, self._on_event, train_trial, changed)
        self._signals = {SweepStarted: self.sweep_started, TrialStarted: self.trial_started,
                         TrialProgress: self.trial_progress, TrialFinished: self.trial_finished,
                         SweepFinished: self.sweep_finished}
        self._lock = threading.Lock()

    @Slot()
    def run(self) -> None:
        try:
            import torch

            threads = torch.get_num_threads()
            torch.set_num_threads(gui_share_of_threads(threads))
            try:
                self.sweep.run()
            finally:
                torch.set_num_threads(threads)
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI as a sentence
            self.failed.emit(analyst_message(error, self.doing))
        finally:
            self.done.emit()

    def _on_event(self, event: Any) -> None:
        signal = self._signals.get(type(event))
        if signal is not None:  # a trial's own training events are not shown here
            signal.emit(event)

    def pause(self) -> None:
        self.sweep.pause()

    def resume(self) -> None:
        self.sweep.resume()

    def stop(self) -> None:
        """Stop after the current step; the sweep stays resumable and ``sweep_finished`` follows."""
        self.sweep.stop()

    cancel = stop
