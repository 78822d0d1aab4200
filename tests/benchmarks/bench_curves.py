"""What one logged step costs the window: the curves panel's redraw and paint, step by step through a
5,000-step run (a point every 10 steps), with ranges that move in steps against pyqtgraph's auto-range
(the baseline, run in the same process).

Run from the repository root (a script, not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_curves.py [--steps 5000] [--width 1400]

Each figure is the time from adding the point to the end of the repaint of the three plots, on the GUI
thread: the time the window cannot react. ``tests/benchmarks/bench_gui.py`` measures the whole window
while it trains.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.bench_gui import percentile  # noqa: E402


def redraw_costs(steps: int, width: int, auto_range: bool) -> list[float]:
    """Milliseconds per logged step: add a point, redraw, repaint."""
    from PySide6.QtWidgets import QApplication

    from studio.gui.curves.panel import CurvesPanel

    app = QApplication.instance() or QApplication([])
    panel = CurvesPanel()
    panel.resize(width, 260)
    panel.show()
    if auto_range:  # what the panel did before: pyqtgraph fits every axis to the data on each redraw
        panel._ranges.following = False
        for plot in (panel.loss_plot, panel.score_plot, panel.quality_plot):
            plot.enableAutoRange()
    app.processEvents()
    rng = np.random.default_rng(0)
    costs = []
    for step in range(10, steps + 1, 10):
        started = time.perf_counter()
        panel.append({"step": step, "g_loss": 1 + 3 * np.exp(-step / 500) + rng.normal(0, 0.1),
                      "d_loss": 1 + rng.normal(0, 0.1), "d_real": 0.6 + rng.normal(0, 0.05), "d_fake": 0.4})
        panel.truncate(step)  # drops nothing and redraws at once (the redraw the throttle runs)
        panel.repaint()
        app.processEvents()
        costs.append((time.perf_counter() - started) * 1000)
    panel.close()
    return costs


def summary(costs: list[float]) -> str:
    over = sum(cost > 16 for cost in costs)
    return (f"p50 {percentile(costs, 50):5.1f}  p90 {percentile(costs, 90):5.1f}  p99 {percentile(costs, 99):5.1f}  "
            f"max {max(costs):5.1f} ms;  {over} of {len(costs)} over 16 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    baseline = redraw_costs(args.steps, args.width, auto_range=True)
    stepped = redraw_costs(args.steps, args.width, auto_range=False)
    print(f"Curves panel, {args.steps} steps logged every 10, {args.width} px wide: cost of one logged step")
    print(f"  auto-range (baseline)     {summary(baseline)}")
    print(f"  stepped ranges            {summary(stepped)}")
    print(f"  median baseline / stepped {percentile(baseline, 50) / percentile(stepped, 50):5.1f}x")


if __name__ == "__main__":
    main()
