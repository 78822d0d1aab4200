"""One writer per run: whoever trains a run holds an operating-system lock on ``<run>/.training.lock``.

The lock is ``flock`` on Linux and macOS and ``msvcrt.locking`` on Windows, so the system releases
it when the process ends, however it ends (a crash, ``kill -9``): a lock is never left behind. The
file records who holds it (process id, since when) for the sentence another process shows; once
the lock is free its contents mean nothing. Reading a run (opening, sampling, reports, exploring)
never takes the lock.

A run folder may come from someone else, so the lock file is only ever used when it is a regular
file of its own: it is never followed through a symbolic link, never opened when it is a pipe or a
device (which would block the reader), and its record is read up to 4 KiB. A trainer that finds
anything else there (a link, a pipe, a second name of another file) treats it as a stale lock and
atomically puts an empty file of its own in its place, so nothing outside the run is ever written.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import StudioError
from studio.core.files import write_bytes_atomic
from studio.core.validation import SAFE_OPEN

LOCK_FILE = ".training.lock"
# A process that only checks the lock holds it for a moment: a trainer starting just then tries again.
_ATTEMPTS = 5
_ATTEMPT_PAUSE_S = 0.05
_MAX_RECORD_BYTES = 4096
# Windows locks are mandatory, so the locked byte lies far past the record, which stays readable.
_WINDOWS_LOCK_OFFSET = 1 << 30

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
        fd: int | None = self._open()
        try:
            for attempt in range(_ATTEMPTS):
                if _try_lock(fd):
                    if _names(self.path, fd):
                        break
                    # Another trainer replaced a stale lock file after we opened it: the one named now counts.
                    _unlock(fd)
                    os.close(fd)
                    fd = None
                    fd = self._open()
                    continue
                if attempt + 1 < _ATTEMPTS:
                    time.sleep(_ATTEMPT_PAUSE_S)
            else:
                raise StudioError((_read_holder(fd) or Holder()).sentence())
            record = json.dumps({"pid": os.getpid(), "since": time.time()}).encode("ascii")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, record)
        except OSError as error:
            _close(fd)
            raise StudioError(f"The run's lock file '{self.path}' could not be used ({error.strerror or error}).") from error
        except BaseException:
            _close(fd)
            raise
        self._fd = fd
        return self

    def _open(self) -> int:
        """The lock file opened for writing (created when missing); a stale one that is not a regular file
        of its own (a link, a pipe, a device, a second name of another file) is replaced by an empty one."""
        try:
            fd = _open_regular(self.path, os.O_RDWR | os.O_CREAT, writing=True)
            if fd is None and not stat.S_ISDIR(os.lstat(self.path).st_mode):
                write_bytes_atomic(self.path, b"")
                fd = _open_regular(self.path, os.O_RDWR | os.O_CREAT, writing=True)
        except OSError as error:
            raise self._unusable(error.strerror or str(error)) from error
        if fd is None:
            raise self._unusable(f"its lock file {LOCK_FILE} is a folder")
        return fd

    def _unusable(self, reason: str) -> StudioError:
        return StudioError(f"The run folder '{self.path.parent}' cannot be written ({reason}), so it cannot be trained here.")

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
    """Who trains the run at ``run_path`` now, or None; needs only read access to the folder.

    A lock file that is not a regular file (a link, a pipe) is held by nobody: a trainer replaces it.
    """
    try:
        fd = _open_regular(Path(run_path) / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return None
    if fd is None:
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


def _open_regular(path: Path, flags: int, writing: bool = False) -> int | None:
    """``path`` opened when it is a regular file (for ``writing``, one with no other name); None when it is
    anything else, checked before it is opened (never through a link, never blocking on a pipe) and again after."""
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
        before = None
    if before is not None and not _own_regular_file(before, writing):
        return None
    try:
        fd = os.open(path, flags | SAFE_OPEN, 0o666)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EMLINK):
            return None  # swapped for a link, folder or pipe since it was looked at
        raise
    if not _own_regular_file(os.fstat(fd), writing):
        os.close(fd)
        return None
    return fd


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def _own_regular_file(status: os.stat_result, writing: bool) -> bool:
    return stat.S_ISREG(status.st_mode) and (not writing or status.st_nlink <= 1)


def _names(path: Path, fd: int) -> bool:
    """True when ``path`` still names the file open as ``fd``."""
    try:
        named, opened = os.lstat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


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
