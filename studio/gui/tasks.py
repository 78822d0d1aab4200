"""The one way the GUI runs an engine function in the background: progress, result, error, cancel.

A ``Task`` wraps a plain core function (a job body in Orange3's sense: testable without Qt). The
function runs on its own QThread; if it has a ``task`` parameter it receives a ``TaskState`` whose
progress reports arrive on the GUI thread as ``progress(done, total)`` and whose cancel flag
``Task.cancel()`` sets. Its return value arrives as ``returned(value)``; an error as one sentence
in ``failed(str)``; ``done`` always follows. A cancelled task emits neither ``returned`` nor
``failed``.

Job bodies import torch inside the function (never at the top of a module the GUI imports), so
the window opens before torch is loaded and the GUI thread never runs torch work.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState


def analyst_message(error: BaseException, doing: str) -> str:
    """One sentence for the UI; unexpected errors keep their traceback on stderr for a bug report."""
    if isinstance(error, StudioError):
        return str(error)
    traceback.print_exception(error)
    return f"{doing} failed unexpectedly ({type(error).__name__}: {error})."


class _Runner(QObject):
    """Lives on the task's thread and calls the function; its signals cross back to the ``Task``."""

    progressed = Signal(int, int)
    returned = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict, doing: str) -> None:
        super().__init__()
        self.function, self.args, self.kwargs, self.doing = function, args, dict(kwargs), doing
        self.state = TaskState(self.progressed.emit)
        if "task" in inspect.signature(function).parameters:
            self.kwargs["task"] = self.state

    @Slot()
    def run(self) -> None:
        try:
            result = self.function(*self.args, **self.kwargs)
            if not self.state.cancelled:
                self.returned.emit(result)
        except Cancelled:
            pass
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI as a sentence
            if not self.state.cancelled:
                self.failed.emit(analyst_message(error, self.doing))
        finally:
            self.finished.emit()


class Task(QObject):
    """Runs ``function(*args, **kwargs)`` once, on the thread a ``ThreadHost`` gives it.

    The Task itself stays on the GUI thread and emits every signal there, so any slot connected to
    it (a lambda included) runs on the GUI thread.
    """

    progress = Signal(int, int)
    returned = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, function: Callable[..., Any], *args: Any, doing: str, **kwargs: Any) -> None:
        super().__init__()
        self.doing = doing
        self.runner = _Runner(function, args, kwargs, doing)
        self.state = self.runner.state
        self.runner.progressed.connect(self.progress)
        self.runner.returned.connect(self.returned)
        self.runner.failed.connect(self.failed)
        self.runner.finished.connect(self.done)

    def cancel(self) -> None:
        """Ask the function to stop at its next check; safe from any thread."""
        self.state.cancel()

    def is_cancelled(self) -> bool:
        return self.state.cancelled


class ThreadHost(QObject):
    """Starts each task on its own QThread, keeps it alive while it runs, and shuts all down on close.

    Anything with ``run`` (a slot), ``cancel`` and a ``done`` signal can be hosted: the generic
    ``Task`` and the training worker.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[QObject, QThread] = {}

    def run(self, function: Callable[..., Any], *args: Any, doing: str,
            on_result: Callable[[Any], None] | None = None, on_error: Callable[[str], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None, **kwargs: Any) -> Task:
        """Start ``function`` as a Task with its signals connected; returns the task (to cancel it)."""
        task = Task(function, *args, doing=doing, **kwargs)
        for signal, slot in ((task.returned, on_result), (task.failed, on_error), (task.progress, on_progress)):
            if slot is not None:
                signal.connect(slot)
        return self.start(task)

    def start(self, job: QObject) -> Any:
        thread = QThread()
        thread.setObjectName(getattr(job, "doing", type(job).__name__))
        worker = getattr(job, "runner", job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        job.done.connect(self._on_done)
        self._running[job] = thread
        thread.start()
        return job

    def running(self) -> int:
        return len(self._running)

    @Slot()
    def _on_done(self) -> None:
        """Runs on the GUI thread (queued): end the job's thread and let both go."""
        thread = self._running.pop(self.sender(), None)
        if thread is not None:
            thread.quit()
            thread.wait()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel every job and wait for its thread to end."""
        for job in list(self._running):
            job.cancel()
        for job, thread in list(self._running.items()):
            thread.quit()
            thread.wait(timeout_ms)
            self._running.pop(job, None)
