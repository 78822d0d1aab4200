"""One writer per run: whoever trains a run holds an operating-system lock on ``<run>/.training.lock``.

The lock is ``flock`` on Linux and macOS and ``msvcrt.locking`` on Windows, so the system releases
it when the process ends, however it ends (a crash, ``kill -9``): a lock is never left behind. The
file records who holds it (process id, since when) for the sentence another process shows; once
the lock is free its contents mean nothing. Reading a run (opening, sampling, reports, exploring)
never takes the lock.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import StudioError

LOCK_FILE = ".training.lock"
# A process that only checks the lock holds it for a moment: a trainer starting just then tries again.
_ATTEMPTS = 5
_ATTEMPT_PAUSE_S = 0.05
_MAX_RECORD_BYTES = 4096
# Windows locks are mandatory, so the locked byte lies far past the record, which stays readable.
_WINDOWS_LOCK_OFFSET = 1 << 30
_BINARY = getattr(os, "O_BINARY", 0)

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int, shared: bool = False) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, shared: bool = False) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Holder:
    """Who trains a run: a process id and since when (either unknown for a moment while it starts)."""

    pid: int | None = None
    since: float | None = None

    def sentence(self) -> str:
        who = f"process {self.pid}" if self.pid is not None else "another process"
        since = f" since {_clock(self.since)}" if self.since is not None else ""
        return (f"This run is being trained by {who}{since}; stop that training or wait for it to end before "
                "training it here (opening, sampling and reports work meanwhile).")


class RunLock:
    """The training lock of one run folder: ``with RunLock(path):`` trains, or raises the holder's sentence."""

    def __init__(self, run_path: Path):
        self.path = Path(run_path) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _BINARY, 0o666)
        except OSError as error:
            raise StudioError(f"The run folder '{self.path.parent}' cannot be written ({error.strerror or error}), "
                              "so it cannot be trained here.") from error
        try:
            for attempt in range(_ATTEMPTS):
                if _try_lock(fd):
                    break
                if attempt + 1 < _ATTEMPTS:
                    time.sleep(_ATTEMPT_PAUSE_S)
            else:
                raise StudioError((_read_holder(fd) or Holder()).sentence())
            record = json.dumps({"pid": os.getpid(), "since": time.time()}).encode("ascii")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, record)
        except OSError as error:
            os.close(fd)
            raise StudioError(f"The run's lock file '{self.path}' could not be used ({error.strerror or error}).") from error
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def holder(run_path: Path) -> Holder | None:
    """Who trains the run at ``run_path`` now, or None; needs only read access to the folder."""
    path = Path(run_path) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | _BINARY)
    except OSError:
        return None
    try:
        if _try_lock(fd, shared=True):
            _unlock(fd)
            return None
        return _read_holder(fd) or Holder()
    finally:
        os.close(fd)


def refuse_if_training(run_path: Path) -> None:
    """One sentence naming the holder when another process (or another job of this one) trains the run."""
    found = holder(run_path)
    if found is not None:
        raise StudioError(found.sentence())


def _read_holder(fd: int) -> Holder | None:
    """The record a holder wrote; anything malformed (a file from elsewhere) counts as unknown."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        record = json.loads(os.read(fd, _MAX_RECORD_BYTES).decode("ascii"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    pid, since = record.get("pid"), record.get("since")
    return Holder(
        pid=pid if type(pid) is int and pid > 0 else None,
        since=float(since) if type(since) in (int, float) and 0 < since < 1e11 else None,
    )


def _clock(timestamp: float) -> str:
    """``10:42`` today, ``3 Mar 10:42`` on another day."""
    moment = time.localtime(timestamp)
    same_day = time.strftime("%Y%m%d", moment) == time.strftime("%Y%m%d")
    return time.strftime("%H:%M" if same_day else "%d %b %H:%M", moment).lstrip("0")
