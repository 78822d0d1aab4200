"""Zip archives with the folder layout, read in place: nothing is extracted, nothing is written.

Entry names that try to leave the archive (``../``, absolute paths, drive letters) are refused
and listed. A single top-level folder wrapping everything (``photos/cats/a.png``) is looked through.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from studio.core.config import DataConfig
from studio.core.data.build import Cancel, Progress, from_files
from studio.core.data.dataset import ImageDataset
from studio.core.data.decode import Unreadable
from studio.core.data.folder import UNLABELLED
from studio.core.errors import StudioError

MAX_ENTRY_BYTES = 256 * 1024 * 1024
ESCAPING = "escaping path refused (it points outside the archive)"


def load_zip_dataset(path: Path, config: DataConfig, progress: Progress = None, cancelled: Cancel = None) -> ImageDataset:
    entries, refused = _entries(path)
    if not entries:
        raise StudioError(f"The zip file '{path}' contains no files.")
    prefix = _common_folder([name for name in entries])
    files = []
    for name in entries:
        parts = PurePosixPath(name).parts[prefix:]
        files.append((name, parts[0] if len(parts) > 1 else UNLABELLED))
    return from_files(source=str(path), kind="zip", files=files, read=ZipReader(path), config=config,
                      refused=refused, progress=progress, cancelled=cancelled)


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


def _entries(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    entries, refused = [], []
    for info in _infos(path):
        name = info.filename
        if info.is_dir() or PurePosixPath(name).name.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if _escapes(name):
            refused.append((name, ESCAPING))
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


class ZipReader:
    """Reads entries of one archive; each process opens the archive once, on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._archive: zipfile.ZipFile | None = None

    def __call__(self, name: str) -> bytes:
        if self._archive is None:
            self._archive = zipfile.ZipFile(self.path)
        try:
            info = self._archive.getinfo(name)
            if info.file_size > MAX_ENTRY_BYTES:
                raise Unreadable(f"too large ({info.file_size:,} bytes unpacked)")
            return self._archive.read(info)
        except RuntimeError:
            raise Unreadable("encrypted entry (the studio cannot read password-protected zips)") from None
        except NotImplementedError:
            raise Unreadable("compressed with a method the studio cannot read") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError):
            raise Unreadable("damaged entry in the zip") from None
