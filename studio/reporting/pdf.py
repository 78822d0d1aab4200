"""The report as a PDF through Qt's own QTextDocument and QPdfWriter: no browser involved.

``QTextDocument.print_()`` would re-encode every image as JPEG, smearing sample grids, so the
document is drawn page by page with our own QPainter, with ``LosslessImageRendering`` set, scaled
from the document's 96-dpi layout to the writer's resolution. The page size is set before the
page count is asked for, since the count depends on it.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from studio.reporting.render import Asset

RESOLUTION = 300
LAYOUT_DPI = 96
_FOOTER = 28


def pdf_bytes(html: str, assets: dict[str, Asset], title: str) -> tuple[bytes, int]:
    """The PDF file's bytes (written atomically by the caller) and its page count."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("GAN Studio")
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    scale = RESOLUTION / LAYOUT_DPI
    paint = writer.pageLayout().paintRectPixels(RESOLUTION)
    page = QSizeF(paint.width() / scale, paint.height() / scale - _FOOTER)

    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 9))
    for key, asset in assets.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"report:{key}"), QImage.fromData(asset.png, "PNG"))
    document.setHtml(html)
    document.setPageSize(page)
    pages = document.pageCount()

    painter = QPainter(writer)
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        for index in range(pages):
            if index:
                writer.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.translate(0, -index * page.height())
            document.drawContents(painter, QRectF(0, index * page.height(), page.width(), page.height()))
            painter.restore()
            painter.save()
            painter.scale(scale, scale)
            painter.setPen(QColor("#777777"))
            footer_font = QFont("DejaVu Sans")
            footer_font.setPixelSize(9)
            painter.setFont(footer_font)
            painter.drawText(QRectF(0, page.height() + 6, page.width(), _FOOTER - 6),
                             Qt.AlignmentFlag.AlignCenter, f"{title} · page {index + 1} of {pages}")
            painter.restore()
    finally:
        painter.end()
    return bytes(buffer.data()), pages
