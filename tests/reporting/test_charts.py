"""Report charts from whatever numbers a run holds: non-finite values are left out rather than
bending the axes, and a chart that fails to draw raises an error instead of taking the app down."""

import math
import os
import subprocess
import sys
import textwrap

import numpy as np

from studio.core.evaluation.report_model import Chart, Series

INF, NAN = math.inf, math.nan


def pixels(image) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def chart(xs, ys, markers=(), bars=False) -> Chart:
    return Chart("losses", "Losses", "loss", [Series("G loss", "#e4572e", list(xs), list(ys))], list(markers), bars=bars)


def test_non_finite_points_and_markers_are_left_out(qapp):
    from studio.reporting.charts import render_chart

    steps, losses = [10.0, 20.0, 30.0], [1.0, 0.5, 0.8]
    for bars in (False, True):
        plain = pixels(render_chart(chart(steps, losses, [(20.0, "best FD")], bars)))
        noisy = render_chart(chart(steps + [NAN, INF, 40.0, -INF], losses + [1.0, 2.0, NAN, 3.0],
                                   [(20.0, "best FD"), (NAN, "lost"), (INF, "lost too")], bars))
        assert np.array_equal(pixels(noisy), plain)


def test_extreme_values_still_draw_a_chart(qapp):
    from studio.reporting.charts import render_chart

    for xs, ys in (([-1e308, 1e308], [1.0, 2.0]), ([1.0, 2.0], [1.7e308, 1.7e308]), ([5.0], [NAN]), ([], [])):
        image = pixels(render_chart(chart(xs, ys, [(x, "m") for x in xs])))
        assert image.shape == (420, 1200, 3) and image.min() < 255  # at least the frame and the title are drawn


def test_a_chart_that_fails_to_draw_raises_instead_of_crashing():
    script = textwrap.dedent("""
        import gc
        from PySide6.QtGui import QGuiApplication
        from studio.core.evaluation.report_model import Chart, Series
        from studio.reporting import charts

        app = QGuiApplication([])

        def broken_legend(*args):
            raise ValueError("drawing failed")

        charts._legend = broken_legend
        for attempt in range(20):
            try:
                charts.render_chart(Chart("c", "C", "y", [Series("s", "#123456", [1.0, 2.0], [1.0, 2.0])]))
            except ValueError:
                gc.collect()
        print("still running")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0 and result.stdout.strip() == "still running", result.stderr[-2000:]
