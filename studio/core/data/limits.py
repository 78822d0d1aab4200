"""How much one dataset may make the studio read and hold, checked before anything is read.

Every size is compared with what a file's size on disk or an archive's header promises, so a
file that would blow up memory (a sparse multi-gigabyte file, a small zip member that inflates to
gigabytes, an array header claiming a billion images) is refused before a byte of it is read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from studio.core.errors import StudioError

MIB = 1024**2
GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """The limits of one load. Defaults, and the environment variable that changes each:

    - ``file_bytes`` 1 GiB (``GAN_STUDIO_MAX_FILE_MB``): one file or archive member, by its size on
      disk or its header: an image file, a zip entry, a CIFAR batch, an IDX file, a NumPy array.
    - ``total_bytes`` 1 GiB (``GAN_STUDIO_MAX_TOTAL_MB``): everything one source unpacks into memory
      together before decoding (a CIFAR archive's batches, IDX files, the arrays of an ``.npz``).
    - ``images_bytes`` 8 GiB (``GAN_STUDIO_MAX_IMAGES_MB``): the finished images, count × 3 ×
      resolution² bytes, checked before they are allocated.
    - ``stall_seconds`` 60 (``GAN_STUDIO_LOAD_STALL_S``): a load in which no file finishes decoding
      for this long stops, naming the file it was stuck on.
    """

    file_bytes: int = 1 * GIB
    total_bytes: int = 1 * GIB
    images_bytes: int = 8 * GIB
    stall_seconds: float = 60.0

    @classmethod
    def from_environment(cls) -> Limits:
        defaults = cls()
        return cls(
            file_bytes=_mib("GAN_STUDIO_MAX_FILE_MB", defaults.file_bytes),
            total_bytes=_mib("GAN_STUDIO_MAX_TOTAL_MB", defaults.total_bytes),
            images_bytes=_mib("GAN_STUDIO_MAX_IMAGES_MB", defaults.images_bytes),
            stall_seconds=_positive("GAN_STUDIO_LOAD_STALL_S", defaults.stall_seconds, "seconds"),
        )

    def check_file(self, name: str, size: int) -> None:
        if size > self.file_bytes:
            raise StudioError(f"'{name}' is {describe(size)}, over the limit of {describe(self.file_bytes)} per file "
                              f"(GAN_STUDIO_MAX_FILE_MB).")

    def check_total(self, name: str, size: int) -> None:
        if size > self.total_bytes:
            raise StudioError(f"'{name}' unpacks to {describe(size)}, over the limit of {describe(self.total_bytes)} "
                              f"per dataset (GAN_STUDIO_MAX_TOTAL_MB).")

    def check_images(self, name: str, count: int, side: int) -> None:
        size = count * 3 * side * side
        if size > self.images_bytes:
            raise StudioError(f"'{name}' would need {describe(size)} for {count:,} images at {side} px, over the limit "
                              f"of {describe(self.images_bytes)} (GAN_STUDIO_MAX_IMAGES_MB); use fewer images or a "
                              f"smaller resolution.")


def current_limits() -> Limits:
    """The limits in force now (read at the start of every load, so a changed variable applies at once)."""
    return Limits.from_environment()


def describe(size: int) -> str:
    if size >= GIB:
        return f"{size / GIB:,.1f} GiB"
    if size >= MIB:
        return f"{size / MIB:,.1f} MiB"
    return f"{size:,} bytes"


def _mib(variable: str, default: int) -> int:
    return int(_positive(variable, default / MIB, "MiB") * MIB)


def _positive(variable: str, default: float, unit: str) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 < value < float("inf")):
        raise StudioError(f"{variable} must be a positive number of {unit}, not '{text}'.")
    return value
