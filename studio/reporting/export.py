"""Writing a report to a folder: ``report.html``, ``report.pdf``, ``report.md`` with ``assets/``,
and ``manifest.json`` with the SHA-256 of every file written. Each file is written atomically.

Qt draws the charts and the PDF, so a QGuiApplication must exist; :func:`ensure_qt` makes one
(offscreen when there is no display) for the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from studio.core.files import write_bytes_atomic, write_text_atomic
from studio.core.errors import Cancelled, StudioError
from studio.core.evaluation.report import Report

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


def export_report(report: Report, out_dir: Path, formats: list[str] = list(FORMATS),
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> list[Path]:
    """Write the chosen formats into ``out_dir`` (created if needed); returns the files written."""
    from studio.reporting.pdf import pdf_bytes
    from studio.reporting.render import build_assets, standalone_html, to_html, to_markdown

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise StudioError(f"'{out_dir}' is a file; choose a folder for the report.")
    total = len(formats) + 1

    def step(done: int) -> None:
        if cancelled and cancelled():
            raise Cancelled("The report export was cancelled.")
        if progress:
            progress(done, total)

    step(0)
    assets = build_assets(report)
    manifest = [[f"{ASSET_DIR}/{asset.name}", "image (PNG)", _sha(asset.png)[:16]] for asset in assets.values()]
    manifest += [[f"report.{fmt}", "this report", "see manifest.json"] for fmt in formats]
    written: dict[Path, bytes] = {}
    step(1)
    for done, fmt in enumerate(formats, start=2):
        if fmt == "html":
            written[out_dir / "report.html"] = standalone_html(report, assets, manifest).encode("utf-8")
        elif fmt == "md":
            for asset in assets.values():
                written[out_dir / ASSET_DIR / asset.name] = asset.png
            written[out_dir / "report.md"] = to_markdown(report, assets, ASSET_DIR, manifest).encode("utf-8")
        else:
            html = to_html(report, assets, lambda key: f"report:{key}", manifest)
            written[out_dir / "report.pdf"] = pdf_bytes(html, assets, report.title)[0]
        step(done)
    for path, data in written.items():
        write_bytes_atomic(path, data)
    files = {str(path.relative_to(out_dir)): _sha(data) for path, data in written.items()}
    write_text_atomic(out_dir / "manifest.json", json.dumps({"run": report.run_name, "files": files}, indent=2))
    return [*written, out_dir / "manifest.json"]
