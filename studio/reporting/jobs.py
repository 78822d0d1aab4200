"""The Report panel's long jobs as plain functions: draft a run's report, and export it.

Drafting loads the data, samples and checks checkpoints (torch) and draws the charts (QPainter on
QImage, which is safe off the GUI thread); the panel receives finished data only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.tasks import TaskState


def draft(run_path: Path, task: TaskState) -> tuple[Any, dict]:
    """The draft report of the run at ``run_path`` and its images, with the analyst's saved edits."""
    from studio.core.evaluation.report import build_report
    from studio.core.runs import Run
    from studio.reporting.render import build_assets

    report = build_report(Run.open(run_path), task)
    return report, build_assets(report)


def export(report: Any, run_path: Path, folder: Path, formats: list[str], task: TaskState) -> list[Path]:
    """Keep the analyst's prose in the run, then write the report files into ``folder`` if it is empty,
    else into a new sub-folder named after the run, so an earlier report there (perhaps edited by
    hand) is never overwritten."""
    from studio.core.evaluation.report import save_edits
    from studio.core.files import export_folder
    from studio.reporting.export import export_report

    save_edits(run_path, report.prose())
    return export_report(report, export_folder(folder, f"{Path(run_path).name}-report"), formats, task)
