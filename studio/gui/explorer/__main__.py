"""Preview: ``python -m studio.gui.explorer [RUN_FOLDER]`` opens the explorer alone on a run
(the newest run in the studio's runs folder when none is given)."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.core.paths import runs_dir
from studio.core.runs import newest_run
from studio.gui.explorer.panel import ExplorerPanel
from studio.gui.tasks import ThreadHost
from studio.gui.render_worker import RenderWorker


app = QApplication([])
host, renderer = ThreadHost(), RenderWorker()
host.start(renderer)
panel = ExplorerPanel(host, renderer)
panel.resize(1100, 720)
panel.show()
panel.set_run(Path(sys.argv[1]) if len(sys.argv) > 1 else newest_run(runs_dir()))
app.aboutToQuit.connect(host.shutdown)
app.exec()
