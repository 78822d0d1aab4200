"""Image folders: class = first-level sub-folder, any file Pillow reads; bad files are skipped and listed.

The scan never leaves the folder and never fails on what it finds: a symbolic link that leads
outside, a link loop, a link to a folder, a name that is not valid text, something that is not a
regular file (a pipe would block a reader forever) or a file over the size limit is skipped and
listed with its reason. Links to files inside the folder are read like the files themselves.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from studio.core.config import DataConfig
from studio.core.data.build import from_files
from studio.core.data.dataset import ImageDataset
from studio.core.data.limits import Limits, current_limits
from studio.core.data.readers import FolderReader, too_large
from studio.core.errors import StudioError
from studio.core.tasks import TaskState

UNLABELLED = "unlabelled"
OUTSIDE = "symbolic link leading outside the dataset folder (not followed)"
LOOP = "symbolic link loop"
BROKEN = "symbolic link to nothing"
LINKED_FOLDER = "symbolic link to a folder (not followed)"
BAD_NAME = "name is not valid text (UTF-8)"
NOT_A_FILE = "not a regular file"

Found = tuple[str, str, os.stat_result]  # (relative path, class, stat)


def load_folder_dataset(root: Path, config: DataConfig, task: TaskState | None = None) -> ImageDataset:
    root = Path(root)
    limits = current_limits()
    files, refused, hidden = scan(root, limits)
    if not files and not refused:
        raise StudioError(f"The folder '{root}' contains no files.")
    if not files:
        raise StudioError(f"None of the {len(refused)} files in '{root}' can be read ('{refused[0][0]}': {refused[0][1]}).")
    return from_files(source=str(root), kind="folder", files=[(name, label) for name, label, _ in files],
                      read=FolderReader(root, limits.file_bytes), config=config, refused=refused,
                      hidden_folders=hidden, task=task)


def scan(root: Path, limits: Limits) -> tuple[list[Found], list[tuple[str, str]], list[str]]:
    """Every usable non-hidden file under ``root`` in a stable order, what was refused and why, and the
    hidden folders (names starting with a dot: ``.git``, ``.cache``) left out."""
    found: list[Found] = []
    refused: list[tuple[str, str]] = []
    hidden: list[str] = []
    real_root = os.path.realpath(root)
    visited: set[tuple[int, int]] = set()

    def walk(directory: str, relative: str, label: str) -> None:
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in visited:
                return
            visited.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            refused.append((shown(relative.rstrip("/")) or ".", f"folder cannot be read ({error.strerror})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                if entry.is_dir(follow_symlinks=False):
                    hidden.append(shown(f"{relative}{entry.name}"))
                continue
            name = f"{relative}{entry.name}"
            if not valid_text(entry.name):
                refused.append((shown(name), BAD_NAME))
                continue
            try:
                if entry.is_symlink():
                    _link(entry, name, label if relative else UNLABELLED)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path, name + "/", label if relative else entry.name)
                else:
                    _file(entry.stat(follow_symlinks=False), name, label if relative else UNLABELLED)
            except OSError as error:  # it vanished or changed while being looked at
                refused.append((name, f"cannot be read ({error.strerror})"))

    def _link(entry: os.DirEntry, name: str, label: str) -> None:
        try:
            info = os.stat(entry.path)
        except OSError as error:
            refused.append((name, LOOP if error.errno == errno.ELOOP else BROKEN))
            return
        target = os.path.realpath(entry.path)
        if os.path.commonpath([real_root, target]) != real_root:
            refused.append((name, OUTSIDE))
        elif stat.S_ISDIR(info.st_mode):
            refused.append((name, LINKED_FOLDER))
        else:
            _file(info, name, label)

    def _file(info: os.stat_result, name: str, label: str) -> None:
        if not stat.S_ISREG(info.st_mode):
            refused.append((name, NOT_A_FILE))
        elif info.st_size > limits.file_bytes:
            refused.append((name, too_large(info.st_size, limits.file_bytes)))
        else:
            found.append((name, label, info))

    walk(str(root), "", UNLABELLED)
    return found, refused, hidden


def valid_text(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(name: str) -> str:
    """A name that may hold undecodable bytes, printable (each bad byte as �)."""
    return os.fsencode(name).decode("utf-8", "replace")


def folder_fingerprint(root: Path) -> str:
    """Names, sizes and modification times of every file, and every refusal: any change changes it."""
    digest = hashlib.blake2b(digest_size=16)
    files, refused, hidden = scan(Path(root), current_limits())
    for name, _, info in files:
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    for name, reason in refused:
        digest.update(f"{name}\0{reason}\n".encode())
    for name in hidden:  # the report names them
        digest.update(f"{name}\0hidden\n".encode())
    return digest.hexdigest()
