"""Safe writing: a crash, a kill or a full disk never leaves a half-written file or folder in place,
and nothing the analyst already has is ever overwritten by an export.

A single file is written to a hidden temporary name beside it and renamed into place; a set of
files (an export) is written into a hidden staging folder beside its target and renamed into place
at the end. Both hidden names follow one pattern, so leftovers of a crash can be recognised and
removed later without ever touching anything else.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from studio.core.errors import StudioError

TEMP_SUFFIX = ".tmp"
STAGING_SUFFIX = ".partial"
# ``.<target name>.<8 characters from tempfile>.tmp|.partial``: what mkstemp and mkdtemp make below.
_LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}(\.tmp|\.partial)$")
# Every temporary name this process makes is newer than this: the module is imported before any is made.
PROCESS_STARTED = time.time()
T = TypeVar("T")


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# What ``open()`` and ``mkdir()`` would give a new file and folder: the umask applies (mkstemp and
# mkdtemp alone give 0o600 and 0o700, which would keep an export from the colleagues it is made for).
_FILE_MODE = 0o666 & ~_umask()
_FOLDER_MODE = 0o777 & ~_umask()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it into place.

    Any failure (a missing or read-only folder, a full disk) is one sentence, and the temporary
    file is always removed.
    """
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        try:
            handle = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), _FILE_MODE)
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


def occupied(path: Path) -> bool:
    """True when writing a new folder at ``path`` would mix with or replace what is there (an empty folder is free)."""
    path = Path(path)
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def occupied_folder_problem(out_dir: Path) -> str:
    """Why a new folder cannot be written at ``out_dir`` ('' when it can): something is already there."""
    if occupied(out_dir):
        return f"'{out_dir}' already exists and is not empty; choose a new or empty folder."
    return ""


def unused_path(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``… : the first that nothing occupies."""
    candidate, suffix = Path(parent) / name, 1
    while occupied(candidate):
        suffix += 1
        candidate = Path(parent) / f"{name}-{suffix}"
    return candidate


def export_folder(chosen: Path, name: str) -> Path:
    """Where an export into the folder ``chosen`` goes: ``chosen`` itself if it is empty, else a new
    ``name`` (``name-2``…) folder inside it, so an export never mixes with files already there."""
    return Path(chosen) if not occupied(chosen) else unused_path(chosen, name)


def write_new_folder(out_dir: Path, fill: Callable[[Path], T]) -> T:
    """Run ``fill`` on a hidden staging folder beside ``out_dir``, then rename it into place.

    ``out_dir`` must be new or empty, so an export never mixes with or replaces what is there; a
    cancel, a crash or a full disk leaves nothing behind.
    """
    out_dir = Path(out_dir)
    problem = occupied_folder_problem(out_dir)
    if problem:
        raise StudioError(problem)
    staging = None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=STAGING_SUFFIX, dir=out_dir.parent))
        staging.chmod(_FOLDER_MODE)
        result = fill(staging)
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
    except OSError as error:
        _discard_folder(staging)
        raise as_studio_error(error, out_dir) from error
    except BaseException:
        _discard_folder(staging)
        raise
    return result


def remove_leftovers(folder: Path, older_than: float = PROCESS_STARTED) -> list[Path]:
    """Remove the temporary files and staging folders a crash left in ``folder``; returns what was removed.

    Only names of the pattern this module makes, last modified before ``older_than`` (by default
    when this process started, so its own writes in progress are never touched). Anything that
    cannot be removed is left as it is.
    """
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not _LEFTOVER.match(entry.name):
            continue
        try:
            if entry.is_symlink() or entry.lstat().st_mtime >= older_than:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue
        removed.append(entry)
    return removed


def _discard(tmp_name: str | None) -> None:
    if tmp_name is None:
        return
    try:
        os.unlink(tmp_name)
    except OSError:
        pass


def _discard_folder(staging: Path | None) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)


def as_studio_error(error: OSError, path: Path) -> StudioError:
    """One sentence for a failed write of ``path``: full disk, read-only folder, a file in the way, or the system's reason."""
    path = Path(path)
    folder = _nearest_existing(path.parent)
    if error.errno == errno.ENOSPC:
        return StudioError(f"The disk is full: '{path}' could not be written; what was there before is unchanged.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StudioError(f"'{folder}' is not writable; choose another folder.")
    if error.errno in (errno.ENOTDIR, errno.EEXIST) and not folder.is_dir():
        return StudioError(f"'{path}' cannot be written because '{folder}' is a file, not a folder.")
    return StudioError(f"'{path}' could not be written ({error.strerror or error}).")


def check_free_space(target: Path, needed: int, what: str) -> None:
    """Refuse, before any work starts, to write about ``needed`` bytes (``what``, in words) where the disk
    holding ``target`` has less free space."""
    folder = _nearest_existing(Path(target).absolute())
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the write itself will say what is wrong with the folder
    if needed > free:
        raise StudioError(f"{what} would need about {needed / 1024**2:,.0f} MiB, but the disk of '{folder}' has only "
                          f"{free / 1024**2:,.0f} MiB free; write fewer or choose another disk.")


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (what a permission or a file in the way applies to)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path
