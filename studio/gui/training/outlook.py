"""The training panel's estimate of the time to a first recognisable grid, kept up to date off the GUI thread.

Each change of the settings asks for a new estimate; requests are debounced, a measurement for
settings that were changed meanwhile is ignored (the latest request wins), and nothing is measured
while training runs, so the warm-up never competes with a run for the CPU.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from superqt.utils import qdebounced

from studio.core.config import RunConfig
from studio.core.training.outlook import measure_outlook
from studio.gui.tasks import JobSlots, ThreadHost

DEBOUNCE_MS = 800


class OutlookService(QObject):
    """Emits ``changed(text)``: the estimate in one sentence, "Measuring…", or "" when none applies."""

    changed = Signal(str)

    def __init__(self, threads: ThreadHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = JobSlots(threads, self)
        self._wanted: tuple[str, int] | None = None
        self._shown: tuple[str, int] | None = None
        self._measure_later = qdebounced(self._measure, timeout=DEBOUNCE_MS, parent=self)

    def request(self, config: RunConfig, num_classes: int) -> None:
        """Estimate for a new run of ``config`` on a dataset of ``num_classes`` classes (once, per settings)."""
        wanted = (config.to_json(), num_classes)
        if wanted in (self._wanted, self._shown):
            return
        self._wanted = wanted
        self._jobs.forget("measure")
        self.changed.emit("Measuring the training speed…")
        self._measure_later()

    def clear(self) -> None:
        """No estimate applies (training, an opened run, no dataset); stop any measurement."""
        self._measure_later.cancel()
        self._jobs.forget("measure")
        self._wanted = self._shown = None
        self.changed.emit("")

    def _measure(self) -> None:
        if self._wanted is None:
            return
        wanted = self._wanted
        config = RunConfig.from_json(wanted[0])
        # a settings problem the Train button already names (say, too few classes) gives no estimate
        self._jobs.start("measure", measure_outlook, config, wanted[1], doing="Measuring the training speed",
                         on_result=lambda outlook: self._show(outlook.describe()), on_error=lambda _: self._show(""))

    def _show(self, sentence: str) -> None:
        """Show what the latest measurement found (one for settings changed meanwhile never gets here)."""
        self._shown, self._wanted = self._wanted, None
        self.changed.emit(sentence)
