"""The sweep running on its worker thread, as the Sweep tab sees it: the worker, whether it is paused,
the trial training now and the status line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from superqt.utils import qthrottled

from studio.core.sweep.events import SweepFinished, SweepStarted, TrialProgress, TrialStarted
from studio.core.sweep.results import SweepResults
from studio.gui.formatting import format_duration
from studio.gui.sweep.worker import SweepWorker
from studio.gui.tasks import ThreadHost

STATUS_MS = 200


class RunningSweep(QObject):
    """Starts one run of a sweep (``start`` returns its worker, whose trial events the tab shows) and says
    ``status(text)`` (throttled) while it runs and, once its thread has ended, ``ended(SweepFinished or None)``."""

    status = Signal(str)
    ended = Signal(object)

    def __init__(self, threads: ThreadHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads = threads
        self.worker: SweepWorker | None = None
        self.results: SweepResults | None = None  # the latest read, for the status line
        self._current: TrialProgress | None = None
        self._finished: SweepFinished | None = None
        self._budget = 0
        self._started_at = 0.0
        self._steps = 0

    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def paused(self) -> bool:
        return self.worker is not None and self.worker.holding

    @property
    def current(self) -> int | None:
        """The number of the trial training now."""
        return self._current.number if self._current is not None else None

    def start(self, folder: Path, dataset: Any, steps: int, train_trial: Any = None, changed: Any = None) -> SweepWorker:
        worker = SweepWorker(folder, dataset, train_trial, changed)
        worker.sweep_started.connect(self._on_sweep_started)
        worker.trial_started.connect(self._on_trial_started)
        worker.trial_progress.connect(self._on_progress)
        worker.sweep_finished.connect(self._on_sweep_finished)
        worker.done.connect(self._on_done)  # a bound slot: queued to the GUI thread (a lambda would run on the worker's)
        self.worker, self._current, self._finished = worker, None, None
        self._started_at, self._steps = time.monotonic(), steps
        self.status.emit("Starting the sweep…")
        return self._threads.start(worker)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        self.worker.toggle_pause()
        self._show_status()

    def stop(self) -> None:
        if self.worker is None:
            return
        self.worker.stop()
        self.status.emit("Stopping after the current step…")

    def _on_sweep_started(self, event: SweepStarted) -> None:
        self._budget = event.trials_total

    def _on_trial_started(self, event: TrialStarted) -> None:
        self._current = TrialProgress(event.number, event.start_step, self._steps)
        self._show_status()

    def _on_progress(self, event: TrialProgress) -> None:
        self._current = event
        self._show_status()

    def _on_sweep_finished(self, event: SweepFinished) -> None:
        self._finished = event

    def _on_done(self) -> None:
        finished = self._finished
        self.worker, self._current, self._finished = None, None, None
        self.ended.emit(finished)

    @qthrottled(timeout=STATUS_MS)
    def _show_status(self) -> None:
        if self.worker is None:
            return
        current, results = self._current, self.results
        done = results.counted if results is not None else 0
        parts = []
        if current is not None:
            parts.append(f"Trial {current.number}" + (f" ({done + 1} of {self._budget})" if self._budget else ""))
            parts.append(f"step {current.step:,}/{current.total_steps:,}")
        parts.append(f"{format_duration(time.monotonic() - self._started_at)} elapsed")
        if results is not None and results.best is not None:
            parts.append(f"best FD {results.best.value:.4g} (trial {results.best.number})")
        if self.paused:
            parts.append("paused")
        self.status.emit(" · ".join(parts))
