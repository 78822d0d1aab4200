"""A column of offset sliders, one per latent direction: label (with share of variance), slider, reset.

Two bases share the widget: the principal directions (GANSpace), each ±5σ, and the raw latent
dimensions. Offsets are kept per basis, so switching modes never loses what the analyst set.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QWidget
from superqt import QLabeledDoubleSlider
from superqt.utils import signals_blocked

from studio.gui.naming import named

SIGMA_RANGE = 5.0
RAW_SLIDERS = 16


def named_slider(slider: QWidget, object_name: str, accessible_name: str, description: str = "") -> QWidget:
    """``named`` for a superqt labeled slider and its parts (the slider and the value box inside it)."""
    named(slider, object_name, accessible_name, description)
    for part in slider.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        named(part, f"{object_name}{type(part).__name__}", accessible_name)
    return slider


class DirectionSliders(QWidget):
    """Emits ``changed`` whenever an offset moves; ``offsets()`` gives ``{index: value}`` of non-zero ones."""

    changed = Signal()

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefix = prefix
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self.sliders: list[QLabeledDoubleSlider] = []

    def set_directions(self, labels: list[str], descriptions: list[str]) -> None:
        """One row per direction, all at 0."""
        while self._grid.count():
            self._grid.takeAt(0).widget().deleteLater()
        self.sliders = []
        for index, (label, description) in enumerate(zip(labels, descriptions)):
            name = QLabel(label)
            slider = named_slider(QLabeledDoubleSlider(Qt.Orientation.Horizontal), f"{self._prefix}Slider{index}",
                                  f"{label} offset", description)
            slider.setRange(-SIGMA_RANGE, SIGMA_RANGE)
            slider.setSingleStep(0.1)
            slider.setValue(0.0)
            slider.valueChanged.connect(self.changed)
            name.setBuddy(slider)
            reset = named(QToolButton(), f"{self._prefix}Reset{index}", f"Reset {label}", f"Set {label} back to 0.")
            reset.setText("↺")
            reset.clicked.connect(lambda _=False, s=slider: s.setValue(0.0))
            self._grid.addWidget(name, index, 0)
            self._grid.addWidget(slider, index, 1)
            self._grid.addWidget(reset, index, 2)
            self.sliders.append(slider)

    def offsets(self) -> dict[int, float]:
        return {index: round(slider.value(), 4) for index, slider in enumerate(self.sliders) if slider.value()}

    def set_offsets(self, offsets: dict[int, float]) -> None:
        """Show ``offsets`` (others at 0) without a ``changed`` per slider; one ``changed`` at the end."""
        for index, slider in enumerate(self.sliders):
            with signals_blocked(slider):
                slider.setValue(offsets.get(index, 0.0))
        self.changed.emit()
