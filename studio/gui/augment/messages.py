"""One way to put a sentence in a status label: plain, or styled as an error (``role="error"`` in the style sheet);
an empty label is hidden so it leaves no gap."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def say(label: QLabel, text: str, error: bool = False) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    if label.property("role") != ("error" if error else ""):
        label.setProperty("role", "error" if error else "")
        label.style().unpolish(label)
        label.style().polish(label)
