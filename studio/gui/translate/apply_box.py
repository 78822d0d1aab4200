"""Applying a trained translator in the tab: an image dropped or chosen, or a folder, shown beside its
translation at a strength from 0 (the source) to 1 (the full translation), and exported with progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout)
from superqt import QLabeledDoubleSlider

from studio.core.imaging import IMAGE_SUFFIXES
from studio.gui.explorer.direction_sliders import named_slider
from studio.gui.explorer.image_drop import ImageDropFilter
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView


class ApplyBox(QGroupBox):
    """``images_chosen(path)``: a file or folder to show; ``strength_changed``; ``export_requested(out_dir)``;
    ``cancel_requested``. The panel does the work; this box shows it."""

    images_chosen = Signal(object)
    strength_changed = Signal(float)
    export_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__("Translate images")
        self.setObjectName("translateApplyBox")
        self.images_path: Path | None = None
        self.choose_image = named(QPushButton("Choose image…"), "translateChooseImage", "Choose an image to translate")
        self.choose_folder = named(QPushButton("Choose folder…"), "translateChooseFolder", "Choose a folder to translate")
        self.strength = named_slider(QLabeledDoubleSlider(Qt.Orientation.Horizontal), "translateStrength", "Strength",
                                     "0 shows the source unchanged, 1 the full translation.")
        self.strength.setRange(0.0, 1.0)
        self.strength.setValue(1.0)
        self.export = named(QPushButton("Export translated folder…"), "translateExport", "Export the translated folder",
                            "Translate every image of the chosen file or folder into a new folder, layout and names kept.")
        self.cancel = named(QPushButton("Cancel"), "translateExportCancel", "Cancel the export")
        self.progress = named(QProgressBar(), "translateExportProgress", "Export progress")
        self.message = named(QLabel("Train or open a translation run, then drop an image here or choose one."),
                             "translateApplyMessage", "Translation status")
        self.message.setWordWrap(True)
        self.view = named(ImageView("Drop an image here"), "translateResultView", "Sources above their translations")
        ImageDropFilter(self.view, self._use)
        row = QHBoxLayout()
        for widget in (self.choose_image, self.choose_folder, QLabel("Strength"), self.strength, self.export, self.cancel):
            row.addWidget(widget, 1 if widget is self.strength else 0)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self.choose_image.clicked.connect(self._ask_image)
        self.choose_folder.clicked.connect(self._ask_folder)
        self.strength.valueChanged.connect(lambda value: self.strength_changed.emit(float(value)))
        self.export.clicked.connect(self._ask_export)
        self.cancel.clicked.connect(self.cancel_requested)
        self.set_exporting(False)
        self.set_ready(False)

    def set_ready(self, ready: bool) -> None:
        """Whether a trained translator is there to apply."""
        for widget in (self.choose_image, self.choose_folder, self.strength):
            widget.setEnabled(ready)
        self.view.setAcceptDrops(ready)
        self.export.setEnabled(ready and self.images_path is not None and not self.cancel.isEnabled())

    def set_exporting(self, exporting: bool) -> None:
        self.cancel.setEnabled(exporting)
        self.progress.setVisible(exporting)
        self.progress.setValue(0)
        self.export.setEnabled(not exporting and self.images_path is not None and self.choose_image.isEnabled())

    def _use(self, path: Path) -> None:
        if self.choose_image.isEnabled():
            self.images_path = Path(path)
            self.set_ready(True)
            self.images_chosen.emit(self.images_path)

    def _ask_image(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(self, "Choose an image to translate", "", f"Images ({patterns})")
        if path:
            self._use(Path(path))

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to translate")
        if folder:
            self._use(Path(folder))

    def _ask_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose where the translated folder goes")
        if folder:
            self.export_requested.emit(Path(folder))
