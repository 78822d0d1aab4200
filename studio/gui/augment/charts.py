"""The usefulness check's two charts: accuracy of the five ways (mean with the spread over seeds) and
recall per class of the ways that matter for rare classes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

WAY_COLOURS = {"real": "#7f8c8d", "synthetic": "#e67e22", "mixed": "#2e86de", "oversampled": "#16a085",
               "flip_crop": "#8e44ad"}
RECALL_NAMES = {"real": "Real only", "mixed": "Real + synthetic", "oversampled": "Rare classes repeated"}
PERCENT_TICKS = [(value, f"{value:.0%}") for value in (0.0, 0.25, 0.5, 0.75, 1.0)]
RARE_MARK = " (rare)"


class AccuracyChart(pg.PlotWidget):
    """One horizontal bar per way, the first way on top, with the spread over seeds as whiskers."""

    def __init__(self) -> None:
        super().__init__(background=None)
        _style(self, "Accuracy on real test images")
        self.bars: pg.BarGraphItem | None = None
        self.getAxis("bottom").setTicks([PERCENT_TICKS])
        self.setXRange(0, 1.08, padding=0)

    def show_result(self, result) -> None:
        self.clear()
        ways = result.ways
        rows = np.arange(len(ways))[::-1].astype(float)
        means = np.array([way.accuracy_mean for way in ways])
        spreads = np.array([way.accuracy_std for way in ways])
        self.bars = pg.BarGraphItem(x0=0, width=means, y=rows, height=0.6, pen=pg.mkPen(None),
                                    brushes=[pg.mkBrush(WAY_COLOURS[way.way]) for way in ways])
        self.addItem(self.bars)
        self.addItem(pg.ErrorBarItem(x=means, y=rows, left=spreads, right=spreads, beam=0.2,
                                     pen=pg.mkPen("#333333", width=1)))
        for row, mean, spread in zip(rows, means, spreads):
            label = pg.TextItem(f"{mean:.0%}" + (f" ± {spread:.0%}" if len(ways[0].accuracy) > 1 else ""),
                                color="#222222", anchor=(0, 0.5))
            label.setPos(min(mean + spread, 1.0) + 0.01, row)
            self.addItem(label)
        self.getAxis("left").setTicks([[(row, way.label) for row, way in zip(rows, ways)]])
        self.setXRange(0, 1.18, padding=0)
        self.setYRange(-0.5, len(ways) - 0.5, padding=0.02)

    def clear(self) -> None:
        self.getPlotItem().clear()
        self.bars = None
        self.getAxis("left").setTicks([[]])


class RecallChart(pg.PlotWidget):
    """Grouped bars: per class, the recall of real only, real + synthetic and rare classes repeated."""

    def __init__(self) -> None:
        super().__init__(background=None)
        _style(self, "Recall per class")
        self.bars: list[pg.BarGraphItem] = []
        self.getAxis("left").setTicks([PERCENT_TICKS])
        self.setYRange(0, 1.05, padding=0)

    def show_result(self, result) -> None:
        self.clear()
        shown = [result.way(name) for name in RECALL_NAMES]
        classes = len(result.class_names)
        width = 0.8 / len(shown)
        for offset, way in enumerate(shown):
            recall = np.nan_to_num(np.array(way.class_recall(), dtype=float), nan=0.0)
            centres = np.arange(classes) - 0.4 + width * (offset + 0.5)
            bars = pg.BarGraphItem(x=centres, height=recall, width=width * 0.92, brush=pg.mkBrush(WAY_COLOURS[way.way]),
                                   pen=pg.mkPen(None), name=RECALL_NAMES[way.way])
            self.addItem(bars)
            self.bars.append(bars)
        rare = set(result.rare_classes)
        self.getAxis("bottom").setTicks([[(index, name + (RARE_MARK if index in rare else ""))
                                          for index, name in enumerate(result.class_names)]])
        self.setXRange(-0.6, classes - 0.4, padding=0)
        self.setYRange(0, 1.05, padding=0)

    def clear(self) -> None:
        self.getPlotItem().clear()
        self.bars = []
        self.getAxis("bottom").setTicks([[]])


def recall_legend_html() -> str:
    """The recall chart's legend as a line of text that wraps on a narrow panel (a legend inside the plot hid bars)."""
    return "&nbsp;&nbsp; ".join(f'<span style="color:{WAY_COLOURS[way]}">■</span>&nbsp;{name.replace(" ", "&nbsp;")}'
                                for way, name in RECALL_NAMES.items())


def _style(plot: pg.PlotWidget, title: str) -> None:
    plot.setTitle(title, size="10pt", color="#222222")
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumHeight(190)
    plot.setMaximumHeight(280)
    for name in ("left", "bottom"):
        plot.getAxis(name).setTextPen(pg.mkPen("#333333"))
        plot.getAxis(name).setPen(pg.mkPen("#999999"))
    plot.getPlotItem().getViewBox().setBackgroundColor(None)
    plot.setCursor(Qt.CursorShape.ArrowCursor)
