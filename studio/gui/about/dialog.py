"""Help → About GAN Studio: what this installation is, in a form that can be pasted into a message."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import studio
from studio import __version__
from studio.core import paths
from studio.gui.naming import named
from studio.gui.settings import SETTINGS_FILE
from studio.resource_files import resources_dir


def _torch_version() -> str:
    """torch's version without importing it on the GUI thread (the window imports it behind itself)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        cuda = getattr(torch.version, "cuda", None)
        return f"{torch.__version__}" + (f" (CUDA {cuda})" if cuda else "")
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "not found"


def _installation() -> str:
    if getattr(sys, "frozen", False):
        return f"bundled app ({Path(sys.executable).parent})"
    return f"Python package ({Path(studio.__file__).resolve().parent}), resources in {resources_dir()}"


def diagnostics(device: str) -> list[tuple[str, str]]:
    """(label, value) rows: versions, device, folders, platform; ``device`` is the window's device line."""
    app = QGuiApplication.instance()
    return [
        ("GAN Studio", __version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("torch", _torch_version()),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Device", device or "not yet detected"),
        ("Runs", str(paths.runs_dir())),
        ("Settings", str(paths.settings_dir() / SETTINGS_FILE)),
        ("Dataset cache", str(paths.cache_dir())),
        ("Installed as", _installation()),
        ("Operating system", f"{platform.platform()} ({platform.machine()})"),
        ("Qt platform", app.platformName() if app is not None else "none"),
    ]


def diagnostics_text(device: str) -> str:
    """The plain-text block "Copy diagnostics" puts on the clipboard."""
    rows = diagnostics(device)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in rows) + "\n"


class AboutDialog(QDialog):
    """Versions, device and folders; "Copy diagnostics" copies them all as plain text."""

    def __init__(self, device: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About GAN Studio")
        self.device = device
        layout = QVBoxLayout(self)
        title = named(QLabel(f"<h2>GAN Studio {__version__}</h2>"
                             "<p>Train, explore and export generative adversarial networks on your own images.</p>"),
                      "aboutTitle", "About GAN Studio")
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        self.value_labels: dict[str, QLabel] = {}
        for label, value in diagnostics(device):
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            named(field, f"about{label.title().replace(' ', '')}", label)
            self.value_labels[label] = field
            form.addRow(f"{label}:", field)
        layout.addLayout(form)
        self.message = named(QLabel(""), "aboutMessage", "About status")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = named(QPushButton("Copy diagnostics"), "copyDiagnosticsButton", "Copy diagnostics",
                                 "Copy the versions, device, folders and platform as plain text, to paste into a message.")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_diagnostics)
        layout.addWidget(buttons)

    def copy_diagnostics(self) -> None:
        QGuiApplication.clipboard().setText(diagnostics_text(self.device))
        self.message.setText("Copied to the clipboard.")
