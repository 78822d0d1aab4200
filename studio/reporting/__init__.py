"""Rendering reports with Qt (charts, HTML, Markdown, PDF); fed by ``studio.core.report``, used by the GUI and the CLI."""
