"""The training panel's estimate of the time to a first recognisable grid, kept up to date off the GUI thread.

Each change of the settings asks for a new estimate; requests are debounced, a measurement for
settings that were changed meanwhile is ignored (the latest request wins), and nothing is measured
while training runs, so the warm-up never competes with a run for the CPU.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from superqt.utils import qdebounced

from studio.core.config import RunConfig
from studio.core.training.outlook import Outlook, measure_outlook
from studio.gui.tasks import Task, ThreadHost

DEBOUNCE_MS = 800


class OutlookService(QObject):
    """Emits ``changed(text)``: the estimate in one sentence, "Measuring…", or "" when none applies."""

    changed = Signal(str)

    def __init__(self, threads: ThreadHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads = threads
        self._task: Task | None = None
        self._wanted: tuple[str, int] | None = None
        self._shown: tuple[str, int] | None = None
        self._measure_later = qdebounced(self._measure, timeout=DEBOUNCE_MS, parent=self)

    def request(self, config: RunConfig, num_classes: int) -> None:
        """Estimate for a new run of ``config`` on a dataset of ``num_classes`` classes (once, per settings)."""
        wanted = (config.to_json(), num_classes)
        if wanted in (self._wanted, self._shown):
            return
        self._wanted = wanted
        self._cancel_running()
        self.changed.emit("Measuring the training speed…")
        self._measure_later()

    def clear(self) -> None:
        """No estimate applies (training, an opened run, no dataset); stop any measurement."""
        self._measure_later.cancel()
        self._cancel_running()
        self._wanted = self._shown = None
        self.changed.emit("")

    def _measure(self) -> None:
        if self._wanted is None:
            return
        wanted = self._wanted
        config = RunConfig.from_json(wanted[0])
        self._task = self.threads.run(measure_outlook, config, wanted[1], doing="Measuring the training speed",
                                      on_result=self._on_measured, on_error=self._on_failed)

    @Slot(object)
    def _on_measured(self, outlook: Outlook) -> None:
        self._show(outlook.describe())

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        """A settings problem the Train button already names (say, too few classes): no estimate."""
        self._show("")

    def _show(self, sentence: str) -> None:
        """Show what the latest measurement found; one for settings changed meanwhile is ignored."""
        if self.sender() is not self._task:
            return
        self._task, self._shown, self._wanted = None, self._wanted, None
        self.changed.emit(sentence)

    def _cancel_running(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
