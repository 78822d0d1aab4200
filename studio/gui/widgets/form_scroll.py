"""A scroll area for a dock's form: it scrolls up and down, and asks for the width its form needs."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget


class FormScrollArea(QScrollArea):
    """Scrolls a form vertically; its size hints are the form's width plus the vertical scroll bar.

    A plain ``QScrollArea`` hints at its content's width without the scroll bar and may be squeezed to
    a few pixels, so a dock laid out by those hints cut its labels and hid its fields behind a
    horizontal scroll bar. With these hints the dock is never narrower than the form's minimum, and
    at its hinted width the form shows whole, scroll bar included.
    """

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def _chrome_width(self) -> int:
        return 2 * self.frameWidth() + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        return QSize(self.widget().sizeHint().width() + self._chrome_width(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        return QSize(self.widget().minimumSizeHint().width() + self._chrome_width(), hint.height())
