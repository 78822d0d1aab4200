"""The curves stay fast with long runs; the window remembers its layout and last settings."""

import time

import numpy as np

from studio.gui.main_window import MainWindow
from studio.gui.curves.panel import CurvesPanel, GrowingBuffer, moving_average
from tests.gui.helpers import type_into


def test_moving_average_is_a_trailing_mean():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(moving_average(values, 2), [1.0, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(moving_average(values, 1), values)


def test_buffer_grows_and_truncates_in_step_order():
    buffer = GrowingBuffer(["g_loss"], capacity=2)
    for step in range(1, 11):
        buffer.append({"step": step, "g_loss": step / 10})
    assert buffer.size == 10 and buffer.column("step")[-1] == 10
    buffer.truncate(4)
    assert list(buffer.column("step")) == [1, 2, 3, 4]


def test_a_hundred_thousand_points_append_and_redraw_quickly(qtbot):
    panel = CurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    rows = np.random.default_rng(0).normal(1.0, 0.2, (100_000, 4))
    started = time.perf_counter()
    for step, (g, d, real, fake) in enumerate(rows):
        panel.append({"step": step, "g_loss": g, "d_loss": d, "d_real": real, "d_fake": fake})
    appended = time.perf_counter() - started
    panel.smoothing.setValue(50)
    started = time.perf_counter()
    panel.grab()
    redrawn = time.perf_counter() - started
    assert panel.point_count() == 100_000
    assert appended < 5.0 and redrawn < 1.0, (appended, redrawn)
    _, smoothed = panel.curve_data("g_loss")
    assert smoothed.size == 100_000 and smoothed[1000:].std() < rows[1000:, 0].std() / 3


def test_layout_and_last_settings_come_back(open_window, qtbot):
    """The second window is built directly: ``open_window`` would write its own settings first."""
    first = open_window()
    type_into(qtbot, first.training_panel.train_form.editor("lr_d"), "0.0003")
    first.curves_dock.hide()
    first.resize(first.minimumSizeHint().width(), 700)
    first.close()

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.training_panel.train_form.editor("lr_d").text() == "0.0003"
    assert not window.curves_dock.isVisible()
    assert window.height() == 700, "the offscreen screen is 800 px, so only a height that fits is kept as is"
    window.close()
