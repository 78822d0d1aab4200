"""The QApplication as GAN Studio sets it up: name, organisation, icon and style sheet.

Used by the studio's start (:mod:`studio.gui.app`), the self-test and the panels run alone; Qt is
imported inside the function, so importing this module never loads Qt.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from studio import __version__
from studio.resource_files import icon_files, resource_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

STYLE_SHEET = resource_path("studio.qss")


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the studio's name, organisation, icon and style sheet (reused if one exists)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("GAN Studio")
    app.setApplicationDisplayName("GAN Studio")
    app.setOrganizationName("GAN Studio")
    app.setApplicationVersion(__version__)
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    app.setWindowIcon(icon)
    app.setDesktopFileName("org.ganstudio.GANStudio")  # the Linux desktop entry, for the taskbar's icon
    if STYLE_SHEET.is_file():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    return app
