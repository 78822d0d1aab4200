"""Latest request wins: the :class:`Mailbox` between two threads, and the long-lived
:class:`MailboxWorker` built on it (rendering, translation previews), so a slider dragged fast never
queues up stale frames (the StyleGAN3 visualizer's rule)."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot


class Mailbox(QObject):
    """The latest request wins between two threads. ``put(kind, value)`` from any thread keeps only the
    newest value of each kind and, when nothing was waiting, wakes the mailbox's own thread, where
    ``arrived({kind: value})`` delivers what waits; a value replaced before then is never delivered.
    ``close()`` drops what waits and refuses more."""

    arrived = Signal(dict)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._waiting: dict[str, Any] = {}
        self._closed = False
        self._wake.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def put(self, kind: str, value: Any) -> None:
        with self._lock:
            if self._closed:
                return
            wake = not self._waiting
            self._waiting[kind] = value
        if wake:
            self._wake.emit()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._waiting.clear()

    @Slot()
    def _deliver(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        if waiting:
            self.arrived.emit(waiting)


class MailboxWorker(QObject):
    """A long-lived worker whose requests arrive through a :class:`Mailbox` (the latest of each kind wins),
    hosted by a ``ThreadHost`` for the lifetime of its window or tab; ``done`` follows ``cancel``.

    A subclass posts with ``post(kind, value)`` from any thread and handles what waits, on its own
    thread, in ``handle({kind: value})``; a request replaced before the thread got to it is never handled.
    """

    done = Signal()
    doing = "Working"

    def __init__(self) -> None:
        super().__init__()
        self._mailbox = Mailbox(self)  # a child: it moves to the worker's thread with it
        self._mailbox.arrived.connect(self._on_arrived)

    def thread_side(self) -> QObject:
        return self

    @Slot()
    def run(self) -> None:
        """Nothing to do until a request arrives: the thread's event loop delivers them."""

    def cancel(self) -> None:
        self._mailbox.close()
        self.done.emit()

    def post(self, kind: str, value: Any) -> None:
        self._mailbox.put(kind, value)

    @Slot(dict)
    def _on_arrived(self, pending: dict) -> None:
        self.handle(pending)

    def handle(self, pending: dict) -> None:
        raise NotImplementedError
