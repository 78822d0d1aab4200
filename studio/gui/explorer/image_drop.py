"""Image files dragged onto the explorer are projected; anything else passes on (e.g. to the dataset drop)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from studio.core.imaging import IMAGE_SUFFIXES
from studio.gui.dataset.drop import dropped_path


def dropped_image(event) -> Path | None:
    """The one local image file being dragged, or None."""
    path = dropped_path(event)
    return None if path is None or Path(path).suffix.lower() not in IMAGE_SUFFIXES else Path(path)


class ImageDropFilter(QObject):
    """Event filter for ``widget``: accepts one dragged image file and hands it to ``use_image``."""

    def __init__(self, widget: QWidget, use_image: Callable[[Path], None]) -> None:
        super().__init__(widget)
        self._use_image = use_image
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            path = dropped_image(event)
            if path is None:
                return False
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self._use_image(path)
            return True
        return False
