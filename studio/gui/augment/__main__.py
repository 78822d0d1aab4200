"""Preview: ``python -m studio.gui.augment [RUN_FOLDER]`` opens the augment panel alone on a run
(the newest run in the studio's runs folder when none is given)."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.core.paths import runs_dir
from studio.core.runs import newest_run
from studio.gui.augment.panel import AugmentPanel
from studio.gui.tasks import ThreadHost


app = QApplication([])
host = ThreadHost()
panel = AugmentPanel(host)
panel.resize(1200, 760)
panel.show()
panel.set_run(Path(sys.argv[1]) if len(sys.argv) > 1 else newest_run(runs_dir()), training=False)
app.aboutToQuit.connect(host.shutdown)
app.exec()
