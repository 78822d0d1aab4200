"""Carries a projection's images from the thread running it to the GUI thread; the newest frame wins.

The job calls ``send_source`` and ``send_frame`` on its own thread; they only record the image and,
when nothing was waiting, wake this object with a queued signal. On the GUI thread the waiting
images are emitted as ``source_ready`` and ``frame_ready``; frames replaced before the GUI got to
them are never shown, so a slow screen never falls behind the projection.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot


class ProjectionFeed(QObject):
    """Lives on the GUI thread; ``close`` stops delivery (a finished or replaced projection)."""

    source_ready = Signal(object)
    frame_ready = Signal(int, object)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: dict[str, object] = {}
        self._closed = False
        self._wake.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def send_source(self, image: np.ndarray) -> None:
        """Any thread: the source image as the run sees it."""
        self._put("source", np.array(image, copy=True))

    def send_frame(self, step: int, image: np.ndarray) -> None:
        """Any thread: the reconstruction after ``step`` steps (replaces one not yet shown)."""
        self._put("frame", (int(step), np.array(image, copy=True)))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pending.clear()

    def _put(self, key: str, value: object) -> None:
        with self._lock:
            if self._closed:
                return
            wake = not self._pending
            self._pending[key] = value
        if wake:
            self._wake.emit()

    @Slot()
    def _deliver(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if "source" in pending:
            self.source_ready.emit(pending["source"])
        if "frame" in pending:
            step, image = pending["frame"]
            self.frame_ready.emit(step, image)
