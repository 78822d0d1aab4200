"""Make every icon file from the one drawing in ``resources/icons/draw_icon.py``.

    python packaging/make_icons.py

writes ``resources/icons/gan-studio-<size>.png`` (16 to 512 px; the studio's window icon and the Linux
desktop entry), ``resources/icons/gan-studio.ico`` (Windows) and ``resources/icons/gan-studio.icns``
(macOS). The generated files are committed, so a build never needs to run this.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def load_drawing():
    spec = importlib.util.spec_from_file_location("draw_icon", ICONS / "draw_icon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    master = load_drawing().draw_master()
    for size in SIZES:
        master.resize((size, size), Image.Resampling.LANCZOS).save(ICONS / f"gan-studio-{size}.png", optimize=True)
    master.resize((256, 256), Image.Resampling.LANCZOS).save(
        ICONS / "gan-studio.ico", sizes=[(size, size) for size in ICO_SIZES])
    master.save(ICONS / "gan-studio.icns")
    for path in sorted(ICONS.glob("gan-studio*")):
        print(f"{path.relative_to(ICONS.parents[1])}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
