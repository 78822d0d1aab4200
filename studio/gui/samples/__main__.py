"""Preview: ``python -m studio.gui.samples`` opens the samples panel alone."""

from PySide6.QtWidgets import QApplication
import numpy as np

from studio.gui.samples.panel import SamplesPanel


app = QApplication([])
panel = SamplesPanel()
rng = np.random.default_rng(0)
panel.show_samples(rng.integers(0, 256, (64, 32, 32, 3), dtype=np.uint8), step=0, seed=0)
panel.resize(640, 640)
panel.show()
app.exec()
