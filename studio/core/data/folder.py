"""Image folders: class = first-level sub-folder, any file Pillow reads; bad files are skipped and listed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from studio.core.config import DataConfig
from studio.core.data.build import Cancel, Progress, from_files
from studio.core.data.dataset import ImageDataset
from studio.core.data.decode import Unreadable
from studio.core.errors import StudioError

UNLABELLED = "unlabelled"


def load_folder_dataset(root: Path, config: DataConfig, progress: Progress = None, cancelled: Cancel = None) -> ImageDataset:
    root = Path(root)
    files = list_files(root)
    if not files:
        raise StudioError(f"The folder '{root}' contains no files.")
    return from_files(source=str(root), kind="folder", files=[(name, label) for name, label, _ in files],
                      read=FolderReader(root), config=config, progress=progress, cancelled=cancelled)


def list_files(root: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every non-hidden file under ``root`` as ``(relative path, class, stat)``, in a stable order."""
    found = []

    def walk(directory: str, relative: str, label: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except PermissionError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{relative}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, name + "/", label if relative else entry.name)
            elif entry.is_file():
                found.append((name, label if relative else UNLABELLED, entry.stat()))

    walk(str(root), "", UNLABELLED)
    return found


def folder_fingerprint(root: Path) -> str:
    """Names, sizes and modification times of every file: any added, removed or edited file changes it."""
    digest = hashlib.blake2b(digest_size=16)
    for name, _, stat in list_files(Path(root)):
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class FolderReader:
    """Reads one file's bytes by its path relative to the dataset folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __call__(self, name: str) -> bytes:
        try:
            return (self.root / name).read_bytes()
        except PermissionError:
            raise Unreadable("cannot be read (permission denied)") from None
        except FileNotFoundError:
            raise Unreadable("disappeared while loading") from None
        except OSError as error:
            raise Unreadable(f"cannot be read ({error.strerror})") from None
