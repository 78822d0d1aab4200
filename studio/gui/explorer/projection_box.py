"""The explorer's "Your image" strip: Project image…, the image beside its reconstruction as it
converges, the PSNR, feature distance and any warning, progress with Cancel, Save latent…, the class
to search (a conditional model), and Project folder… for a whole folder of images at once.

It asks which files (dialogs) and shows what it is given; ``ImageProjector`` runs the projection.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QSizePolicy,
                               QVBoxLayout, QWidget)

from studio.core.imaging import IMAGE_SUFFIXES
from studio.gui.explorer.spec_controls import button
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView

THUMBNAIL = 96
IMAGE_FILTER = f"Images ({' '.join('*' + suffix for suffix in IMAGE_SUFFIXES)})"
LATENT_FILTER = "Latent files (*.json)"
IDLE = "Drop an image on the view, or choose one, to find the latent the model draws it from."


class ProjectionBox(QGroupBox):
    """``project_requested(Path)``, ``save_requested(Path)`` carry the chosen file,
    ``folder_requested(Path, Path)`` the folder of images and the new folder to write to; ``cancel_requested``."""

    project_requested = Signal(object)
    folder_requested = Signal(object, object)
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
        self.project_folder = button("Project folder…", "explorerProjectFolder", "Project a folder of images",
                                     "Project every image in a folder and write the reconstructions, their latents "
                                     "and a table of how well the model draws each into a new folder.")
        self.search_class = named(QComboBox(), "explorerProjectionClass", "Class to search",
                                  "The class a conditional model draws your image as; 'Best fitting class' tries each.")
        self.search_class.hide()
        self._source_name = ""
        self._lay_out()
        self.project.clicked.connect(self._ask_image)
        self.project_folder.clicked.connect(self._ask_folder)
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
        for widget in (self.project, self.project_folder, self.search_class, self.save):
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
    def set_classes(self, names: list[str]) -> None:
        """The classes a conditional model can draw an image as (none: the choice is hidden)."""
        self.search_class.clear()
        self.search_class.addItem("Best fitting class", None)
        for index, name in enumerate(names):
            self.search_class.addItem(name, index)
        self.search_class.setVisible(bool(names))

    def class_index(self) -> int | None:
        """The class to search, or None for the best fitting one."""
        return self.search_class.currentData()

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
        distance = "" if projection.feature_distance is None else f", feature distance {projection.feature_distance:.3f}"
        self.quality.setText(f"{self._source_name} · Reconstruction: {projection.psnr:.1f} dB{distance}")
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

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Project the images in a folder")
        if not folder:
            return
        out = QFileDialog.getExistingDirectory(self, "A new or empty folder for the reconstructions and latents")
        if out:
            self.folder_requested.emit(Path(folder), Path(out))

    def _ask_latent_file(self) -> None:
        default = f"{Path(self._source_name).stem or 'projection'}-latent.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save the latent", default, LATENT_FILTER)
        if path:
            self.save_requested.emit(Path(path))
