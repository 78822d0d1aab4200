"""The training worker: runs a core Trainer on its own thread and re-emits its events as signals.

It is the one long job that is more than the generic task runner: the window steers it while it
runs (pause, resume, stop, new preview noise, a checkpoint on demand).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from studio.core.config import RunConfig
from studio.core.training.events import (CheckpointSaved, Failed, Finished, QualityMeasured, Recovered, SamplesReady,
                                         Started, StepLogged)
from studio.gui.tasks import analyst_message


def gui_share_of_threads(threads: int) -> int:
    """Intra-op threads for training while the window is open: one core fewer from three cores up.

    With every core in torch's thread team, the GUI thread can only run by taking a core from a team
    thread that the others then wait for, so the window stutters when the machine is busy. On two
    cores, though, giving one up cost 30-44% of training speed on an idle machine (where the window
    already stayed under 16 ms at the 99th percentile), and training speed is what the analyst
    feels most: two cores keep both.
    """
    return threads - 1 if threads >= 3 else threads


class TrainWorker(QObject):
    """Trains a new run, or a reopened one to resume; hosted by a ``ThreadHost``.

    ``pause``, ``resume``, ``stop``, ``request_preview`` and ``request_checkpoint`` call the
    trainer's thread-safe methods directly (the worker's own thread is busy training, so a queued
    slot would only run afterwards). Requests made before the trainer exists are remembered and
    applied as soon as it does.
    """

    started = Signal(object)
    step_logged = Signal(object)
    samples_ready = Signal(object)
    checkpoint_saved = Signal(object)
    quality_measured = Signal(object)
    recovered = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()
    doing = "Training"

    def __init__(self, config: RunConfig, dataset: Any, resume_path: Path | None = None) -> None:
        super().__init__()
        self.config, self.dataset, self.resume_path = config, dataset, resume_path
        self._lock = threading.Lock()
        self._trainer: Any = None
        self._pending: list[Callable[[Any], None]] = []
        self._signals = {Started: self.started, StepLogged: self.step_logged, SamplesReady: self.samples_ready,
                         CheckpointSaved: self.checkpoint_saved, QualityMeasured: self.quality_measured,
                         Recovered: self.recovered, Finished: self.finished}

    @Slot()
    def run(self) -> None:
        try:
            self._train()
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI as a sentence
            self.failed.emit(analyst_message(error, self.doing))
        finally:
            self.done.emit()

    def _train(self) -> None:
        from studio.core.training.jobs import run_to_train
        from studio.core.training.trainer import Trainer

        self._train_with(Trainer(run_to_train(self.config, self.dataset, self.resume_path), self.dataset, on_event=self._on_event))

    def _train_with(self, trainer: Any) -> None:
        """Run ``trainer`` with the requests made before it existed, on the window's share of the threads."""
        import torch

        with self._lock:
            self._trainer = trainer
            pending, self._pending = self._pending, []
        for call in pending:
            call(trainer)
        threads = torch.get_num_threads()
        torch.set_num_threads(gui_share_of_threads(threads))
        try:
            trainer.run()
        finally:
            torch.set_num_threads(threads)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, Failed):
            self.failed.emit(event.message)
            return
        self._signals[type(event)].emit(event)

    def _call(self, action: Callable[[Any], None]) -> None:
        with self._lock:
            if self._trainer is None:
                self._pending.append(action)
                return
            trainer = self._trainer
        action(trainer)

    def pause(self) -> None:
        self._call(lambda trainer: trainer.pause())

    def resume(self) -> None:
        self._call(lambda trainer: trainer.resume())

    def stop(self) -> None:
        """Stop soon and save a checkpoint; ``finished`` follows."""
        self._call(lambda trainer: trainer.stop())

    cancel = stop

    def request_preview(self, seed: int) -> None:
        self._call(lambda trainer: trainer.request_preview(seed))

    def request_checkpoint(self) -> None:
        self._call(lambda trainer: trainer.request_checkpoint())
