"""How fast the explorer answers, through the real widget, and how fast a batch export writes.

Run from the repository root (a script, not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_explorer.py [--changes 60] [--device cpu]

It makes two runs with the default DCGAN (latent 64, width 32; weights after a few steps, which
does not change the cost), one at 64 px and one at 32 px. On the 64 px run it opens the Explorer
panel with the real RenderWorker and moves the ψ slider ``--changes`` times, waiting each time
until the new pixels are painted; the figure is the median time from ``setValue`` to the end of
that paint, for a single sample and for a 4x4 grid. On the 32 px run it exports 10,000 images with
``export_images`` (PNG files, manifest.csv, manifest.json). Targets: <= 16 ms, <= 60 ms
and under 60 s on a two-core laptop CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TARGETS_MS = {1: 16.0, 16: 60.0}
EXPORT_COUNT = 10_000
EXPORT_TARGET_S = 60.0


def make_run(root: Path, resolution: int, device: str):
    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

    config = RunConfig()
    config.data.demo_images, config.data.resolution = 256, resolution
    config.train.steps = config.train.checkpoint_every = 4
    config.train.batch_size, config.train.eval_every, config.train.device = 16, 0, device
    dataset = load_dataset(config.data)
    run = Run.create(root, config, dataset.summary(), name=f"bench-{resolution}px")
    Trainer(run, dataset).run()
    return run


def slider_latency(run_path: Path, changes: int, grid_index: int) -> list[float]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.explorer.panel import ExplorerPanel
    from studio.gui.render_worker import RenderWorker
    from studio.gui.tasks import ThreadHost

    app = QApplication.instance() or QApplication([])
    threads, renderer = ThreadHost(), RenderWorker()
    threads.start(renderer)
    panel = ExplorerPanel(threads, renderer)
    panel.resize(1100, 800)
    panel.show()

    def wait(signal, timeout_ms=60_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    panel.set_run(run_path)
    wait(panel.opened)
    panel.controls.grid_side.setCurrentIndex(grid_index)
    wait(panel.frame_shown)
    panel.frame_ms.clear()
    for index in range(changes + 5):
        panel.controls.psi.setValue(0.5 + (index % 20) * 0.05)
        wait(panel.frame_shown)
        app.processEvents()
    times = panel.frame_ms[5:]
    panel.close()
    threads.shutdown()
    return times


def export_seconds(run, device: str) -> float:
    from studio.core.explore.export import export_images
    from studio.core.sampling import Sampler

    sampler = Sampler.from_run(run, device=device)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        export_images(sampler, Path(folder) / "batch", EXPORT_COUNT)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    with tempfile.TemporaryDirectory() as home:
        os.environ["GAN_STUDIO_HOME"] = home
        run64, run32 = make_run(Path(home), 64, args.device), make_run(Path(home), 32, args.device)
        for grid_index, count in ((0, 1), (3, 16)):
            times = slider_latency(run64.path, args.changes, grid_index)
            median = statistics.median(times)
            target = TARGETS_MS[count]
            print(f"slider change -> pixels, 64 px, {count:>2} image(s): median {median:6.1f} ms, "
                  f"p90 {sorted(times)[int(0.9 * len(times))]:6.1f} ms (target <= {target:.0f} ms, "
                  f"{median / target:.2f}x of target)")
        seconds = export_seconds(run32, args.device)
        print(f"export {EXPORT_COUNT:,} images at 32 px: {seconds:5.1f} s, {EXPORT_COUNT / seconds:,.0f} img/s "
              f"(target < {EXPORT_TARGET_S:.0f} s, {seconds / EXPORT_TARGET_S:.2f}x of target)")


if __name__ == "__main__":
    main()
