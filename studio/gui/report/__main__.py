"""Preview: ``python -m studio.gui.report [RUN_FOLDER]`` opens the report panel alone on a run
(the newest run in the studio's runs folder when none is given)."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.core.paths import runs_dir
from studio.core.runs import newest_run
from studio.gui.report.panel import ReportPanel
from studio.gui.tasks import ThreadHost


app = QApplication([])
host = ThreadHost()
panel = ReportPanel(host)
panel.resize(900, 720)
panel.show()
panel.set_run(Path(sys.argv[1]) if len(sys.argv) > 1 else newest_run(runs_dir()), training=False)
app.aboutToQuit.connect(host.shutdown)
app.exec()
