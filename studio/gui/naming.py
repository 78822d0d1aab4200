"""Stable object names and accessible names for every interactive widget.

Tests, screen readers and style sheets find widgets by these names, so they are set in one
place, the same way everywhere.
"""

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str, description: str = "") -> W:
    """Give ``widget`` its stable ``objectName`` and the name an assistive technology reads out."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget
