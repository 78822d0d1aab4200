"""Start GAN Studio: the window first, the slow work (import torch, load the demo) behind it."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from studio import __version__

STYLE_SHEET = Path(__file__).resolve().parents[2] / "resources" / "studio.qss"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the studio's name, organisation and style sheet (reused if one exists)."""
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("GAN Studio")
    app.setApplicationDisplayName("GAN Studio")
    app.setOrganizationName("GAN Studio")
    app.setApplicationVersion(__version__)
    if STYLE_SHEET.is_file():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    return app


def main(argv: list[str] | None = None) -> int:
    app = create_application(argv)
    from studio.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    QTimer.singleShot(0, window.start)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
