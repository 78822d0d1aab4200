"""How the studio feels: start-up, time to the first samples, GUI vs headless speed, event-loop stalls.

Run from the repository root (a script, not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_gui.py [--steps 200] [--screenshot PATH] [--gui-only] [--small]

It starts two child processes on the default demo config (4000 shapes, 32 px, DCGAN width 32,
batch 64): one that opens the studio as ``python main.py`` would and presses Train as soon as
the data is loaded, one that trains the same config with the core Trainer and no Qt at all.
Times are measured from the moment the child process is launched.

Stalls: a precise QTimer fires every 5 ms on the GUI thread; each firing's lateness (time since
the previous one, minus 5 ms) is how long the event loop could not react. The distribution is
reported from the first logged step on (the steady state an analyst drags sliders and docks in),
with the count over 16 ms (one frame at 60 Hz). ``--gui-only`` skips the headless run (for a long
run measured for its stalls alone); ``--small`` trains a smaller model (``bench_config``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARMUP_LOGS = 2
PROBE_MS = 5
FRAME_MS = 16


def bench_config(steps: int, small: bool = False):
    """The default demo config; ``small``: an 8-channel DCGAN at batch 16, so that a 5,000-step run (the
    curves' x range growing to 5,000) fits in minutes on a busy two-core CPU. The window does the same
    work per logged step either way, and more logged steps a second make it the harder test."""
    from studio.core.config import RunConfig

    config = RunConfig()
    config.train.steps = steps
    config.train.device = "cpu"
    if small:
        config.model.g_width = config.model.d_width = 8
        config.train.batch_size = 16
    return config


def rates_after_warmup(rates: list[float]) -> float:
    kept = rates[WARMUP_LOGS:] or rates
    return sum(kept) / len(kept)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def stall_summary(stalls: list[float]) -> str:
    over = sum(stall > FRAME_MS for stall in stalls)
    figures = "  ".join(f"p{q} {percentile(stalls, q):5.1f}" for q in (50, 90, 99))
    return (f"{figures}  max {max(stalls, default=0.0):5.1f} ms;  {over} of {len(stalls)} probes "
            f"over {FRAME_MS} ms ({100 * over / max(1, len(stalls)):.1f}%)")


def make_step_recorder():
    from PySide6.QtCore import QObject, Slot

    class StepRecorder(QObject):
        """Receives StepLogged on the GUI thread (a QObject slot, so the connection is queued)."""

        def __init__(self, window, steps: int, screenshot: str, result: dict, clock) -> None:
            super().__init__(window)
            self.window, self.steps, self.screenshot, self.result = window, steps, screenshot, result
            self.clock = clock

        @Slot(object)
        def on_step(self, event) -> None:
            self.result["rates"].append(event.images_per_sec)
            if event.step >= self.steps * 0.6 and "screenshot" not in self.result:
                Path(self.screenshot).parent.mkdir(parents=True, exist_ok=True)
                self.window.grab().save(self.screenshot)
                self.result["screenshot"] = self.screenshot
                self.clock.invalidate()  # the benchmark's own PNG encoding is not a studio stall

    return StepRecorder


def gui_child(launched_at: float, steps: int, screenshot: str, small: bool) -> dict:
    """Open the window like ``main()`` does, train, and report timings (runs in its own process)."""
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from studio.gui.app import create_application

    app = create_application([])
    from studio.gui.main_window import MainWindow
    from studio.gui.settings import StudioSettings

    StudioSettings().set_run_config(bench_config(steps, small))
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    result: dict = {"rates": [], "max_stall_ms": 0.0, "steady_stalls_ms": []}
    QTimer.singleShot(0, lambda: result.setdefault("window_s", time.time() - launched_at))
    QTimer.singleShot(0, window.start)

    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)
    probe.setTimerType(Qt.TimerType.PreciseTimer)

    def on_probe() -> None:
        if clock.isValid():
            stall = clock.restart() - PROBE_MS
            result["max_stall_ms"] = max(result["max_stall_ms"], stall)
            if result["rates"]:
                result["steady_stalls_ms"].append(stall)
                if stall > FRAME_MS:
                    result.setdefault("stalls_over_frame", []).append((len(result["rates"]), stall))
        else:
            clock.start()

    probe.timeout.connect(on_probe)

    def on_samples() -> None:
        result.setdefault("first_samples_s", time.time() - launched_at)

    recorder = make_step_recorder()(window, steps, screenshot, result, clock)

    def on_ended() -> None:
        probe.stop()
        window.close()
        app.quit()

    def on_loaded() -> None:
        window.dataset_loaded.disconnect(on_loaded)
        window.training_panel.train_action.trigger()
        window.session.trainer.step_logged.connect(recorder.on_step)
        probe.start()

    window.dataset_loaded.connect(on_loaded)
    window.samples_panel.samples_shown.connect(on_samples)
    window.training_ended.connect(on_ended)
    app.exec()
    return result


def headless_child(steps: int, small: bool) -> dict:
    """Train the same config with the core Trainer directly (no Qt)."""
    from studio.core.data import load_dataset
    from studio.core.training.events import StepLogged
    from studio.core.paths import runs_dir
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

    config = bench_config(steps, small)
    dataset = load_dataset(config.data)
    rates: list[float] = []
    run = Run.create(runs_dir(), config, dataset.summary())
    Trainer(run, dataset, on_event=lambda e: isinstance(e, StepLogged) and rates.append(e.images_per_sec)).run()
    return {"rates": rates}


def run_child(mode: str, steps: int, screenshot: str, small: bool) -> dict:
    env = dict(os.environ, GAN_STUDIO_HOME=tempfile.mkdtemp(prefix="bench-home-"))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    launched_at = time.time()
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--steps", str(steps), "--screenshot", screenshot,
         "--launched-at", repr(launched_at), *(["--small"] if small else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--screenshot", default=str(Path(tempfile.gettempdir()) / "bench-gui-window.png"),
                        help="where the window mid-run is saved (the README's picture is docs/images/studio-training.png)")
    parser.add_argument("--gui-only", action="store_true", help="skip the headless run and the speed ratio")
    parser.add_argument("--small", action="store_true", help="a smaller model, for a long run on a small CPU")
    parser.add_argument("--child", choices=("gui", "headless"))
    parser.add_argument("--launched-at", type=float)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        result = (gui_child(args.launched_at, args.steps, args.screenshot, args.small) if args.child == "gui"
                  else headless_child(args.steps, args.small))
        print(json.dumps(result))
        return

    headless = None if args.gui_only else run_child("headless", args.steps, args.screenshot, args.small)
    gui = run_child("gui", args.steps, args.screenshot, args.small)
    gui_rate = rates_after_warmup(gui["rates"])
    print(f"GAN Studio GUI benchmark: {'small' if args.small else 'default'} demo config, {args.steps} steps, CPU, "
          f"{os.cpu_count()} cores")
    print(f"  launch -> visible window        {gui['window_s']:8.2f} s")
    print(f"  launch -> first sample grid     {gui['first_samples_s']:8.2f} s")
    print(f"  training speed, GUI             {gui_rate:8.1f} img/s")
    if headless is not None:
        headless_rate = rates_after_warmup(headless["rates"])
        print(f"  training speed, headless core   {headless_rate:8.1f} img/s")
        print(f"  GUI / headless                  {gui_rate / headless_rate:8.2f}")
    print(f"  longest event-loop stall        {gui['max_stall_ms']:8.1f} ms  (QTimer probe every {PROBE_MS} ms, from Train)")
    print(f"  stalls once steps are logged    {stall_summary(gui['steady_stalls_ms'])}")
    worst = sorted(gui.get("stalls_over_frame", []), key=lambda pair: -pair[1])[:10]
    print(f"    longest (logged steps so far, ms): {[(logs, round(stall, 1)) for logs, stall in worst]}")
    print(f"  screenshot                      {gui.get('screenshot', 'not taken')}")


if __name__ == "__main__":
    main()
