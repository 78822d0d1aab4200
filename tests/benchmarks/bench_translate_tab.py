"""Does the Translate tab keep the window responsive? Event-loop stalls while it trains and while the
strength slider is dragged. Figures, not assertions.

Run from the repository root (a script, not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_translate_tab.py [--steps 200] [--resolution 32]

The tab opens alone on two folders of demo shapes (the target with its colours inverted), trains the
default CUT model for --steps steps through its Train button, then translates a folder of 8 images while
the strength slider moves every 10 ms for 3 seconds. A precise 5 ms QTimer on the GUI thread measures
each firing's lateness (as tests/benchmarks/bench_gui.py does): how long the window could not react.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.bench_gui import PROBE_MS, stall_summary  # noqa: E402
from tests.translation_files import translation_sets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--resolution", type=int, default=32)
    args = parser.parse_args()
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    app = QApplication([])
    from studio.gui.tasks import ThreadHost
    from studio.gui.translate.panel import TranslatePanel

    folder = Path(tempfile.mkdtemp())
    os.environ["GAN_STUDIO_HOME"] = str(folder / "home")
    source, target = translation_sets(folder / "sets", per_class=32, resolution=args.resolution)
    host = ThreadHost()
    panel = TranslatePanel(host)
    panel.resize(1200, 860)
    panel.show()
    stalls: dict[str, list[float]] = {"training": [], "translating": []}
    phase = [""]
    clock = QElapsedTimer()
    probe = QTimer(interval=PROBE_MS, timerType=Qt.TimerType.PreciseTimer)

    def on_probe() -> None:
        if phase[0] and clock.isValid():
            stalls[phase[0]].append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(on_probe)
    probe.start()
    loaded: set[str] = set()

    def on_loaded(which: str) -> None:
        loaded.add(which)
        if loaded == {"source", "target"} and all(panel.sets.values()):
            panel.steps.setValue(args.steps)
            panel.train.click()

    panel.set_loaded.connect(on_loaded)
    panel.resolution.setCurrentText(str(args.resolution))
    for which, path in (("source", source), ("target", target)):
        panel.boxes[which].path.setText(str(path))
        panel.boxes[which].chosen.emit()
    panel.preview_updated.connect(lambda step: phase.__setitem__(0, "training"))  # from the first row on
    translated = [0]

    def after_training() -> None:
        phase[0] = ""
        QFileDialog.getExistingDirectory = lambda *args, **kwargs: str(source)  # as if the analyst chose the folder
        panel.apply.choose_folder.click()
        slider = QTimer(interval=10)
        values = iter(range(300))
        slider.timeout.connect(lambda: panel.apply.strength.setValue((next(values, 300) % 100) / 100)
                               if phase[0] else None)
        panel.translated.connect(lambda result: (translated.__setitem__(0, translated[0] + 1), phase.__setitem__(0, "translating")))
        slider.start()
        QTimer.singleShot(3000, app.quit)
        panel._slider = slider

    panel.training_finished.connect(after_training)
    app.exec()
    host.shutdown()
    panel.previewer.shutdown()
    print(f"Translate tab, {args.resolution} px, {args.steps} steps of CUT; probes every {PROBE_MS} ms on the GUI thread")
    print(f"  while training:    {stall_summary(stalls['training'])}")
    print(f"  while translating: {stall_summary(stalls['translating'])}  ({translated[0]} redraws in 3 s)")


if __name__ == "__main__":
    main()
