"""Workers behind the Report panel: drafting a run's report and exporting it, off the GUI thread.

Drafting loads the data, samples and checks checkpoints (torch) and draws the charts (QPainter on
QImage, which is safe off the GUI thread); the panel receives finished data only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from studio.core.files import export_folder
from studio.gui.workers import Job


class ReportDraftWorker(Job):
    """Builds the draft report of a run; emits ``drafted(report, assets)``."""

    progress = Signal(int, int)
    drafted = Signal(object, object)
    doing = "Drafting the report"

    def __init__(self, run_path: Path) -> None:
        super().__init__()
        self.run_path = Path(run_path)

    def work(self) -> None:
        from studio.core.evaluation.report import build_report
        from studio.core.runs import Run
        from studio.reporting.render import build_assets

        report = build_report(Run.open(self.run_path), self.state.subtask(self.progress.emit))
        self.drafted.emit(report, build_assets(report))


class ReportExportWorker(Job):
    """Saves the analyst's prose into the run and writes the report files; emits ``exported(paths)``.

    An empty chosen folder receives the files directly; otherwise they go into a new sub-folder
    named after the run, so an earlier report there (perhaps edited by hand) is never overwritten.
    """

    progress = Signal(int, int)
    exported = Signal(object)
    doing = "Exporting the report"

    def __init__(self, report, run_path: Path, folder: Path, formats: list[str]) -> None:
        super().__init__()
        self.report, self.run_path, self.folder, self.formats = report, Path(run_path), Path(folder), formats

    def work(self) -> None:
        from studio.core.evaluation.report import save_edits
        from studio.reporting.export import export_report

        save_edits(self.run_path, self.report.prose())
        paths = export_report(self.report, export_folder(self.folder, f"{self.run_path.name}-report"), self.formats,
                              self.state.subtask(self.progress.emit))
        self.exported.emit(list(paths))
