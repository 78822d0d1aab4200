"""The tray of pinned samples: Pin, the thumbnails, Unpin; double-click shows one again.

It owns the list of favourites of the open checkpoint and says when it changed (to be saved);
what a pin holds (the spec, the label, the pixels) comes from the panel.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QWidget

from studio.core.explore.favourites import Favourite
from studio.gui.explorer.spec_controls import button
from studio.gui.naming import named
from studio.gui.widgets.image_view import to_qimage

THUMBNAIL = 64


class FavouritesTray(QWidget):
    """``pin_requested`` asks the panel for the selected sample; ``changed`` follows every add or
    remove; ``chosen(Favourite)`` follows a double-click."""

    pin_requested = Signal()
    changed = Signal()
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.favourites: list[Favourite] = []
        self.pin = button("Pin", "explorerPin", "Pin the selected sample",
                          "Keep the selected sample in the tray with everything needed to regenerate it.")
        self.tray = named(QListWidget(), "explorerTray", "Pinned samples",
                          "Double-click a pinned sample to show it again.")
        self.tray.setViewMode(QListWidget.ViewMode.IconMode)
        self.tray.setFlow(QListWidget.Flow.LeftToRight)
        self.tray.setWrapping(False)
        self.tray.setFixedHeight(THUMBNAIL + 28)
        self.tray.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.unpin = button("Unpin", "explorerUnpin", "Unpin", "Remove the chosen sample from the tray.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pin)
        layout.addWidget(self.tray, 1)
        layout.addWidget(self.unpin)
        self.pin.clicked.connect(self.pin_requested)
        self.unpin.clicked.connect(self._unpin_current)
        self.tray.itemDoubleClicked.connect(lambda item: self.chosen.emit(self.favourites[self.tray.row(item)]))

    def set_favourites(self, favourites: list[Favourite]) -> None:
        """Show ``favourites`` (as read from the run: no thumbnails until they are drawn again)."""
        self.favourites = list(favourites)
        self.tray.clear()
        for favourite in self.favourites:
            self._add_item(favourite, None)

    def add(self, favourite: Favourite, pixels: np.ndarray | None) -> None:
        self.favourites.append(favourite)
        self._add_item(favourite, pixels)
        self.changed.emit()

    def _unpin_current(self) -> None:
        row = self.tray.currentRow()
        if 0 <= row < len(self.favourites):
            del self.favourites[row]
            self.tray.takeItem(row)
            self.changed.emit()

    def _add_item(self, favourite: Favourite, pixels: np.ndarray | None) -> None:
        item = QListWidgetItem(favourite.label or f"seed {favourite.spec.seed}")
        if pixels is not None:
            item.setIcon(QIcon(QPixmap.fromImage(to_qimage(pixels))))
        item.setToolTip(f"ψ {favourite.spec.psi:g}, class {favourite.spec.class_index}, "
                        f"{len(favourite.spec.direction_offsets)} direction offsets")
        self.tray.addItem(item)
