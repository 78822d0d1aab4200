"""Where the studio's resources (style sheet, icons) are, wherever the studio runs from.

The top-level ``resources/`` folder of the source tree is their one source. An installed wheel and
the bundled app carry them inside the package as ``studio/resources``; a source checkout (also an
editable install) reads the top-level folder itself.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding ``studio.qss`` and ``icons/``."""
    packaged = _PACKAGE / "resources"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> list[Path]:
    """The application icon in every size that is present, smallest first."""
    return [path for size in ICON_SIZES if (path := resource_path("icons", f"gan-studio-{size}.png")).is_file()]
