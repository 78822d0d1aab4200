"""Charts of a report drawn with QPainter onto a QImage, straight from the run's numbers.

QPainter on a QImage works off the GUI thread, so a report worker can draw them. Non-finite
values break a line rather than bending the axis, and never reach the axes or the markers. The
painter is ended even when drawing fails: a QImage destroyed under an active painter crashes the app.
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from studio.core.evaluation.report_model import Chart

WIDTH, HEIGHT = 1200, 420
_MARGIN = (90, 50, 30, 60)  # left, top, right, bottom


_EXTREME = 1e300  # values beyond are drawn at this size, so that ranges and positions stay finite


def _nice_range(values: list[float]) -> tuple[float, float]:
    finite = [min(max(v, -_EXTREME), _EXTREME) for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    if high - low <= 1e-12 * max(1.0, abs(low), abs(high)):
        pad = max(0.5, abs(high) * 1e-6)
        return low - pad, high + pad
    pad = (high - low) * 0.05
    return low - pad, high + pad


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = (high - low) / count
    if not (math.isfinite(step) and step > 0):
        return []
    magnitude = 10 ** math.floor(math.log10(step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step), default=step)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def render_chart(chart: Chart) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _paint(painter, chart)
    finally:
        painter.end()
    return image


def _on_log_scale(chart: Chart) -> Chart:
    """The chart with every y replaced by its log10 (non-positive values become gaps)."""
    def log(y: float) -> float:
        return math.log10(y) if math.isfinite(y) and y > 0 else math.nan

    return replace(chart, series=[replace(series, y=[log(y) for y in series.y]) for series in chart.series],
                   y_range=None if chart.y_range is None else tuple(log(y) for y in chart.y_range))


def _paint(painter: QPainter, chart: Chart) -> None:
    if chart.log_y:
        chart = _on_log_scale(chart)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont("DejaVu Sans")
    font.setPixelSize(20)
    painter.setFont(font)
    left, top, right, bottom = _MARGIN
    plot = QRectF(left, top, WIDTH - left - right, HEIGHT - top - bottom)
    xs = [min(max(x, -_EXTREME), _EXTREME) for series in chart.series for x, y in zip(series.x, series.y)
          if math.isfinite(x) and math.isfinite(y)]
    x_low, x_high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if chart.bars:
        x_low, x_high = x_low - 0.5, x_high + 0.5
    if x_high - x_low <= 1e-12 * max(1.0, abs(x_low), abs(x_high)):
        x_high = x_low + max(1.0, abs(x_low) * 1e-6)
    y_low, y_high = chart.y_range or _nice_range([y for series in chart.series for x, y in zip(series.x, series.y)
                                                  if math.isfinite(x)])
    if chart.bars:
        y_low = 0.0

    def at(x: float, y: float) -> QPointF:
        """Where a finite point is drawn; points off the axes are drawn on their edge."""
        x, y = min(max(x, x_low), x_high), min(max(y, y_low), y_high)
        return QPointF(plot.left() + (x - x_low) / (x_high - x_low) * plot.width(),
                       plot.bottom() - (y - y_low) / (y_high - y_low) * plot.height())

    painter.setPen(QPen(QColor("#333333"), 2))
    painter.drawText(QRectF(0, 0, WIDTH, top), Qt.AlignmentFlag.AlignCenter, chart.title)
    painter.drawRect(plot)
    painter.setPen(QPen(QColor("#555555"), 1))
    for tick in _ticks(y_low, y_high):
        point = at(x_low, tick)
        painter.drawLine(QPointF(plot.left() - 6, point.y()), QPointF(plot.left(), point.y()))
        painter.drawText(QRectF(0, point.y() - 12, left - 10, 24), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{10 ** tick:.3g}" if chart.log_y else f"{tick:g}")
    if not chart.bars:
        for tick in _ticks(x_low, x_high):
            point = at(tick, y_low)
            painter.drawLine(QPointF(point.x(), plot.bottom()), QPointF(point.x(), plot.bottom() + 6))
            painter.drawText(QRectF(point.x() - 60, plot.bottom() + 8, 120, 24), Qt.AlignmentFlag.AlignCenter, f"{tick:g}")
        painter.drawText(QRectF(plot.left(), HEIGHT - 28, plot.width(), 26), Qt.AlignmentFlag.AlignCenter, chart.x_label)
    painter.save()
    painter.translate(22, plot.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-plot.height() / 2, -20, plot.height(), 26), Qt.AlignmentFlag.AlignCenter, chart.y_label)
    painter.restore()

    painter.setClipRect(plot)
    for number, series in enumerate(chart.series):
        colour = QColor(series.color)
        if chart.bars:  # several series: grouped bars side by side around each x
            width = plot.width() / (x_high - x_low) * 0.7 / len(chart.series)
            shift = (number - (len(chart.series) - 1) / 2) * width
            for x, y in zip(series.x, series.y):
                if math.isfinite(x) and math.isfinite(y):
                    top_left = at(x, y)
                    painter.fillRect(QRectF(top_left.x() + shift - width / 2, top_left.y(), width,
                                            plot.bottom() - top_left.y()), colour)
            continue
        path, drawing = QPainterPath(), False
        for x, y in zip(series.x, series.y):
            if not (math.isfinite(x) and math.isfinite(y)):
                drawing = False
                continue
            point = at(x, y)
            path.lineTo(point) if drawing else path.moveTo(point)
            drawing = True
        style = getattr(series, "style", "line")
        if style != "points":
            painter.setPen(QPen(colour, 2.5, Qt.PenStyle.DashLine if style == "cut" else Qt.PenStyle.SolidLine))
            painter.drawPath(path)
        finite = [(x, y) for x, y in zip(series.x, series.y) if math.isfinite(x) and math.isfinite(y)]
        if style == "cut" and finite:
            end = at(*finite[-1])
            painter.setPen(QPen(QColor("#c0392b"), 3))
            painter.drawLine(end + QPointF(-7, -7), end + QPointF(7, 7))
            painter.drawLine(end + QPointF(-7, 7), end + QPointF(7, -7))
        if len(series.x) <= 30 or style == "points":
            painter.setPen(QPen(colour, 2.5))
            painter.setBrush(colour)
            for x, y in zip(series.x, series.y):
                if math.isfinite(x) and math.isfinite(y):
                    painter.drawEllipse(at(x, y), 4, 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setClipping(False)

    for x, label in chart.markers:
        if not math.isfinite(x):
            continue
        point = at(x, y_low)
        if chart.bars:
            painter.setPen(QPen(QColor("#333333"), 1))
            painter.drawText(QRectF(point.x() - 100, plot.bottom() + 8, 200, 24), Qt.AlignmentFlag.AlignCenter, label)
            continue
        painter.setPen(QPen(QColor("#c0392b"), 2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(point.x(), plot.top()), QPointF(point.x(), plot.bottom()))
        if point.x() > plot.left() + plot.width() * 0.7:
            painter.drawText(QRectF(point.x() - 306, plot.bottom() - 28, 300, 24), Qt.AlignmentFlag.AlignRight, label)
        else:
            painter.drawText(QRectF(point.x() + 6, plot.bottom() - 28, 300, 24), Qt.AlignmentFlag.AlignLeft, label)
    _legend(painter, chart, plot)


def _legend(painter: QPainter, chart: Chart, plot: QRectF) -> None:
    if chart.bars and len(chart.series) == 1:
        return
    x = plot.right() - 10
    for series in reversed([series for series in chart.series if series.name]):
        width = painter.fontMetrics().horizontalAdvance(series.name) + 40
        x -= width
        painter.setPen(QPen(QColor(series.color), 4))
        painter.drawLine(QPointF(x, plot.top() + 18), QPointF(x + 24, plot.top() + 18))
        painter.setPen(QColor("#333333"))
        painter.drawText(QPointF(x + 30, plot.top() + 25), series.name)
