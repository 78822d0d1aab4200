"""Preview: ``python -m studio.gui.sweep [SWEEP_FOLDER]`` opens the sweep panel alone, on the built-in
demo set (the sweep in SWEEP_FOLDER shown when given)."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.core.config import DataConfig, RunConfig
from studio.core.data.jobs import load_for_training
from studio.gui.sweep.panel import SweepPanel
from studio.gui.tasks import ThreadHost

app = QApplication([])
host = ThreadHost()
panel = SweepPanel(host)
panel.resize(1300, 800)
panel.show()
config = RunConfig(data=DataConfig(demo_images=512))
host.run(load_for_training, config.data, doing="Loading the dataset",
         on_result=lambda loaded: panel.set_dataset(loaded[0], config.data, config))
if len(sys.argv) > 1:
    panel.open_sweep(Path(sys.argv[1]))
app.aboutToQuit.connect(host.shutdown)
app.exec()
