"""Preview: ``python -m studio.gui.dataset`` opens the dataset panel alone and loads what it asks for."""

from PySide6.QtWidgets import QApplication

from studio.core.config import DataConfig
from studio.core.data.jobs import load_for_training
from studio.gui.dataset.panel import DatasetPanel
from studio.gui.tasks import ThreadHost

app = QApplication([])
panel = DatasetPanel()
host = ThreadHost()


def load(config: DataConfig) -> None:
    task = host.run(load_for_training, config, doing="Loading the dataset", on_progress=panel.show_loading,
                    on_result=lambda loaded: panel.show_summary(loaded[1]), on_error=panel.show_error)
    panel.cancel_requested.connect(task.cancel)


panel.load_requested.connect(load)
panel.resize(320, 640)
panel.show()
load(DataConfig())
app.aboutToQuit.connect(host.shutdown)
app.exec()
