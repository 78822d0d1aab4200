"""Help → About GAN Studio through the real menu: versions, device and folders, and Copy diagnostics."""

from __future__ import annotations

import platform

from PySide6.QtGui import QGuiApplication

from studio import __version__
from tests.gui.helpers import click


def _about_action(window):
    help_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Help")
    return next(action for action in help_menu.actions() if action.text() == "About GAN Studio")


def test_about_opens_from_the_help_menu_and_copies_diagnostics(qtbot, open_window, studio_home):
    import torch
    from PySide6 import __version__ as pyside_version

    window = open_window()
    qtbot.waitUntil(lambda: "detecting" not in window.device_label.text(), timeout=30_000)
    device = window.device_label.text().removeprefix("Device: ")
    _about_action(window).trigger()
    dialog = window.findChild(type(window.about_dialog), "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.value_labels["GAN Studio"].text() == __version__
    assert dialog.value_labels["Device"].text() == device and device.startswith("CPU")
    assert dialog.value_labels["Runs"].text() == str(studio_home / "runs")

    QGuiApplication.clipboard().clear()
    click(qtbot, dialog.copy_button)
    text = QGuiApplication.clipboard().text()
    lines = dict(line.split(":", 1) for line in text.splitlines())
    values = {key: value.strip() for key, value in lines.items()}
    assert values["GAN Studio"] == __version__
    assert values["Python"].startswith(platform.python_version())
    assert values["torch"].startswith(torch.__version__)
    assert f"PySide6 {pyside_version}" in values["Qt"]
    assert values["Device"] == device
    assert values["Runs"] == str(studio_home / "runs")
    assert values["Settings"] == str(studio_home / "settings" / "gan-studio.ini")
    assert platform.machine() in values["Operating system"]
    assert dialog.message.text() == "Copied to the clipboard."
    dialog.close()

