"""Writing a report to a folder: ``report.html``, ``report.pdf``, ``report.md`` with ``assets/``,
and ``manifest.json`` with the SHA-256 of every file written, into a new or empty folder, all at once.

Qt draws the charts and the PDF, so a QGuiApplication must exist; :func:`ensure_qt` makes one
(offscreen when there is no display) for the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from studio.core.files import occupied, write_new_folder
from studio.core.errors import StudioError
from studio.core.evaluation.report_model import Report
from studio.core.tasks import TaskState, quiet

FORMATS = ("html", "pdf", "md")
ASSET_DIR = "assets"
_app = None


def parse_formats(text: str) -> list[str]:
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in formats if part not in FORMATS]
    if unknown or not formats:
        raise StudioError(f"Formats must be a comma-separated choice of {', '.join(FORMATS)}, not '{text}'.")
    return formats


def ensure_qt() -> None:
    """A QGuiApplication for drawing; offscreen when no platform was chosen and no display is set."""
    global _app
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _app = QGuiApplication([])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_report_folder(out_dir: Path) -> Path:
    """``out_dir`` when a report can go there (a new or empty folder), else one sentence, before any drafting."""
    out_dir = Path(out_dir)
    if occupied(out_dir):
        raise StudioError(f"'{out_dir}' already exists and is not empty; choose a new or empty folder for the report.")
    return out_dir


def report_files(report: Report, assets: dict, fmt: str, out: Path, asset_dir: str,
                 manifest: list[list[str]] | None = None) -> dict[Path, bytes]:
    """The files of ``report`` in the format ``fmt`` (one of ``FORMATS``) as the file ``out``; Markdown's
    images go into the folder ``asset_dir`` beside it. Used by the run report and the sweep report."""
    from studio.reporting.pdf import pdf_bytes
    from studio.reporting.render import standalone_html, to_html, to_markdown

    if fmt == "html":
        return {out: standalone_html(report, assets, manifest).encode("utf-8")}
    if fmt == "pdf":
        return {out: pdf_bytes(to_html(report, assets, lambda key: f"report:{key}", manifest), assets, report.title)[0]}
    files = {out.parent / asset_dir / asset.name: asset.png for asset in assets.values()}
    files[out] = to_markdown(report, assets, asset_dir, manifest).encode("utf-8")
    return files


def check_report_file(out: Path) -> str:
    """The format the report file name ``out`` asks for, or one sentence when it names none."""
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise StudioError(f"The report file must end in .html, .pdf or .md, not '{Path(out).name}'.")
    return fmt


def write_report_file(report: Report, out: Path) -> Path:
    """Write ``report`` as the one file ``out`` in the format its name asks for (Markdown's images go into
    ``<name>-assets/`` beside it), each file atomically; returns ``out``. Used by the sweep and
    translation reports."""
    from studio.core.files import write_bytes_atomic
    from studio.reporting.render import build_assets

    out = Path(out)
    fmt = check_report_file(out)
    ensure_qt()
    for path, data in report_files(report, build_assets(report), fmt, out, f"{out.stem}-assets").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
    return out


def export_report(report: Report, out_dir: Path, formats: list[str] = list(FORMATS),
                  task: TaskState | None = None) -> list[Path]:
    """Write the chosen formats into the new or empty folder ``out_dir``; returns the files written.

    A folder that already holds files (an earlier report, perhaps edited by hand) is refused, and
    the files appear together at the end, so a cancel or a failure leaves no partial report.
    """
    from studio.reporting.render import build_assets

    task = task or quiet()
    out_dir = check_report_folder(out_dir)
    total = len(formats) + 1

    def step(done: int) -> None:
        task.check("The report export")
        task.progress(done, total)

    step(0)
    assets = build_assets(report)
    manifest = [[f"{ASSET_DIR}/{asset.name}", "image (PNG)", _sha(asset.png)[:16]] for asset in assets.values()]
    manifest += [[f"report.{fmt}", "this report", "see manifest.json"] for fmt in formats]
    written: dict[Path, bytes] = {}
    step(1)
    for done, fmt in enumerate(formats, start=2):
        written.update(report_files(report, assets, fmt, out_dir / f"report.{fmt}", ASSET_DIR, manifest))
        step(done)
    files = {path.relative_to(out_dir).as_posix(): _sha(data) for path, data in written.items()}
    written[out_dir / "manifest.json"] = json.dumps({"run": report.run_name, "files": files}, indent=2).encode("utf-8")

    def fill(staging: Path) -> None:
        for path, data in written.items():
            target = staging / path.relative_to(out_dir)
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)

    write_new_folder(out_dir, fill)
    return list(written)
