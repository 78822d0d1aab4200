"""The Linux system libraries Qt needs, checked before Qt is loaded.

PySide6 brings Qt itself but not the libraries of the desktop it draws on. On a minimal Linux
they are often missing, and Qt then stops with its own message ("could not load the Qt platform
plugin xcb…") or importing PySide6 fails, which tells an analyst nothing about what to install.
This module names the Debian/Ubuntu packages instead. It imports nothing from Qt.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping
from typing import TextIO

# soname -> the Debian/Ubuntu package that installs it.
QT_LIBRARIES = {  # loaded by Qt itself, whatever it draws on
    "libglib-2.0.so.0": "libglib2.0-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
XCB_LIBRARIES = {  # loaded by Qt's xcb platform (an X11 desktop, or X11 under Wayland)
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def library_found(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` where Qt will look for it."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will draw through xcb: asked for by name, or by default on an X11 display (a
    Wayland session without QT_QPA_PLATFORM gets Qt's Wayland platform first)."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and bool(environ.get("WAYLAND_DISPLAY"))
    return bool(environ.get("DISPLAY")) and not wayland


def missing_packages(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> list[str]:
    """The packages to install before Qt can start here, in a stable order; none outside Linux."""
    if not platform.startswith("linux"):
        return []
    environ = os.environ if environ is None else environ
    needed = dict(QT_LIBRARIES)
    if uses_xcb(environ):
        needed.update(XCB_LIBRARIES)
    return [package for soname, package in needed.items() if not library_found(soname)]


def install_sentence(packages: list[str]) -> str:
    """One sentence for the analyst, with the command that fixes it."""
    return (f"GAN Studio cannot open its window because {len(packages)} system "
            f"{'library is' if len(packages) == 1 else 'libraries are'} missing: install "
            f"{'it' if len(packages) == 1 else 'them'} with `sudo apt-get install {' '.join(packages)}` "
            f"(Debian/Ubuntu) and start it again.")


def report_missing(stream: TextIO | None = None) -> bool:
    """Print the install sentence if packages are missing here; whether it was printed."""
    packages = missing_packages()
    if packages:
        print(install_sentence(packages), file=stream or sys.stderr)
    return bool(packages)
