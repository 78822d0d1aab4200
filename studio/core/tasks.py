"""The state every long engine job takes: progress out, cancel in.

One object replaces a ``progress`` callback and a ``cancelled`` predicate passed side by side. The
GUI's task runner, the CLI's progress bar and the tests all drive a job the same way: build a
``TaskState`` with a progress sink, hand it to the job, call ``cancel()`` from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from studio.core.errors import Cancelled

PROGRESS_INTERVAL_S = 0.05


class TaskState:
    """Progress (throttled to one report per ``interval_s``, the last always sent) and a cancel flag.

    Throttling here means a loop over 100,000 files can report every file without flooding the
    GUI thread or the terminal with updates.
    """

    def __init__(self, on_progress: Callable[[int, int], None] | None = None,
                 interval_s: float = PROGRESS_INTERVAL_S) -> None:
        self._on_progress = on_progress
        self._interval_s = interval_s
        self._last_report = float("-inf")
        self._cancel = threading.Event()

    def progress(self, done: int, total: int) -> None:
        """Report ``done`` of ``total``; forwarded at most every ``interval_s`` and always when finished."""
        if self._on_progress is None:
            return
        now = time.monotonic()
        if done >= total or now - self._last_report >= self._interval_s:
            self._last_report = now
            self._on_progress(int(done), int(total))

    def cancel(self) -> None:
        """Ask the job to stop at its next check; safe from any thread."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def subtask(self, on_progress: Callable[[int, int], None] | None = None) -> TaskState:
        """A state with this one's cancel flag and its own progress sink (none by default).

        For a part of a job whose counts are not the job's: a report loading its dataset reports
        report steps only, yet cancelling the report stops the load.
        """
        part = TaskState(on_progress, self._interval_s)
        part._cancel = self._cancel
        return part

    def phase(self, start: float, stop: float) -> TaskState:
        """A subtask whose progress fills the share ``start``..``stop`` (fractions of 1) of this one's bar,
        reported here in thousandths: for a job made of parts with counts of their own."""
        def report(done: int, total: int) -> None:
            self.progress(round(1000 * (start + (stop - start) * done / max(total, 1))), 1000)

        return self.subtask(report)

    def check(self, doing: str = "The task", then: str = "") -> None:
        """Raise ``Cancelled`` when cancel was asked; jobs call it between units of work.

        The sentence is "<doing> was cancelled.", or "<doing> was cancelled; <then>." when ``then``
        tells the analyst what was left (e.g. "no files were kept").
        """
        if self._cancel.is_set():
            raise Cancelled(f"{doing} was cancelled; {then}." if then else f"{doing} was cancelled.")


def quiet() -> TaskState:
    """A state that reports nowhere and is never cancelled, for callers that need neither."""
    return TaskState()


class Steerable(Protocol):
    """The one pause/resume/stop protocol of a long core job (the Trainer, the SweepRunner): thread-safe
    calls, and ``run()`` blocks until the job has ended."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def stop(self) -> None: ...

    def run(self) -> Any: ...
