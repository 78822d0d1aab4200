"""The Samples tab: the fixed-noise grid, refreshed while training, plus new noise and export.

"New noise" and "Export images…" only ask (signals); the main window decides whether the
trainer or the render/export workers answer, and calls back ``show_samples`` / ``show_export_*``.
"""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)
from superqt import QElidingLabel

from studio.core.errors import StudioError
from studio.core.imaging import make_grid, save_png
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView

GRID_SIZES = (4, 6, 8)
DEFAULT_GRID = 8


def new_seed() -> int:
    return secrets.randbelow(2**31 - 1)


class SamplesPanel(QWidget):
    """Shows generated images as a grid and offers New noise, Save grid PNG and Export images."""

    new_noise_requested = Signal(int, int)
    samples_shown = Signal()
    export_requested = Signal(object, int, int)
    export_finished = Signal(object)
    export_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("samplesPanel")
        self._images: np.ndarray | None = None
        self._seed = 0
        self._last_export_dir = ""

        self.caption = named(QElidingLabel("No samples yet: train, or open a run."), "samplesCaption",
                             "What the sample grid shows")
        self.view = named(ImageView("Generated images appear here while training."), "samplesView",
                          "Sample grid")
        self.grid_size = named(QComboBox(), "samplesGridSize", "Grid size", "How many samples the grid shows.")
        for size in GRID_SIZES:
            self.grid_size.addItem(f"{size}×{size}", size)
        self.grid_size.setCurrentIndex(GRID_SIZES.index(DEFAULT_GRID))
        self.grid_size.currentIndexChanged.connect(self._on_grid_size_changed)
        self.new_noise_button = named(QPushButton("New noise"), "newNoiseButton", "New noise",
                                      "Draw the grid again from fresh random noise.")
        self.new_noise_button.clicked.connect(self._on_new_noise)
        self.save_grid_button = named(QPushButton("Save grid PNG…"), "saveGridButton", "Save grid PNG",
                                      "Save the grid shown as one PNG image.")
        self.save_grid_button.clicked.connect(self._on_save_grid)
        self.export_count = named(QSpinBox(), "exportCount", "Number of images to export",
                                  "How many separate images Export writes.")
        self.export_count.setRange(1, 100_000)
        self.export_count.setValue(64)
        self.export_count.setSuffix(" images")
        self.export_button = named(QPushButton("Export images…"), "exportImagesButton", "Export images",
                                   "Write this many generated images as PNG files into a folder.")
        self.export_button.clicked.connect(self._on_export)
        self.export_progress = named(QProgressBar(), "exportProgress", "Export progress")
        self.export_progress.setFormat("Exporting %v / %m")
        self.export_progress.hide()
        self.message = named(QElidingLabel(""), "samplesMessage", "Samples message")

        controls = QHBoxLayout()
        grid_label = QLabel("Grid")
        grid_label.setBuddy(self.grid_size)
        controls.addWidget(grid_label)
        controls.addWidget(self.grid_size)
        controls.addWidget(self.new_noise_button)
        controls.addStretch(1)
        controls.addWidget(self.save_grid_button)
        controls.addWidget(self.export_count)
        controls.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
        layout.addWidget(self.export_progress)
        layout.addWidget(self.message)
        self.set_can_sample(False, "Train first, or open a run with a checkpoint.")

    def grid_count(self) -> int:
        """How many images the chosen grid shows (e.g. 64 for 8×8)."""
        return self.grid_size.currentData() ** 2

    def seed(self) -> int:
        return self._seed

    def set_can_sample(self, can: bool, reason: str = "") -> None:
        """New noise and Export need weights (a checkpoint, or training going on)."""
        for button in (self.new_noise_button, self.export_button):
            button.setEnabled(can)
            button.setToolTip(button.accessibleDescription() if can else reason)
        self.save_grid_button.setEnabled(self.view.image_array() is not None)

    def show_samples(self, images: np.ndarray, step: int, seed: int) -> None:
        """Show generated ``(N, H, W, 3)`` images; the grid shows as many as its size allows."""
        self._images = images
        self._seed = seed
        self.caption.setText(f"Samples at step {step:,} · noise seed {seed}")
        self._show_grid()

    def show_grid_image(self, grid: np.ndarray, caption: str) -> None:
        """Show a ready-made grid (a reopened run's last saved sample PNG)."""
        self._images = None
        self.view.set_image(grid)
        self.caption.setText(caption)
        self.save_grid_button.setEnabled(True)
        self.samples_shown.emit()

    def clear(self) -> None:
        self._images = None
        self.view.set_image(None)
        self.caption.setText("No samples yet: train, or open a run.")
        self.save_grid_button.setEnabled(False)

    def show_message(self, sentence: str) -> None:
        self.message.setText(sentence)

    def show_export_progress(self, done: int, total: int) -> None:
        self.export_progress.show()
        self.export_progress.setRange(0, max(1, total))
        self.export_progress.setValue(done)

    def show_export_done(self, paths: list[Path]) -> None:
        self.export_progress.hide()
        folder = Path(os.path.commonpath([path.parent for path in paths])) if paths else self._last_export_dir  # above class folders
        self.show_message(f"Exported {len(paths):,} images to {folder}.")
        self.export_finished.emit(paths)

    def show_export_failed(self, sentence: str) -> None:
        self.export_progress.hide()
        self.show_message(sentence)
        self.export_failed.emit(sentence)

    def _show_grid(self) -> None:
        if self._images is None or not len(self._images):
            return
        shown = self._images[: self.grid_count()]
        self.view.set_image(make_grid(shown, nrow=math.ceil(math.sqrt(len(shown)))))
        self.save_grid_button.setEnabled(True)
        self.samples_shown.emit()

    def _on_grid_size_changed(self) -> None:
        if self._images is not None and len(self._images) >= self.grid_count():
            self._show_grid()
        elif self.new_noise_button.isEnabled():
            self.new_noise_requested.emit(self._seed, self.grid_count())

    def _on_new_noise(self) -> None:
        self.new_noise_requested.emit(new_seed(), self.grid_count())

    def _on_save_grid(self) -> None:
        grid = self.view.image_array()
        if grid is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save grid as PNG", "samples.png", "PNG images (*.png)")
        if not path:
            return
        path = Path(path).with_suffix(".png")
        try:
            save_png(grid, path)
        except StudioError as error:
            self.show_message(str(error))
            return
        except OSError as error:
            self.show_message(f"The grid could not be saved to {path} ({error.strerror}).")
            return
        self.show_message(f"Saved the grid to {path}.")

    def _on_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export images into folder", self._last_export_dir)
        if folder:
            self.export_to(Path(folder), self.export_count.value())

    def export_to(self, folder: Path, count: int, seed: int | None = None) -> None:
        """Export ``count`` images (from ``seed``'s noise, a new one when None) into ``folder``:
        ``export_finished(paths)`` or ``export_failed(sentence)`` follows."""
        self._last_export_dir = str(folder)
        self.message.setText("")
        self.show_export_progress(0, count)
        self.export_requested.emit(Path(folder), count, new_seed() if seed is None else seed)
