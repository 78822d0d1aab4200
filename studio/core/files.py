"""Atomic file writes: a crash, a kill or a full disk never leaves a half-written file in place."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from studio.core.errors import StudioError


def _default_file_mode() -> int:
    """What ``open()`` would give a new file: 0o666 less the umask (mkstemp alone gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _default_file_mode()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as error:
        _discard(tmp_name)
        raise as_studio_error(error, path) from error
    except BaseException:
        _discard(tmp_name)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def _discard(tmp_name: str) -> None:
    try:
        os.unlink(tmp_name)
    except FileNotFoundError:
        pass


def as_studio_error(error: OSError, path: Path) -> StudioError:
    """One sentence for a failed write: full disk, read-only target, or the system's reason."""
    if error.errno == errno.ENOSPC:
        return StudioError(f"The disk is full: '{path}' could not be written and the previous file was kept.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StudioError(f"'{path.parent}' is not writable.")
    return StudioError(f"'{path}' could not be written ({error.strerror}).")
