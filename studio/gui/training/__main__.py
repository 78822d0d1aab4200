"""Preview: ``python -m studio.gui.training`` opens the training panel alone."""

from PySide6.QtWidgets import QApplication

from studio.gui.training.panel import TrainingPanel


app = QApplication([])
panel = TrainingPanel()
panel.train_form.changed.connect(lambda: panel.set_block_reason(
    next(iter(panel.train_form.problems().values()), "")))
panel.resize(340, 640)
panel.show()
app.exec()
