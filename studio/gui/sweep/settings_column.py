"""The Sweep tab's left column: the sweep folder (New sweep…, Open sweep…), the budget and what to search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from studio.core.config import DEMO_SOURCE, DataConfig

from studio.gui.naming import named
from studio.gui.sweep.budget_box import BudgetBox
from studio.gui.sweep.space_editor import SpaceEditor

NO_FOLDER = "Choose New sweep… for a new sweep folder, or Open sweep… to continue one."


def describe_dataset(dataset: Any, data: DataConfig | None) -> str:
    """The studio's loaded dataset in a line ('' while none is loaded)."""
    if data is None or dataset is None:
        return ""
    source = "the built-in demo set" if data.source == DEMO_SOURCE else Path(data.source).name
    classes = len(getattr(dataset, "class_names", []))
    return f"{source}: {len(dataset):,} images at {data.resolution} px" + (f", {classes} classes" if classes > 1 else "")


class SettingsColumn(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "sweepSettingsScroll", "Sweep settings")
        self.new_button = named(QPushButton("New sweep…"), "newSweepButton", "New sweep",
                                "Choose a new folder for a sweep with these settings.")
        self.open_button = named(QPushButton("Open sweep…"), "openSweepButton", "Open sweep",
                                 "Show an existing sweep's results; Start continues it.")
        self.folder_label = named(QLabel(NO_FOLDER), "sweepFolderLabel", "The sweep folder")
        self.folder_label.setWordWrap(True)
        self.budget_box = BudgetBox()
        self.space_editor = SpaceEditor()

        settings = QWidget()
        column = QVBoxLayout(settings)
        column.setContentsMargins(0, 0, 0, 0)
        files = QHBoxLayout()
        files.addWidget(self.new_button)
        files.addWidget(self.open_button)
        column.addLayout(files)
        column.addWidget(self.folder_label)
        column.addWidget(self.budget_box)
        column.addWidget(self.space_editor)
        column.addStretch(1)
        self.setWidget(settings)
        self.setWidgetResizable(True)
        self.setMinimumWidth(380)
        self.setMaximumWidth(520)

    def show_folder(self, folder: Path | None) -> None:
        self.folder_label.setText(f"Sweep folder: {folder}" if folder else NO_FOLDER)

    def set_idle(self, idle: bool) -> None:
        for button in (self.new_button, self.open_button):
            button.setEnabled(idle)

    def ask_new_folder(self) -> Path | None:
        from studio.core.paths import runs_dir

        folder, _ = QFileDialog.getSaveFileName(self, "New sweep folder", str(runs_dir() / "sweep"), "")
        return Path(folder) if folder else None

    def ask_report_file(self, folder: Path | None) -> Path | None:
        start = str(folder / "sweep-report.html") if folder else ""
        path, _ = QFileDialog.getSaveFileName(self, "Write the sweep report", start,
                                              "HTML (*.html);;PDF (*.pdf);;Markdown (*.md)")
        return Path(path) if path else None

    def ask_sweep_folder(self) -> Path | None:
        from studio.core.paths import runs_dir

        folder = QFileDialog.getExistingDirectory(self, "Open a sweep folder", str(runs_dir()))
        return Path(folder) if folder else None
