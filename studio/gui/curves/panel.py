"""Live training curves: G and D losses in one plot, D(x) and D(G(z)) in another, with smoothing,
and the quality metric (FD, titled with its feature space and sample count) when the run measures it.

Built to stay fluid for 100k+ logged steps: one PlotDataItem per curve fed from growing numpy
buffers, drawn by the studio's live plot rules (``studio.gui.widgets.plot_style``: ranges that move in
steps, thin pens, no grid), and redrawn at most a few times a second.
"""

from collections.abc import Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt import QLabeledSlider
from superqt.utils import qthrottled

from studio.core.config import ADVERSARIAL
from studio.core.errors import StudioError
from studio.core.evaluation.vocabulary import FD_CURVE, LOSSES, PLOT_TITLES, QUALITY, SCORES, Evaluation, curves
from studio.gui.naming import named
from studio.gui.widgets.plot_style import SteppedRanges, live_curve, live_plot, pen

ALL_CURVES = curves(ADVERSARIAL)  # a GAN logs every field; other kinds name some of them otherwise
REDRAW_MS = 200


class GrowingBuffer:
    """Columns of float64 that grow by doubling, so appending one row is O(1) amortised."""

    def __init__(self, names: Iterable[str], capacity: int = 1024) -> None:
        self.names = ("step", *names)
        self._data = np.zeros((len(self.names), capacity))
        self.size = 0

    def append(self, row: Mapping[str, float]) -> None:
        if self.size == self._data.shape[1]:
            self._data = np.concatenate([self._data, np.zeros_like(self._data)], axis=1)
        self._data[:, self.size] = [float(row.get(name, np.nan)) for name in self.names]
        self.size += 1

    def column(self, name: str) -> np.ndarray:
        return self._data[self.names.index(name), : self.size]

    def clear(self) -> None:
        self.size = 0

    def truncate(self, last_step: float) -> None:
        """Keep only rows whose step is at most ``last_step`` (steps are logged in order)."""
        self.size = int(np.searchsorted(self.column("step"), last_step, side="right"))


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points (fewer at the start), via one cumulative sum."""
    if window <= 1 or values.size == 0:
        return values
    sums = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(values.size)
    low = np.maximum(0, index + 1 - window)
    return (sums[index + 1] - sums[low]) / (index + 1 - low)


def _plot(title: str, y_label: str) -> pg.PlotWidget:
    plot = live_plot(title, y_label, "step")
    plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(240, 240, 240, 210), pen=pen("#cccccc"))
    return plot


class CurvesPanel(QWidget):
    """Plots every StepLogged event; ``append`` is cheap, drawing happens on a throttle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curvesPanel")
        self._buffer = GrowingBuffer(curve.key for curve in ALL_CURVES)
        titles = PLOT_TITLES[ADVERSARIAL]
        self.loss_plot = named(_plot(titles[LOSSES], "loss"), "lossPlot", "Loss curves")
        self.score_plot = named(_plot(titles[SCORES], "D output"), "scorePlot", "Discriminator score curves")
        self.score_plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=pen("#888888", Qt.PenStyle.DashLine)))
        self.score_plot.setXLink(self.loss_plot)
        self._quality = GrowingBuffer((FD_CURVE.key,))
        self.quality_plot = named(_plot(titles[QUALITY], FD_CURVE.label), "qualityPlot", "Quality metric curve")
        self.quality_plot.setXLink(self.loss_plot)
        self._fd_curve = live_curve(self.quality_plot, FD_CURVE.colour, FD_CURVE.label)
        self._fd_curve.setSymbol("o")
        self._fd_curve.setSymbolSize(5)
        plots = {LOSSES: self.loss_plot, SCORES: self.score_plot}
        self._curves = {curve.key: live_curve(plots[curve.plot], curve.colour, curve.label) for curve in ALL_CURVES}
        self._ranges = SteppedRanges((self.loss_plot, self.score_plot, self.quality_plot), self)
        self._ranges.hold_y(self.score_plot, 0.0, 1.0)

        self.smoothing = named(QLabeledSlider(Qt.Orientation.Horizontal), "smoothingSlider", "Curve smoothing",
                               "Average each curve over this many logged points.")
        for part in self.smoothing.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            named(part, f"smoothingSlider{type(part).__name__}", "Curve smoothing")
        self.smoothing.setRange(1, 200)
        self.smoothing.setValue(1)
        self.smoothing.valueChanged.connect(self._redraw)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Smoothing"))
        controls.addWidget(self.smoothing, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.score_plot)
        plots.addWidget(self.quality_plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(plots, 1)
        layout.addLayout(controls)

        self._schedule_redraw = qthrottled(self._redraw, timeout=REDRAW_MS, leading=False)

    def set_model_kind(self, kind: str) -> None:
        """Name the curves and plots after what the model logs (a VAE logs reconstruction and KL)."""
        labels = {curve.key: curve.label for curve in curves(kind)}
        for plot in (self.loss_plot, self.score_plot):
            legend = plot.getPlotItem().legend
            for curve in ALL_CURVES:
                if curve.plot == (LOSSES if plot is self.loss_plot else SCORES):
                    legend.getLabel(self._curves[curve.key]).setText(labels.get(curve.key, curve.label))
        self.loss_plot.setTitle(PLOT_TITLES[kind][LOSSES])
        self.score_plot.setTitle(PLOT_TITLES[kind][SCORES])

    def point_count(self) -> int:
        return self._buffer.size

    def append(self, row: Mapping[str, float]) -> None:
        """Add one logged step (a StepLogged event's fields or a metrics.jsonl row, losses or quality)."""
        self._add(row)
        self._schedule_redraw()

    def _add(self, row: Mapping[str, float]) -> None:
        if row.get("kind") == "eval":
            try:
                evaluation = Evaluation.from_record(row)
            except StudioError:
                return  # a damaged record is left out, as the report leaves it out
            self._quality.append({"step": evaluation.step, FD_CURVE.key: evaluation.fd})
            self.quality_plot.setTitle(f"{FD_CURVE.label} · {evaluation.describe()}")
        else:
            self._buffer.append(row)

    def set_history(self, rows: Iterable[Mapping[str, float]]) -> None:
        """Replace everything with a run's logged metrics (when a run is reopened)."""
        self.clear()
        for row in rows:
            self._add(row)
        self._redraw()

    def truncate(self, last_step: int) -> None:
        """Drop points after ``last_step``: a resumed run logs those steps again."""
        self._buffer.truncate(last_step)
        self._quality.truncate(last_step)
        self._redraw()

    def clear(self) -> None:
        self._buffer.clear()
        self._quality.clear()
        self.quality_plot.setTitle(PLOT_TITLES[ADVERSARIAL][QUALITY])
        self._redraw()

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) arrays a curve holds, after smoothing (before clipping and downsampling for display)."""
        x, y = self._curves[name].getOriginalDataset()
        return (np.array([]) if x is None else x), (np.array([]) if y is None else y)

    def _redraw(self) -> None:
        steps = self._buffer.column("step")
        window = self.smoothing.value()
        shown: dict[str, list[np.ndarray]] = {LOSSES: [], SCORES: []}
        for curve in ALL_CURVES:
            values = moving_average(self._buffer.column(curve.key), window)
            self._curves[curve.key].setData(steps, values)
            shown[curve.plot].append(values)
        quality_steps, fd = self._quality.column("step"), self._quality.column(FD_CURVE.key)
        self._fd_curve.setData(quality_steps, fd)
        last_step = max(steps[-1] if steps.size else 0.0, quality_steps[-1] if quality_steps.size else 0.0)
        self._ranges.fit_x(self.loss_plot, last_step)
        self._ranges.fit_y(self.loss_plot, shown[LOSSES])
        self._ranges.fit_y(self.quality_plot, [fd])
