"""Zip archives with the folder layout, read in place: nothing is extracted, nothing is written.

Entry names that try to leave the archive (``../``, absolute paths, drive letters) and entries
whose header gives an unpacked size over the per-file limit are refused and listed. A single
top-level folder wrapping everything (``photos/cats/a.png``) is looked through.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path, PurePosixPath

from studio.core.config import DataConfig
from studio.core.data.build import from_files
from studio.core.data.dataset import ImageDataset
from studio.core.data.folder import UNLABELLED
from studio.core.data.limits import current_limits
from studio.core.data.readers import ZipReader, too_large
from studio.core.errors import StudioError
from studio.core.tasks import TaskState

ESCAPING = "escaping path refused (it points outside the archive)"


def load_zip_dataset(path: Path, config: DataConfig, task: TaskState | None = None) -> ImageDataset:
    limits = current_limits()
    entries, refused = _entries(path, limits.file_bytes)
    if not entries and refused:
        raise StudioError(f"None of the {len(refused)} files in '{path}' can be read ('{refused[0][0]}': {refused[0][1]}).")
    if not entries:
        raise StudioError(f"The zip file '{path}' contains no files.")
    prefix = _common_folder([name for name in entries])
    files = []
    for name in entries:
        parts = PurePosixPath(name).parts[prefix:]
        files.append((name, parts[0] if len(parts) > 1 else UNLABELLED))
    return from_files(source=str(path), kind="zip", files=files, read=ZipReader(path, limits.file_bytes), config=config,
                      refused=refused, task=task)


def zip_fingerprint(path: Path) -> str:
    """The archive's directory: every entry's name, size and CRC-32, i.e. its content."""
    digest = hashlib.blake2b(digest_size=16)
    for info in _infos(path):
        digest.update(f"{info.filename}\0{info.file_size}\0{info.CRC}\n".encode())
    return digest.hexdigest()


def _infos(path: Path) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise StudioError(f"'{path}' is not a readable zip file.") from None


def _entries(path: Path, max_bytes: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Entries to decode and entries refused, judged by the directory alone (sizes as the headers give them)."""
    entries, refused = [], []
    for info in _infos(path):
        name = info.filename
        if info.is_dir() or PurePosixPath(name).name.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if _escapes(name):
            refused.append((name, ESCAPING))
        elif info.file_size > max_bytes:
            refused.append((name, too_large(info.file_size, max_bytes)))
        else:
            entries.append(name)
    return sorted(entries), refused


def _escapes(name: str) -> bool:
    unified = name.replace("\\", "/")
    parts = PurePosixPath(unified).parts
    return unified.startswith("/") or ".." in parts or (len(unified) > 1 and unified[1] == ":")


def _common_folder(names: list[str]) -> int:
    """1 when every entry sits inside the same top-level folder, else 0."""
    tops = {PurePosixPath(name).parts[0] for name in names}
    deep = all(len(PurePosixPath(name).parts) > 1 for name in names)
    return 1 if len(tops) == 1 and deep else 0
