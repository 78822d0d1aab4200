"""The explorer's "Your image" strip: Project image…, the image beside its reconstruction as it
converges, the PSNR and any warning, progress with Cancel, and Save latent….

It asks which files (dialogs) and shows what it is given; ``ImageProjector`` runs the projection.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout,
                               QWidget)

from studio.gui.explorer.image_drop import IMAGE_SUFFIXES
from studio.gui.explorer.spec_controls import button
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView

THUMBNAIL = 96
IMAGE_FILTER = f"Images ({' '.join('*' + suffix for suffix in IMAGE_SUFFIXES)})"
LATENT_FILTER = "Latent files (*.json)"
IDLE = "Drop an image on the view, or choose one, to find the latent the model draws it from."


class ProjectionBox(QGroupBox):
    """``project_requested(Path)``, ``save_requested(Path)`` carry the chosen file; ``cancel_requested``."""

    project_requested = Signal(object)
    save_requested = Signal(object)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your image", parent)
        self.setObjectName("explorerProjection")
        self.source = named(ImageView("yours"), "explorerProjectionSource", "Your image as the run sees it")
        self.reconstruction = named(ImageView("model's"), "explorerProjectionReconstruction",
                                    "The model's reconstruction of your image")
        for view in (self.source, self.reconstruction):
            view.setFixedSize(THUMBNAIL, THUMBNAIL)
            view.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.quality = named(QLabel(IDLE), "explorerProjectionQuality", "Projection quality")
        self.warning = named(QLabel(""), "explorerProjectionWarning", "Projection warning")
        for label in (self.quality, self.warning):
            label.setWordWrap(True)
        self.warning.hide()
        self.progress = named(QProgressBar(), "explorerProjectionProgress", "Projection progress")
        self.progress.hide()
        self.project = button("Project image…", "explorerProjectImage", "Project an image",
                              "Find the latent whose generated image is closest to an image of yours "
                              "(you can also drop an image file on the view).")
        self.cancel = button("Cancel", "explorerCancelProjection", "Cancel the projection",
                             "Stop the projection; the explorer keeps what it showed before.")
        self.cancel.hide()
        self.save = button("Save latent…", "explorerSaveLatent", "Save the projected latent",
                           "Write the latent as JSON (with the image's fingerprint and PSNR) for 'walk --from/--to'.")
        self.save.hide()
        self._source_name = ""
        self._lay_out()
        self.project.clicked.connect(self._ask_image)
        self.save.clicked.connect(self._ask_latent_file)
        self.cancel.clicked.connect(self.cancel_requested)

    def _lay_out(self) -> None:
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel)
        column = QWidget()
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        text = QVBoxLayout(column)
        text.setContentsMargins(0, 0, 0, 0)
        text.addWidget(self.quality)
        text.addWidget(self.warning)
        text.addLayout(progress_row)
        text.addStretch(1)
        buttons = QVBoxLayout()
        for widget in (self.project, self.save):
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            buttons.addWidget(widget)
        buttons.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QHBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(self.reconstruction)
        layout.addWidget(column, 1)
        layout.addLayout(buttons)

    # --------------------------------------------------------------- showing
    def start(self, name: str) -> None:
        """A projection of ``name`` began: clear the images, show progress and Cancel."""
        self._source_name = name
        self.source.set_image(None)
        self.reconstruction.set_image(None)
        self.quality.setText(f"Projecting {name}…")
        self.warning.hide()
        self.save.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel.show()

    def show_source(self, image: np.ndarray) -> None:
        self.source.set_image(image)

    def show_frame(self, step: int, image: np.ndarray) -> None:
        self.reconstruction.set_image(image)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def show_result(self, projection) -> None:
        """The finished projection: its reconstruction, PSNR and warning; Save latent becomes available."""
        self.reconstruction.set_image(projection.reconstruction)
        self.quality.setText(f"{self._source_name} · Reconstruction: {projection.psnr:.1f} dB")
        self.warning.setText(projection.warning)
        self.warning.setVisible(bool(projection.warning))
        self.save.show()

    def stop(self, sentence: str = "") -> None:
        """The projection ended (finished, failed or cancelled); ``sentence`` replaces the status when given."""
        self.progress.hide()
        self.cancel.hide()
        if sentence:
            self.quality.setText(sentence)

    # ---------------------------------------------------------------- dialogs
    def _ask_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Project an image", "", IMAGE_FILTER)
        if path:
            self.project_requested.emit(Path(path))

    def _ask_latent_file(self) -> None:
        default = f"{Path(self._source_name).stem or 'projection'}-latent.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save the latent", default, LATENT_FILTER)
        if path:
            self.save_requested.emit(Path(path))
