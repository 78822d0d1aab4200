"""Choosing one image set of a translation (source or target): a folder or dataset file, optional
classes, and a strip of its first images once loaded."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from studio.core.imaging import make_grid
from studio.gui.naming import named
from studio.gui.widgets.image_view import ImageView

THUMBNAILS = 8


class ImageSetBox(QGroupBox):
    """``chosen`` is emitted with the folder picked; :meth:`show_set` draws the loaded set's first images."""

    chosen = Signal()

    def __init__(self, which: str, title: str) -> None:
        super().__init__(title)
        self.which = which
        name = which.capitalize()
        self.setObjectName(f"translate{name}Box")
        self.path = named(QLineEdit(), f"translate{name}Path", f"{name} set folder")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("No folder chosen")
        self.choose = named(QPushButton("Choose…"), f"translate{name}Choose", f"Choose the {which} set",
                            f"Choose the folder of {which} images (sub-folders are classes).")
        self.classes = named(QLineEdit(), f"translate{name}Classes", f"{name} classes",
                             "Comma-separated classes of the set to use; empty uses every class (two classes of one "
                             "dataset make a source and a target).")
        self.classes.setPlaceholderText("all classes")
        self.summary = named(QLabel(""), f"translate{name}Summary", f"{name} set summary")
        self.summary.setWordWrap(True)
        self.thumbnails = named(ImageView(f"The {which} images appear here"), f"translate{name}Thumbnails", f"{name} images")
        self.thumbnails.setMinimumHeight(48)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.classes)
        layout.addWidget(self.thumbnails, 1)
        layout.addWidget(self.summary)
        self.choose.clicked.connect(self._ask)
        self.classes.editingFinished.connect(lambda: self.path.text() and self.chosen.emit())

    def _ask(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, f"Choose the {self.which} set", self.path.text())
        if folder:
            self.path.setText(folder)
            self.chosen.emit()

    def show_set(self, dataset) -> None:
        self.thumbnails.set_image(make_grid(dataset.preview(THUMBNAILS), nrow=THUMBNAILS))
        skipped = f"; {len(dataset.skipped)} files skipped" if dataset.skipped else ""
        self.summary.setText(f"{len(dataset):,} images at {dataset.resolution} px · classes: {', '.join(dataset.class_names)}{skipped}")

    def show_problem(self, sentence: str) -> None:
        self.thumbnails.set_image(None)
        self.summary.setText(sentence)


def before_after(sources: np.ndarray, translations: np.ndarray) -> np.ndarray:
    """One grid: the sources in the top row, each one's translation below it."""
    return make_grid(np.concatenate([sources, translations]), nrow=len(sources))
