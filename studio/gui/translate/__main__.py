"""Preview: ``python -m studio.gui.translate [RUN_FOLDER]`` opens the Translate tab alone (on a trained
translation run when one is given)."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.gui.tasks import ThreadHost
from studio.gui.translate.panel import TranslatePanel

app = QApplication([])
host = ThreadHost()
panel = TranslatePanel(host)
panel.resize(1200, 860)
panel.show()
if len(sys.argv) > 1:
    panel.set_run(Path(sys.argv[1]))
app.aboutToQuit.connect(host.shutdown)
app.exec()
