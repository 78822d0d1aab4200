"""The sweep's plots: the optimisation history (each trial's FD and the best so far), every trial's FD
curve (pruned ones dashed and ending in ×, the running one growing live) and the parameter importances."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget
from superqt.utils import qthrottled

from studio.core.sweep.events import PRUNED
from studio.core.sweep.results import SweepResults
from studio.gui.naming import named
from studio.gui.widgets.plot_style import SteppedRanges, live_curve, live_plot, pen

REDRAW_MS = 250
COMPLETE_PEN, PRUNED_PEN = pen("#1f77b4"), pen("#b0b0b0", Qt.PenStyle.DashLine)
FAILED_PEN = pen("#c62828", Qt.PenStyle.DotLine)
RUNNING_PEN = pen("#e67e22")
BEST_PEN = pen("#2e7d32")


def _plot(object_name: str, title: str, left: str, bottom: str, log_y: bool = False) -> pg.PlotWidget:
    """A plot; ``log_y`` for FD, whose trials span orders of magnitude (a diverged one would flatten the rest)."""
    return named(live_plot(title, left, bottom, log_y=log_y, min_height=170), object_name, title)


class SweepPlots(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = _plot("sweepHistoryPlot", "Optimisation history", "best FD (log scale)", "trial", log_y=True)
        self.trial_points = self.history.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush="#1f77b4",
                                              name="trial")
        self.best_line = self.history.plot([], [], pen=BEST_PEN, stepMode=None, name="best so far")
        self.curves = _plot("sweepCurvesPlot", "FD of every trial", "FD (log scale)", "step", log_y=True)
        self.curve_items: dict[int, pg.PlotDataItem] = {}
        self.pruned_marks = self.curves.plot([], [], pen=None, symbol="x", symbolSize=12,
                                             symbolPen=pen("#c62828"), symbolBrush="#c62828")
        self.importances = _plot("sweepImportancePlot", "What mattered for FD", "", "% of importance")
        self.importance_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush="#1f77b4")
        self.importances.addItem(self.importance_bars)
        self._ranges = SteppedRanges((self.curves,), self)  # the one plot redrawn live; the others once a trial
        self._live: dict[int, list[tuple[int, float]]] = {}
        self._running: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in (self.history, self.curves, self.importances):
            layout.addWidget(plot)

    def clear(self) -> None:
        self.trial_points.setData([], [])
        self.best_line.setData([], [])
        for item in self.curve_items.values():
            self.curves.removeItem(item)
        self.curve_items.clear()
        self.pruned_marks.setData([], [])
        self.importance_bars.setOpts(x0=[], y=[], width=[])
        self.importances.getAxis("left").setTicks([[]])
        self._live.clear()
        self._running = None

    def show_results(self, results: SweepResults) -> None:
        """Redraw everything from what the sweep has found (after each finished trial)."""
        done, history = results.finished_with_value, results.best_line
        self.trial_points.setData([row.number for row in done], [row.value for row in done])
        self.best_line.setData([n for n, _ in history], [v for _, v in history])
        marks = []
        for row in results.trials:
            pen = PRUNED_PEN if row.state == PRUNED else FAILED_PEN if row.state == "FAIL" else COMPLETE_PEN
            self._curve(row.number, [s for s, _ in row.curve], [v for _, v in row.curve], pen)
            self._live[row.number] = list(row.curve)
            if row.state == PRUNED and row.curve:
                marks.append(row.curve[-1])
        self.pruned_marks.setData([s for s, _ in marks], [v for _, v in marks])
        names = list(results.importances)
        self.importance_bars.setOpts(x0=[0] * len(names), y=list(range(len(names))),
                                     width=[100 * results.importances[name] for name in names], height=0.6)
        self.importances.getAxis("left").setTicks([[(index, name) for index, name in enumerate(names)]])
        self.importances.setTitle("What mattered for FD" if names else results.importance_method)

    def _curve(self, number: int, steps: list, values: list, pen) -> None:
        item = self.curve_items.get(number)
        if item is None:
            item = self.curve_items[number] = live_curve(self.curves, "#1f77b4")
        item.setPen(pen)
        item.setData(steps, values)
        data = [item.getOriginalDataset() for item in self.curve_items.values()]
        self._ranges.fit_x(self.curves, max((x.max() for x, _ in data if x is not None and x.size), default=0))
        self._ranges.fit_y(self.curves, [y for _, y in data if y is not None])

    def trial_started(self, number: int, curve: list[tuple[int, float]] | None = None) -> None:
        self._running = number
        self._live[number] = list(curve or self._live.get(number, []))
        self._curve(number, [s for s, _ in self._live[number]], [v for _, v in self._live[number]], RUNNING_PEN)

    def add_measurement(self, number: int, step: int, fd: float) -> None:
        """A new FD of the running trial; the curve redraws a few times a second at most."""
        points = self._live.setdefault(number, [])
        points[:] = [p for p in points if p[0] < step] + [(step, fd)]
        self._redraw_live()

    @qthrottled(timeout=REDRAW_MS)
    def _redraw_live(self) -> None:
        number = self._running
        if number is None or number not in self._live:
            return
        points = self._live[number]
        self._curve(number, [s for s, _ in points], [v for _, v in points], RUNNING_PEN)
