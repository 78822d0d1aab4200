"""Preview: ``python -m studio.gui.dataset`` opens the dataset panel alone."""

from PySide6.QtWidgets import QApplication

from studio.core.config import DataConfig
from studio.gui.dataset.panel import DatasetPanel
from studio.gui.workers import DatasetWorker, ThreadHost


app = QApplication([])
panel = DatasetPanel()
host = ThreadHost()


def load(config: DataConfig) -> None:
    worker = DatasetWorker(config)
    worker.progress.connect(panel.show_loading)
    worker.loaded.connect(panel.show_loaded)
    worker.failed.connect(panel.show_error)
    panel.cancel_requested.connect(worker.cancel)
    host.start(worker)


panel.load_requested.connect(load)
panel.resize(320, 640)
panel.show()
load(DataConfig())
app.aboutToQuit.connect(host.shutdown)
app.exec()
