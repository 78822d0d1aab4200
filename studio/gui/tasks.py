"""The one way the GUI runs work in the background, in four shapes on one thread host.

- ``Task``: a one-shot core function with progress, result, error and cancel.
- ``EventWorker``: a long job (training, a sweep) that streams plain events, re-emitted as signals,
  and takes pause, resume and stop.
- ``Mailbox`` and ``MailboxWorker`` (in :mod:`studio.gui.mailbox`): "the latest request wins" between
  two threads (rendering, projection and translation previews).
- ``JobSlots``: one job per key for a panel; a replaced or cancelled job's answer is dropped.

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
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot

from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import Steerable, TaskState


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
        self._runner = _Runner(function, args, kwargs, doing)
        self.state = self._runner.state
        self._runner.progressed.connect(self.progress)
        self._runner.returned.connect(self.returned)
        self._runner.failed.connect(self.failed)
        self._runner.finished.connect(self.done)

    def thread_side(self) -> QObject:
        """The object that lives on the task's thread: the runner that calls the function."""
        return self._runner

    def cancel(self) -> None:
        """Ask the function to stop at its next check; safe from any thread."""
        self.state.cancel()

    def is_cancelled(self) -> bool:
        return self.state.cancelled


class Hosted(Protocol):
    """What a ``ThreadHost`` runs: ``thread_side()`` is the QObject it moves to the new thread and whose
    ``run`` slot starts there; ``cancel()`` asks the job to end (from any thread); ``done`` is emitted
    once it has; ``doing`` names it."""

    done: SignalInstance
    doing: str

    def thread_side(self) -> QObject: ...

    def cancel(self) -> None: ...


class ThreadHost(QObject):
    """Starts each job on its own QThread, keeps it alive while it runs, and shuts all down on close.

    A job is let go one turn of the event loop after its ``done``, so every slot connected to ``done``
    (whenever it was connected) runs while the job still exists.
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

    def start(self, job: Hosted) -> Any:
        thread = QThread()
        thread.setObjectName(job.doing)
        worker = job.thread_side()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        job.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._running[job] = thread
        thread.start()
        return job

    def running(self) -> int:
        return len(self._running)

    @Slot()
    def _on_done(self) -> None:
        """Queued after the job's other ``done`` slots: end the job's thread and let both go."""
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


class JobSlots(QObject):
    """One job per key for a panel ("open", "export", ...): starting a key's job cancels the one it
    replaces, and only the key's current job is heard from. Its progress arrives as it comes; when it
    ends the key is free first, then ``on_done(cancelled)`` runs, then ``on_result(value)`` or
    ``on_error(sentence)`` (neither for a cancelled job), so an answer finds the panel ready again."""

    def __init__(self, threads: ThreadHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads = threads
        self._current: dict[str, Task] = {}

    def start(self, key: str, function: Callable[..., Any], *args: Any, doing: str,
              on_result: Callable[[Any], None] | None = None, on_error: Callable[[str], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None,
              on_done: Callable[[bool], None] | None = None, **kwargs: Any) -> Task:
        self.cancel(key)
        task = self.threads.run(function, *args, doing=doing, **kwargs)
        answer: list[tuple[Callable[[Any], None] | None, Any]] = []
        self._current[key] = task
        if on_progress is not None:
            task.progress.connect(lambda done, total: on_progress(done, total) if self._current.get(key) is task else None)
        task.returned.connect(lambda value: answer.append((on_result, value)))
        task.failed.connect(lambda sentence: answer.append((on_error, sentence)))

        def finished() -> None:
            if self._current.get(key) is not task:
                return
            del self._current[key]
            cancelled = task.is_cancelled()
            if on_done is not None:
                on_done(cancelled)
            if answer and not cancelled and answer[0][0] is not None:
                answer[0][0](answer[0][1])

        task.done.connect(finished)
        return task

    def busy(self, key: str | None = None) -> bool:
        return bool(self._current) if key is None else key in self._current

    def cancel(self, key: str) -> None:
        """Ask the key's job to stop; its ``on_done(True)`` follows when it has."""
        task = self._current.get(key)
        if task is not None:
            task.cancel()

    def forget(self, key: str) -> None:
        """Cancel the key's job and drop it at once: nothing of it is heard from again."""
        task = self._current.pop(key, None)
        if task is not None:
            task.cancel()


def gui_share_of_threads(threads: int) -> int:
    """Intra-op threads for a long job while the window is open: one core fewer from three cores up.

    With every core in torch's thread team, the GUI thread can only run by taking a core from a team
    thread that the others then wait for, so the window stutters when the machine is busy. On two
    cores, though, giving one up cost 30-44% of training speed on an idle machine (where the window
    already stayed under 16 ms at the 99th percentile), and training speed is what the analyst
    feels most: two cores keep both.
    """
    return threads - 1 if threads >= 3 else threads


@contextmanager
def leaving_a_core_to_the_window() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(gui_share_of_threads(threads))
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class EventWorker(QObject):
    """A long job on its own thread that streams plain events and takes pause, resume and stop.

    A subclass builds its ``Steerable`` core job in ``make_job(on_event)`` (called on the worker's
    thread, so torch loads there) and says in ``event_slots()`` what each event type becomes (a
    signal's ``emit``, or any callable). ``pause``, ``resume``, ``stop`` and the subclass's own
    requests go through ``call``: they reach the job directly (the worker's thread is busy running
    it, so a queued slot would only run afterwards), and calls made before the job exists are kept
    and made as soon as it does. An event of a type not named is not shown. ``failed(sentence)``
    carries an error; ``done`` always ends the job.
    """

    failed = Signal(str)
    done = Signal()
    doing = "The job"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._job: Any = None
        self._pending: list[Callable[[Any], None]] = []
        self._slots: dict[type, Callable[[Any], None]] = {}
        self.holding = False  # asked to pause and not yet to resume or stop

    def make_job(self, on_event: Callable[[Any], None]) -> Steerable:
        raise NotImplementedError

    def event_slots(self) -> dict[type, Callable[[Any], None]]:
        raise NotImplementedError

    def thread_side(self) -> QObject:
        return self

    @Slot()
    def run(self) -> None:
        try:
            self._slots = self.event_slots()
            job = self.make_job(self._on_event)
            with self._lock:
                self._job = job
                pending, self._pending = self._pending, []
            for call in pending:
                call(job)
            with leaving_a_core_to_the_window():
                job.run()
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI as a sentence
            self.failed.emit(analyst_message(error, self.doing))
        finally:
            self.done.emit()

    def _on_event(self, event: Any) -> None:
        slot = self._slots.get(type(event))
        if slot is not None:
            slot(event)

    def call(self, action: Callable[[Any], None]) -> None:
        """``action(job)`` now from this thread, or as soon as the job exists."""
        with self._lock:
            if self._job is None:
                self._pending.append(action)
                return
            job = self._job
        action(job)

    def pause(self) -> None:
        self.holding = True
        self.call(lambda job: job.pause())

    def resume(self) -> None:
        self.holding = False
        self.call(lambda job: job.resume())

    def toggle_pause(self) -> bool:
        """Pause, or resume when paused (the Pause button); returns whether it now holds."""
        if self.holding:
            self.resume()
        else:
            self.pause()
        return self.holding

    def stop(self) -> None:
        self.holding = False
        self.call(lambda job: job.stop())

    def cancel(self) -> None:
        self.stop()
