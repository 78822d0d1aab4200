"""How a decoding worker gets one file's bytes: from a folder or from a zip, never more than a limit.

Readers are sent to the worker processes, so this module imports only the standard library and
:mod:`decode` (no torch: a worker starts in a fraction of a second).
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from studio.core.data.decode import Unreadable
from studio.core.data.limits import describe


class FolderReader:
    """Reads one file by its path relative to the dataset folder, refusing one over ``max_bytes``."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def __call__(self, name: str) -> bytes:
        try:
            with open(self.root / name, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise Unreadable("not a regular file")
                if info.st_size > self.max_bytes:
                    raise Unreadable(too_large(info.st_size, self.max_bytes))
                data = handle.read(self.max_bytes + 1)  # a file that grew since it was listed stops here
        except PermissionError:
            raise Unreadable("cannot be read (permission denied)") from None
        except FileNotFoundError:
            raise Unreadable("disappeared while loading") from None
        except OSError as error:
            raise Unreadable(f"cannot be read ({error.strerror})") from None
        if len(data) > self.max_bytes:
            raise Unreadable(too_large(len(data), self.max_bytes))
        return data


class ZipReader:
    """Reads entries of one archive; each process opens the archive once, on first use."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._archive: zipfile.ZipFile | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_archive": None}  # an open archive stays in the process that opened it

    def __call__(self, name: str) -> bytes:
        try:
            if self._archive is None:
                self._archive = zipfile.ZipFile(self.path)
            info = self._archive.getinfo(name)
            if info.file_size > self.max_bytes:
                raise Unreadable(too_large(info.file_size, self.max_bytes))
            return self._archive.read(info)  # zipfile never inflates past the size the header gives
        except RuntimeError:
            raise Unreadable("encrypted entry (the studio cannot read password-protected zips)") from None
        except NotImplementedError:
            raise Unreadable("compressed with a method the studio cannot read") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError):
            raise Unreadable("damaged entry in the zip") from None


def too_large(size: int, limit: int) -> str:
    return f"too large ({describe(size)}; the limit is {describe(limit)} per file)"
