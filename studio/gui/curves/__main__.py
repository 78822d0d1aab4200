"""Preview: ``python -m studio.gui.curves`` opens the curves panel alone."""

from PySide6.QtWidgets import QApplication
import numpy as np

from studio.gui.curves.panel import CurvesPanel


app = QApplication([])
panel = CurvesPanel()
rng = np.random.default_rng(0)
for step in range(0, 100_000, 10):
    panel.append({"step": step, "g_loss": 2 + rng.normal(0, 0.5), "d_loss": 0.7 + rng.normal(0, 0.2),
                  "d_real": 0.6 + rng.normal(0, 0.1), "d_fake": 0.3 + rng.normal(0, 0.1)})
panel.resize(900, 320)
panel.show()
app.exec()
