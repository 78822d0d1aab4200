"""The About dialog: versions, the device in use, where runs and settings are kept, and a
"Copy diagnostics" button for support requests."""

from studio.gui.about.dialog import AboutDialog, diagnostics, diagnostics_text

__all__ = ["AboutDialog", "diagnostics", "diagnostics_text"]
