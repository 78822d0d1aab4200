"""The lock of a sweep folder: one process runs a sweep at a time (the same operating-system lock a
run's training holds), and a continuation is refused before it changes anything while another runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.core.errors import StudioError
from studio.core.run_lock import RunLock, holder


def refuse_if_running(folder: Path) -> None:
    """One sentence when another process runs the sweep in ``folder`` now (checked again under the lock)."""
    found = holder(folder)
    if found is not None:
        raise _running_elsewhere(found)


def _running_elsewhere(found: Any) -> StudioError:
    who = f"process {found.pid}" if found is not None and found.pid is not None else "another process"
    return StudioError(f"This sweep is being run by {who}; stop it or wait for it to end before running it here "
                       "(its results can be read meanwhile).")


@contextmanager
def sweep_lock(folder: Path) -> Iterator[None]:
    """The sweep folder's lock (the same operating-system lock a run's training holds)."""
    lock = RunLock(folder)
    try:
        lock.acquire()
    except StudioError:
        raise _running_elsewhere(holder(folder)) from None
    try:
        yield
    finally:
        lock.release()
