"""A widget that shows one RGB uint8 array, scaled crisply (nearest neighbour) to fit."""

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


WHOLE_ZOOM_SHARE = 0.75


def to_qimage(array: np.ndarray) -> QImage:
    """Wrap an (H, W, 3) uint8 array as a QImage that owns a copy of the pixels."""
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 array, got {array.shape} {array.dtype}")
    pixels = np.ascontiguousarray(array)
    height, width, _ = pixels.shape
    return QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class ImageView(QWidget):
    """Paints an image as large as fits, at an integer zoom when it can so pixels stay square.

    ``clicked(x, y)`` gives the image pixel under a click; ``painted`` follows every paint with an
    image (the moment new pixels are on screen, which the explorer's frame-time readout measures).
    """

    clicked = Signal(int, int)
    painted = Signal()

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._array: np.ndarray | None = None
        self._placeholder = placeholder
        self._highlight: QRect | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(64, 64)

    def set_image(self, array: np.ndarray | None) -> None:
        self._array = None if array is None else np.ascontiguousarray(array)
        self._image = None if array is None else to_qimage(self._array)
        self.update()

    def set_highlight(self, rect: QRect | None) -> None:
        """Outline a region of the image (in image pixels), e.g. the selected cell of a grid."""
        self._highlight = rect
        self.update()

    def image_array(self) -> np.ndarray | None:
        """The pixels shown now (what "Save grid PNG" writes)."""
        return self._array

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def target_rect(self) -> QRect:
        """Where the image lands: centred, as large as fits, at a whole zoom factor when that
        loses at most a quarter of the room (whole factors keep every pixel the same size)."""
        if self._image is None:
            return QRect()
        width, height = self._image.width(), self._image.height()
        fit = min(self.width() / width, self.height() / height)
        scale = int(fit) if fit >= 1 and int(fit) >= WHOLE_ZOOM_SHARE * fit else fit
        w, h = int(width * scale), int(height * scale)
        return QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._image is None:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            return
        target = self.target_rect()
        smooth = target.width() < self._image.width()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        painter.drawImage(target, self._image)
        if self._highlight is not None:
            zoom_x, zoom_y = target.width() / self._image.width(), target.height() / self._image.height()
            box = QRectF(target.x() + self._highlight.x() * zoom_x, target.y() + self._highlight.y() * zoom_y,
                         self._highlight.width() * zoom_x, self._highlight.height() * zoom_y)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 3))
            painter.drawRect(box.adjusted(-1.5, -1.5, 1.5, 1.5))
        painter.end()
        self.painted.emit()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        target = self.target_rect()
        point = event.position().toPoint()
        if self._image is not None and target.contains(point):
            x = (point.x() - target.x()) * self._image.width() // max(1, target.width())
            y = (point.y() - target.y()) * self._image.height() // max(1, target.height())
            self.clicked.emit(x, y)
        super().mouseReleaseEvent(event)
