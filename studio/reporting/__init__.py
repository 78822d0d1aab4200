"""Rendering reports with Qt (charts, HTML, Markdown, PDF); fed by ``studio.core.evaluation.report``, used by the GUI and the CLI."""
