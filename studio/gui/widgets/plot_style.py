"""How the studio draws a plot that updates while something trains: written once, for the training
curves and the sweep's plots alike, because each redraw is time taken from the window.

The rules, each measured on a 1400 px wide window:
- no grid lines: pyqtgraph's grid made each redraw about 5× slower (25 ms against 5 ms);
- 1 px pens: Qt strokes wider pens segment by segment, the largest single cost of a redraw with four
  curves;
- curves clipped to the view and peak-downsampled, so 100k points draw like a few thousand;
- no auto-range: an auto-ranged axis moves with every new point, and each move regenerates its ticks
  and labels (24-35 ms a redraw for the three training plots). ``SteppedRanges`` moves the ranges in
  steps instead (x to 1, 2, 3 or 5 × 10^k, y to rounded bounds), so the axes are redrawn a few times
  in a whole run. A plot redrawn once in a while (after each sweep trial) may keep pyqtgraph's
  auto-range;
- x-linked plots move one per event-loop pass: a move regenerates that plot's ticks and repaints it
  (5-10 ms each), and three plots moved in one pass held the window 30-50 ms while it trained.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QPen

X_STEPS = (1, 2, 3, 5, 10)  # the x range ends at one of these times a power of ten
MARGIN = 0.1  # data closer than this share of a y unit to the range's edge gets one more unit


def live_plot(title: str, left: str, bottom: str, log_y: bool = False, min_height: int = 140) -> pg.PlotWidget:
    """A plot on the window's own background, without grid lines; ``log_y`` for values that span
    orders of magnitude (FD)."""
    plot = pg.PlotWidget(background=None)
    plot.setTitle(title)
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.setLogMode(y=log_y)
    plot.setMinimumHeight(min_height)
    return plot


def pen(colour: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """The one pen width for lines on a live plot: 1 px."""
    return pg.mkPen(colour, width=1, style=style)


def live_curve(plot: pg.PlotWidget, colour: str, name: str | None = None,
               style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> pg.PlotDataItem:
    """A curve that stays cheap to redraw however long it grows."""
    item = plot.plot(name=name, pen=pen(colour, style))
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    return item


def x_range_end(last: float) -> float:
    """Where the x range ends for data reaching ``last``: the next 1, 2, 3 or 5 × 10^k."""
    if not math.isfinite(last) or last <= 1:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(last))
    return next(step * decade for step in X_STEPS if step * decade >= last * (1 - 1e-12))


def y_range(low: float, high: float) -> tuple[float, float]:
    """Bounds around ``low``..``high`` rounded out to a unit of half a power of ten of their span, so they
    change only when the data leave them (or shrink to a tenth)."""
    span = high - low
    if span <= 0:
        span = max(abs(high), 1.0) * 0.1
    unit = 10.0 ** math.floor(math.log10(span)) / 2
    bottom, top = math.floor(low / unit) * unit, math.ceil(high / unit) * unit
    if low - bottom < MARGIN * unit:
        bottom -= unit
    if top - high < MARGIN * unit:
        top += unit
    return bottom, top


def finite_bounds(arrays: Iterable[np.ndarray], log: bool = False) -> tuple[float, float] | None:
    """The smallest and largest finite value in ``arrays`` (their log10 for a log axis), or None."""
    lows, highs = [], []
    for values in arrays:
        values = np.asarray(values, dtype=float)
        if log:
            values = np.log10(values[values > 0])
        values = values[np.isfinite(values)]
        if values.size:
            lows.append(values.min())
            highs.append(values.max())
    return (min(lows), max(highs)) if lows else None


class SteppedRanges(QObject):
    """Keeps a group of plots (say, x-linked ones) on their data with ranges that move in steps.

    When the user pans or zooms one of them, the group stops following the data until the plot's
    auto-range button ("A") is pressed.
    """

    def __init__(self, plots: Iterable[pg.PlotWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plots = tuple(plots)
        self._wanted: dict[tuple[pg.PlotWidget, str], tuple[float, float]] = {}
        self._x_queue: list[tuple[pg.PlotWidget, tuple[float, float]]] = []
        self._x_timer = QTimer(self)  # a timer, not a queued call: timers let the window's other work in between
        self._x_timer.setSingleShot(True)
        self._x_timer.setInterval(0)
        self._x_timer.timeout.connect(self._move_next_x)
        self.following = True
        for plot in self._plots:
            plot.getPlotItem().disableAutoRange()
            plot.getPlotItem().sigRangeChangedManually.connect(lambda _, plot=plot: self._moved_by_user(plot))

    def fit_x(self, plot: pg.PlotWidget, last: float) -> None:
        """Show x from 0 to the step after ``last``."""
        self._set(plot, "x", (0.0, x_range_end(last)))

    def hold_y(self, plot: pg.PlotWidget, low: float, high: float) -> None:
        """Show y from ``low`` to ``high`` whatever the data (D outputs lie in 0..1)."""
        self._set(plot, "y", (low, high))

    def fit_y(self, plot: pg.PlotWidget, arrays: Iterable[np.ndarray]) -> None:
        """Show every finite value of ``arrays`` (log10 space when the plot's y axis is logarithmic)."""
        bounds = finite_bounds(arrays, log=plot.getPlotItem().getAxis("left").logMode)
        if bounds is not None:
            self._set(plot, "y", y_range(*bounds))

    def _set(self, plot: pg.PlotWidget, axis: str, wanted: tuple[float, float]) -> None:
        if self._wanted.get((plot, axis)) == wanted:
            return
        self._wanted[(plot, axis)] = wanted
        if self.following:
            self._apply(plot, axis, wanted)

    def _apply(self, plot: pg.PlotWidget, axis: str, wanted: tuple[float, float]) -> None:
        if axis == "x":
            self._move_x(plot, wanted)
        else:
            plot.setYRange(*wanted, padding=0)

    def _move_x(self, plot: pg.PlotWidget, wanted: tuple[float, float]) -> None:
        """Move ``plot`` now and the plots x-linked to it in the next event-loop passes, one a pass (their
        links held meanwhile, so that moving one does not move the others with it)."""
        view = plot.getViewBox()
        followers = [other for other in self._plots if other.getViewBox().linkedView(pg.ViewBox.XAxis) is view]
        if followers:
            self._x_queue = [(follower, wanted) for follower in followers]
            for linked in (plot, *followers):
                linked.getViewBox().blockLink(True)
            self._x_timer.start()
        plot.setXRange(*wanted, padding=0)

    def _move_next_x(self) -> None:
        if not self._x_queue:
            return
        plot, wanted = self._x_queue.pop(0)
        plot.setXRange(*wanted, padding=0)
        if self._x_queue:
            self._x_timer.start()
        else:
            for linked in self._plots:
                linked.getViewBox().blockLink(False)

    def _moved_by_user(self, plot: pg.PlotWidget) -> None:
        """A pan or zoom stops following; the "A" button (auto-range turned on) follows again."""
        item = plot.getPlotItem()
        if not any(item.getViewBox().autoRangeEnabled()):
            self.following = False
            return
        item.disableAutoRange()
        self.following = True
        for (wanted_plot, axis), wanted in self._wanted.items():
            self._apply(wanted_plot, axis, wanted)
