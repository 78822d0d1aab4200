"""The Sweep tab's results: the trials table above the plots, kept up to date while a sweep runs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView, QWidget

from studio.core.sweep.events import TrialProgress, TrialStarted
from studio.core.sweep.results import SweepResults, TrialRow
from studio.gui.naming import named
from studio.gui.sweep.plots import SweepPlots
from studio.gui.sweep.trials_model import TrialsModel


class TrialsView(QSplitter):
    """``open_requested(row)`` follows a double-click on a trial."""

    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        named(self, "sweepResultsSplitter", "Trials and plots")
        self.model = TrialsModel(self)
        self.table = named(QTableView(), "sweepTrialsTable", "Trials", "Double-click a trial to open its run.")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.plots = SweepPlots()
        self.addWidget(self.table)
        self.addWidget(self.plots)
        self.table.doubleClicked.connect(self._on_double_click)
        self._current: int | None = None  # the trial training now

    def clear(self) -> None:
        self._current = None
        self.model.set_rows([])
        self.plots.clear()

    def set_live(self, live: bool) -> None:
        """Whether the sweep shown runs now (its RUNNING trial is training, not interrupted)."""
        self.model.set_live(live)
        if not live:
            self._current = None

    def show_results(self, results: SweepResults) -> None:
        """Redraw from the folder; while a trial trains, its row stays even if the journal lags behind."""
        rows = list(results.trials)
        if self._current is not None:
            known = {row.number for row in rows}
            rows += [row for row in self.model.rows if row.number not in known]
        self.model.set_rows(sorted(rows, key=lambda row: row.number))
        self.plots.show_results(results)
        if self._current is not None:
            self.plots.trial_started(self._current)

    def trial_started(self, event: TrialStarted, earlier: list[TrialRow]) -> None:
        """A trial starts (or continues, with its curve so far from ``earlier``)."""
        self._current = event.number
        curve = next((list(row.curve) for row in earlier if row.number == event.number), [])
        self.model.update_trial(event.number, state="RUNNING", params=dict(event.params), run_path=event.run_path,
                                steps=event.start_step)
        self.plots.trial_started(event.number, curve)

    def trial_progressed(self, event: TrialProgress) -> None:
        if event.fd is not None:
            self.plots.add_measurement(event.number, event.step, event.fd)
            self.model.update_trial(event.number, steps=event.step, value=event.best_fd)

    def trial_finished(self, number: int, **changes) -> None:
        self.model.update_trial(number, **changes)

    def _on_double_click(self, index) -> None:
        row = self.model.trial(index.row())
        if row is not None:
            self.open_requested.emit(row)
