"""The explorer's Export box: view PNG, labelled grid, pinned PNGs, a batch, a walk; progress and Cancel.

The box asks where to write (file and folder dialogs) and says what was asked; the panel knows
what is shown and runs the export.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QProgressBar, QSpinBox, QWidget

from studio.gui.explorer.spec_controls import button
from studio.gui.naming import named

PNG_FILTER = "PNG images (*.png)"
WALK_FILTER = "Animations (*.gif *.webp);;Folder of PNG frames (*)"


class ExportBox(QGroupBox):
    """Each ``*_requested`` signal carries the chosen path; a batch also its count, a walk its
    kind (None for A → B, else a direction index) and frame count."""

    view_requested = Signal(object)
    grid_requested = Signal(object)
    pinned_requested = Signal(object)
    batch_requested = Signal(object, int)
    walk_requested = Signal(object, object, int)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Export", parent)
        self.save_view = button("View PNG…", "explorerSaveView", "Save the view as PNG",
                                "Save exactly the pixels shown.")
        self.save_grid = button("Labelled grid…", "explorerSaveGrid", "Save a labelled grid",
                                "The view's samples with seed, class and ψ printed under each.")
        self.export_pins = button("Pinned PNGs…", "explorerExportPinned", "Export pinned samples",
                                  "Each pinned sample as a PNG, with favourites.json to regenerate them.")
        self.batch_count = named(QSpinBox(), "explorerBatchCount", "Images in the batch",
                                 "How many images Export batch writes (per-class folders for conditional models).")
        self.batch_count.setRange(1, 1_000_000)
        self.batch_count.setValue(1000)
        self.export_batch = button("Export batch…", "explorerExportBatch", "Export a batch",
                                   "Images from this seed on, with this ψ and class, plus manifest.csv and "
                                   "manifest.json to reproduce them.")
        self.walk_kind = named(QComboBox(), "explorerWalkKind", "Walk", "What the animation walks along.")
        self.walk_frames = named(QSpinBox(), "explorerWalkFrames", "Frames in the walk", "How many frames.")
        self.walk_frames.setRange(2, 10_000)
        self.walk_frames.setValue(24)
        self.export_walk = button("Export walk…", "explorerExportWalk", "Export a walk",
                                  "An animated GIF or WebP (by file name), or numbered PNG frames in a folder.")
        self.export_progress = named(QProgressBar(), "explorerExportProgress", "Export progress")
        self.export_progress.hide()
        self.cancel_export = button("Cancel", "explorerCancelExport", "Cancel the export",
                                    "Stop; nothing half-written is kept.")
        self.cancel_export.hide()
        self.set_direction_count(0)
        self._lay_out()
        self._connect()

    def _lay_out(self) -> None:
        layout = QFormLayout(self)
        files_row = QHBoxLayout()
        for widget in (self.save_view, self.save_grid, self.export_pins):
            files_row.addWidget(widget)
        batch_row, walk_row, progress_row = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        batch_row.addWidget(self.batch_count, 1)
        batch_row.addWidget(self.export_batch)
        walk_row.addWidget(self.walk_kind, 1)
        walk_row.addWidget(self.walk_frames)
        walk_row.addWidget(self.export_walk)
        progress_row.addWidget(self.export_progress, 1)
        progress_row.addWidget(self.cancel_export)
        layout.addRow(files_row)
        layout.addRow("Batch", batch_row)
        layout.addRow("Walk", walk_row)
        layout.addRow(progress_row)

    def _connect(self) -> None:
        self.save_view.clicked.connect(
            lambda: self._ask_file("Save the view", "view.png", PNG_FILTER, self.view_requested.emit))
        self.save_grid.clicked.connect(
            lambda: self._ask_file("Save a labelled grid", "grid.png", PNG_FILTER, self.grid_requested.emit))
        self.export_pins.clicked.connect(lambda: self._ask_folder("Export pinned samples into",
                                                                  self.pinned_requested.emit))
        self.export_batch.clicked.connect(lambda: self._ask_folder(
            "Export a batch into", lambda folder: self.batch_requested.emit(folder, self.batch_count.value())))
        self.export_walk.clicked.connect(lambda: self._ask_file(
            "Export a walk", "walk.gif", WALK_FILTER,
            lambda out: self.walk_requested.emit(out, self.walk_kind.currentData(), self.walk_frames.value())))
        self.cancel_export.clicked.connect(self.cancel_requested)

    def set_direction_count(self, count: int) -> None:
        """Walk choices: A → B, and one per principal direction found."""
        self.walk_kind.clear()
        self.walk_kind.addItem("A → B", None)
        for index in range(count):
            self.walk_kind.addItem(f"Along PC{index} (±3σ from the seed)", index)

    def set_busy(self, busy: bool) -> None:
        """Show progress and Cancel while an export runs."""
        self.export_progress.setRange(0, 0)
        self.export_progress.setVisible(busy)
        self.cancel_export.setVisible(busy)

    def show_progress(self, done: int, total: int) -> None:
        self.export_progress.setRange(0, max(1, total))
        self.export_progress.setValue(done)

    def _ask_file(self, title: str, default: str, filters: str, then) -> None:
        path, _ = QFileDialog.getSaveFileName(self, title, default, filters)
        if path:
            then(Path(path))

    def _ask_folder(self, title: str, then) -> None:
        folder = QFileDialog.getExistingDirectory(self, title)
        if folder:
            then(Path(folder))
