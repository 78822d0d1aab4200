"""Live plots keep their axes still between steps (so redraws stay cheap) and still show every point;
a user who zooms keeps the zoom until they press the plot's auto-range button."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from studio.gui.curves.panel import CurvesPanel
from studio.gui.widgets.plot_style import SteppedRanges, live_plot, x_range_end, y_range


def test_the_x_range_ends_at_the_next_one_two_three_or_five():
    assert [x_range_end(last) for last in (0, 7, 10, 11, 250, 2001, 4990, 5000, 5001)] == \
        [1, 10, 10, 20, 300, 3000, 5000, 5000, 10_000]


@pytest.mark.parametrize("low, high", [(0.61, 3.2), (-2.0, 0.01), (1.0, 1.0), (1e-3, 2e-3), (120.0, 950.0)])
def test_the_y_range_holds_the_data_with_room_to_spare(low, high):
    bottom, top = y_range(low, high)
    assert bottom < low and top > high
    assert top - bottom <= 30 * max(high - low, abs(high) * 0.1, 1e-12)


def shown_panel(qtbot) -> CurvesPanel:
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(1200, 260)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_a_five_thousand_step_run_moves_the_axes_a_few_times_and_shows_every_point(qtbot):
    panel = shown_panel(qtbot)
    view = panel.loss_plot.getViewBox()
    moves = []
    view.sigRangeChanged.connect(lambda _, ranges: moves.append(ranges))
    rng = np.random.default_rng(0)
    for step in range(10, 5001, 10):
        loss = 1 + 3 * np.exp(-step / 500) + rng.normal(0, 0.1)
        panel.append({"step": step, "g_loss": loss, "d_loss": 1.0, "d_real": 0.6, "d_fake": 0.4})
        panel.truncate(step)  # drops nothing and redraws at once (the redraw the throttle runs a moment later)
        (x_low, x_high), (y_low, y_high) = view.viewRange()
        assert x_low <= 10 and x_high >= step and y_low < min(loss, 1.0) and y_high > loss
    assert 3 <= len(moves) <= 25, f"the axes moved {len(moves)} times in 500 redraws"


def wheel(widget, steps: int) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (positive zooms in)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget.viewport(), event)


def test_a_zoom_is_kept_until_the_auto_range_button_is_pressed(qtbot):
    plot = live_plot("Losses", "loss", "step")
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    qtbot.waitExposed(plot)
    ranges = SteppedRanges([plot])
    curve = plot.plot(np.arange(100.0), np.linspace(1.0, 2.0, 100))
    ranges.fit_x(plot, 99)
    ranges.fit_y(plot, [curve.getOriginalDataset()[1]])
    assert plot.getViewBox().viewRange()[0] == [0.0, 100.0]

    wheel(plot, 3)
    zoomed = plot.getViewBox().viewRange()
    assert zoomed[0][1] - zoomed[0][0] < 90, "the wheel did not zoom"
    ranges.fit_x(plot, 250)
    assert plot.getViewBox().viewRange() == zoomed and not ranges.following

    plot.getPlotItem().autoBtnClicked()
    assert ranges.following and plot.getViewBox().viewRange()[0] == [0.0, 300.0]
    assert not any(plot.getViewBox().autoRangeEnabled())


def test_the_linked_plots_follow_the_x_range_and_still_zoom_together(qtbot):
    panel = shown_panel(qtbot)
    plots = (panel.loss_plot, panel.score_plot, panel.quality_plot)
    for step in range(10, 1011, 10):
        panel.append({"step": step, "g_loss": 1.0, "d_loss": 1.0, "d_real": 0.6, "d_fake": 0.4})
    panel.truncate(1010)
    qtbot.waitUntil(lambda: all(plot.getViewBox().viewRange()[0] == [0.0, 2000.0] for plot in plots), timeout=2000)

    wheel(panel.score_plot, 3)
    zoomed = panel.score_plot.getViewBox().viewRange()[0]
    assert zoomed[1] - zoomed[0] < 1800, "the wheel did not zoom"
    assert all(plot.getViewBox().viewRange()[0] == zoomed for plot in plots)
