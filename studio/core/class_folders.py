"""Folder names for the classes of an export that makes a folder per class (a batch of samples, a
balanced dataset): each class's own name where every common file system allows it."""

from __future__ import annotations

import re
from collections.abc import Sequence

UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')  # separators, and what Windows refuses in a name
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_LENGTH = 100


def class_folder_names(class_names: Sequence[str], count: int | None = None) -> list[str]:
    """The folder of each class ``0 .. count - 1`` (every named class by default), in order.

    Unsafe characters become ``-`` ("T-shirt/top" is ``T-shirt-top``); a name with nothing left, or no
    name, is ``class-<index>``; a name taken by an earlier class (case aside, as on Windows and macOS)
    gets ``-2``, ``-3``…, so no two classes share a folder.
    """
    count = len(class_names) if count is None else count
    folders: list[str] = []
    taken: set[str] = set()
    for index in range(count):
        base = _safe(class_names[index] if index < len(class_names) else "") or f"class-{index}"
        folder, copy = base, 1
        while folder.lower() in taken:
            copy += 1
            folder = f"{base}-{copy}"
        taken.add(folder.lower())
        folders.append(folder)
    return folders


def _safe(name: str) -> str:
    """``name`` without separators or characters a file system refuses; without leading dots (a hidden
    folder) or trailing dots and spaces (Windows drops them)."""
    text = UNSAFE.sub("-", str(name)).strip(" .")[:MAX_LENGTH].rstrip(" .")
    if text.split(".")[0].upper() in WINDOWS_RESERVED:
        text += "_"
    return text
