"""Folders, zips and dataset files dropped anywhere on the window become the dataset source."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget


def dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    """The one local file or folder being dragged, or None (several, or not files)."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    return urls[0].toLocalFile()


class DatasetDropFilter(QObject):
    """Event filter for the window: accepts one dragged path and hands it to ``use_source``."""

    def __init__(self, window: QWidget, use_source: Callable[[str], None]) -> None:
        super().__init__(window)
        self._use_source = use_source
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if dropped_path(event) is not None:
                event.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop:
            path = dropped_path(event)
            if path is not None:
                event.acceptProposedAction()
                self._use_source(path)
                return True
        return False
