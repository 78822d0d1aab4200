"""Whether an export fits on its disk, checked before any image is made: a request too large for the
disk is one sentence, not hours of generating that end in a full disk."""

from __future__ import annotations

import shutil
from pathlib import Path

from studio.core.data.limits import describe
from studio.core.errors import StudioError

PNG_HEADERS = 256  # signature, header, end and compression framing of one PNG, generously


def png_bound(resolution: int) -> int:
    """The most bytes a PNG of an RGB image at ``resolution`` takes: its raw pixels, a filter byte per row
    and its framing (noise barely compresses, so a generous bound is also a fair one)."""
    return 3 * resolution * resolution + resolution + PNG_HEADERS


def check_room(out_dir: Path, real: int, synthetic: int, resolution: int) -> None:
    """Refuse in one sentence when ``real`` + ``synthetic`` images at ``resolution`` may not fit on the disk
    that will hold ``out_dir``; the sentence says how many synthetic images would."""
    free = shutil.disk_usage(_existing(Path(out_dir))).free
    each = png_bound(resolution)
    needed = (real + synthetic) * each
    if needed > free:
        room = max(0, free // each - real)
        raise StudioError(f"{synthetic:,} synthetic and {real:,} real images at {resolution} px need up to "
                          f"{describe(needed)}, but the disk of '{out_dir}' has {describe(free)} free; ask for at most "
                          f"{room:,} synthetic images, or free some space.")


def _existing(path: Path) -> Path:
    """``path`` or its nearest folder that exists (the export folder itself is made later)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
