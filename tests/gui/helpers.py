"""Small things the GUI tests share: click a real button, type into a real field, collect signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QLineEdit, QWidget

from studio.core.config import DataConfig, ModelConfig, RunConfig, TrainConfig

LOAD_TIMEOUT_MS = 60_000
TRAIN_TIMEOUT_MS = 90_000


def tiny_run_config(steps: int = 30) -> RunConfig:
    """A run the window trains in about a second: 128 demo images, 8-channel DCGAN, batch 16."""
    return RunConfig(
        data=DataConfig(demo_images=128),
        model=ModelConfig(latent_dim=16, g_width=8, d_width=8),
        train=TrainConfig(steps=steps, batch_size=16, log_every=2, sample_every=5, checkpoint_every=10, device="cpu"),
    )


def click(qtbot, button: QWidget) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled: {button.toolTip()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def train_to_end(window, qtbot):
    """Press Train and wait until training ends; the run's folder."""
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, window.training_panel.train_button)
    return window.session.run_path


def type_into(qtbot, field: QLineEdit, text: str) -> None:
    """Replace a line edit's text the way a person would: select all, then type over it."""
    field.setFocus()
    field.selectAll()
    if text:
        qtbot.keyClicks(field, text)
    else:
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == text


class Collector(QObject):
    """Receives worker signals on the GUI thread (a QObject slot, so the connection is queued)."""

    def __init__(self) -> None:
        super().__init__()
        self.results = []

    @Slot(object)
    def collect(self, result) -> None:
        self.results.append(result)
