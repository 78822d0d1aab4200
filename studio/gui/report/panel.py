"""The Report tab: draft a run's report, edit its prose, export HTML, PDF and Markdown.

Only the prose of each section is editable; the tables, charts and images come from the run's
data and are redrawn from it, so an edit can never make a figure disagree with the run.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QPlainTextEdit, QProgressBar,
                               QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)
from superqt import QElidingLabel
from superqt.utils import qdebounced

from studio.gui.naming import named
from studio.gui.tasks import JobSlots, ThreadHost
from studio.reporting import jobs

FORMATS = (("html", "HTML"), ("pdf", "PDF"), ("md", "Markdown"))


class ReportPanel(QWidget):
    """``drafted`` follows a draft, ``exported(paths)`` an export and ``failed(sentence)`` either that failed."""

    drafted = Signal()
    exported = Signal(object)
    failed = Signal(str)

    def __init__(self, threads: ThreadHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportPanel")
        self._run_path: Path | None = None
        self._training = False
        self._report = None
        self._assets: dict = {}
        self._jobs = JobSlots(threads, self)

        self.draft_button = named(QPushButton("Draft report"), "draftReportButton", "Draft report",
                                  "Build the draft report of the open run from its data.")
        self.export_button = named(QPushButton("Export…"), "exportReportButton", "Export report",
                                   "Write the report with your edits to a folder in the chosen formats.")
        self.format_boxes = {}
        for key, label in FORMATS:
            box = named(QCheckBox(label), f"reportFormat{label}", f"Export as {label}")
            box.setChecked(True)
            self.format_boxes[key] = box
        self.message = named(QElidingLabel(""), "reportMessage", "Report status")
        self.progress_bar = named(QProgressBar(), "reportProgress", "Report progress")
        self.progress_bar.setVisible(False)
        self.sections = named(QListWidget(), "reportSections", "Report sections",
                              "Choose a section to edit its text.")
        self.prose_editor = named(QPlainTextEdit(), "reportProseEditor", "Section text",
                                  "The prose of the chosen section; figures and tables follow the data.")
        self.preview = named(QTextBrowser(), "reportPreview", "Report preview")
        self.preview.setOpenLinks(False)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.draft_button)
        for box in self.format_boxes.values():
            toolbar.addWidget(box)
        toolbar.addWidget(self.export_button)
        toolbar.addWidget(self.message, 1)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(QLabel("Sections"))
        editor_layout.addWidget(self.sections, 1)
        editor_layout.addWidget(QLabel("Text of the section"))
        editor_layout.addWidget(self.prose_editor, 2)
        self.splitter = named(QSplitter(), "reportSplitter", "Report editor and preview")
        self.splitter.addWidget(editor)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.splitter, 1)

        self.draft_button.clicked.connect(self.draft)
        self.export_button.clicked.connect(self._ask_export)
        self.sections.currentRowChanged.connect(self._show_section)
        self.prose_editor.textChanged.connect(self._on_prose_edited)
        self._schedule_preview = qdebounced(self._render_preview, timeout=300)
        self._refresh()

    def set_run(self, run_path: Path | None, training: bool) -> None:
        """The run the report is about; a different run clears the draft."""
        if run_path != self._run_path:
            self._run_path = run_path
            self._set_report(None, {})
        self._training = training
        self._refresh()

    def _refresh(self) -> None:
        busy = self._jobs.busy()
        can_draft = self._run_path is not None and not self._training and not busy
        self.draft_button.setEnabled(can_draft)
        self.draft_button.setToolTip("Build the draft report of the open run from its data." if can_draft else
                                     "Open or finish a run first." if self._run_path is None or self._training else "Working…")
        can_export = self._report is not None and not busy
        self.export_button.setEnabled(can_export)
        self.export_button.setToolTip("Write the report with your edits to a folder in the chosen formats."
                                      if can_export else "Draft the report first.")
        self.prose_editor.setEnabled(self._report is not None)

    def draft(self) -> None:
        if self._run_path is None or self._jobs.busy("draft"):
            return
        self.message.setText("Drafting the report…")
        self._jobs.start("draft", jobs.draft, self._run_path, doing="Drafting the report", on_progress=self._on_progress,
                         on_result=lambda drafted: self._on_drafted(*drafted), on_error=self._on_failed,
                         on_done=self._on_job_done)
        self._refresh()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setVisible(done < total)
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _on_drafted(self, report, assets: dict) -> None:
        if report.run_name == (self._run_path.name if self._run_path else None):
            self._set_report(report, assets)
            self.message.setText(f"Draft ready: status {report.status}. Edit the text, then export.")
            self.drafted.emit()

    def _set_report(self, report, assets: dict) -> None:
        self._report, self._assets = report, assets
        self.sections.blockSignals(True)
        self.sections.clear()
        if report is not None:
            self.sections.addItems([section.heading for section in report.sections])
        self.sections.blockSignals(False)
        self._register_images()
        if report is not None:
            self.sections.setCurrentRow(0)
        else:
            self.prose_editor.clear()
        self._render_preview()
        self._refresh()

    def _register_images(self) -> None:
        document = self.preview.document()
        for key, asset in self._assets.items():
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"report:{key}"), QImage.fromData(asset.png, "PNG"))

    def _show_section(self, row: int) -> None:
        if self._report is None or row < 0:
            return
        self.prose_editor.blockSignals(True)
        self.prose_editor.setPlainText(self._report.sections[row].prose)
        self.prose_editor.blockSignals(False)

    def _on_prose_edited(self) -> None:
        row = self.sections.currentRow()
        if self._report is None or row < 0:
            return
        self._report.sections[row].prose = self.prose_editor.toPlainText()
        self._schedule_preview()

    def _render_preview(self) -> None:
        if self._report is None:
            self.preview.setHtml("<p>Open a finished run and choose <b>Draft report</b>.</p>")
            return
        from studio.reporting.render import to_html  # the renderer's import takes 20-40 ms: only for a report

        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(to_html(self._report, self._assets, lambda key: f"report:{key}"))
        self.preview.verticalScrollBar().setValue(scroll)

    def report(self):
        return self._report

    def formats(self) -> list[str]:
        return [key for key, box in self.format_boxes.items() if box.isChecked()]

    def set_formats(self, formats: list[str]) -> None:
        for key, box in self.format_boxes.items():
            box.setChecked(key in formats)

    def _ask_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the report to a folder")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        """Write the report, with the prose as edited, into ``folder``."""
        if self._report is None or self._jobs.busy("export"):
            return
        formats = self.formats()
        if not formats:
            self.message.setText("Choose at least one format to export.")
            return
        self.message.setText("Exporting…")
        self._jobs.start("export", jobs.export, self._report, self._run_path, folder, formats,
                         doing="Exporting the report", on_progress=self._on_progress, on_result=self._on_exported,
                         on_error=self._on_failed, on_done=self._on_job_done)
        self._refresh()

    def _on_exported(self, paths: list) -> None:
        self.message.setText(f"Exported {len(paths)} files to {Path(paths[-1]).parent}.")
        self.exported.emit(paths)

    def _on_failed(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.failed.emit(sentence)

    def _on_job_done(self, cancelled: bool) -> None:
        self.progress_bar.setVisible(False)
        self._refresh()
