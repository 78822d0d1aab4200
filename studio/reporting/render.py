"""A :class:`~studio.core.evaluation.report_model.Report` as HTML (standalone or for Qt's QTextDocument) and Markdown.

Every string that comes from the run or the analyst is escaped here, once, for its format: a class
folder named ``<script>`` shows up as text. Images are PNG assets (charts drawn from the data,
samples as their own pixels); the standalone HTML embeds them as data URIs, the Qt document
refers to them as resources, Markdown links to ``assets/``.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage

from studio.core.imaging import png_bytes
from studio.core.evaluation.report_model import STATUS_WORDS, Chart, Picture, Report, Section, Table
from studio.reporting.charts import HEIGHT, WIDTH, render_chart

CHART_DISPLAY_WIDTH = 640
STATUS_COLOURS = {"green": "#2e7d32", "amber": "#b26a00", "red": "#c62828"}


@dataclass(frozen=True)
class Asset:
    name: str
    png: bytes
    width: int
    height: int
    display_width: int

    @property
    def display_height(self) -> int:
        return round(self.height * self.display_width / self.width)


def _qimage_png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def build_assets(report: Report) -> dict[str, Asset]:
    """Every image of the report as a PNG, keyed by its block's key."""
    assets = {}
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Chart):
                assets[block.key] = Asset(f"{block.key}.png", _qimage_png(render_chart(block)), WIDTH,
                                          HEIGHT, CHART_DISPLAY_WIDTH)
            elif isinstance(block, Picture):
                height, width = block.image.shape[:2]
                assets[block.key] = Asset(f"{_safe_name(block.key)}.png", png_bytes(block.image), width, height,
                                          min(width * block.scale, CHART_DISPLAY_WIDTH))
    return assets


def _safe_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", key)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #222; }
h1 { font-size: 18pt; margin-bottom: 4px; }
h2 { font-size: 13pt; margin-top: 18px; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 6px 0; }
th { background: #e8e8e8; text-align: left; }
td, th { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; }
.caption { color: #555; font-size: 9pt; }
.status { font-weight: bold; font-size: 12pt; }
img.pixels { image-rendering: pixelated; }
"""


def to_html(report: Report, assets: dict[str, Asset], source: Callable[[str], str], manifest: list[list[str]] | None = None) -> str:
    """The report as one HTML page; ``source(key)`` gives each image's ``src``."""
    colour = STATUS_COLOURS[report.status]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{_e(report.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(report.title)}</h1>",
        f"<p class='status' style='color:{colour}'>Status: {_e(STATUS_WORDS[report.status])}</p>",
    ]
    for section in report.sections:
        parts.append(_section_html(section, assets, source))
        if section.key == "appendix" and manifest:
            parts.append("<h3>Export manifest</h3>" + _table_html(Table(["File", "Contents", "SHA-256"], manifest)))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section_html(section: Section, assets: dict[str, Asset], source: Callable[[str], str]) -> str:
    out = [f"<h2>{_e(section.heading)}</h2>"]
    out += [f"<p>{_e(paragraph)}</p>" for paragraph in section.prose.split("\n\n") if paragraph.strip()]
    for block in section.blocks:
        if isinstance(block, Table):
            out.append(_table_html(block))
        else:
            asset = assets[block.key]
            caption = block.caption if isinstance(block, Picture) else block.title
            pixel_class = " class='pixels'" if isinstance(block, Picture) else ""
            out.append(f"<p><img{pixel_class} src='{_e(source(block.key))}' width='{asset.display_width}' "
                       f"height='{asset.display_height}' alt='{_e(caption)}'></p>")
            if isinstance(block, Picture):
                out.append(f"<p class='caption'>{_e(caption)}</p>")
    return "\n".join(out)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{_e(cell)}</th>" for cell in table.headers)
    rows = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    return f"<table cellspacing='0' cellpadding='4'><tr>{head}</tr>{rows}</table>"


def standalone_html(report: Report, assets: dict[str, Asset], manifest: list[list[str]] | None = None) -> str:
    """HTML with every image embedded as a data URI: one file, no external references."""
    return to_html(report, assets, lambda key: "data:image/png;base64," + base64.b64encode(assets[key].png).decode("ascii"), manifest)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def _md(text: object) -> str:
    """Markdown text that renders literally: markup characters escaped, HTML-significant ones as entities."""
    escaped = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped).replace("\n", " ")


def to_markdown(report: Report, assets: dict[str, Asset], asset_dir: str, manifest: list[list[str]] | None = None) -> str:
    lines = [f"# {_md(report.title)}", "", f"**Status: {_md(STATUS_WORDS[report.status])}**", ""]
    for section in report.sections:
        lines += [f"## {_md(section.heading)}", ""]
        lines += [_md(paragraph) + "\n" for paragraph in section.prose.split("\n\n") if paragraph.strip()]
        for block in section.blocks:
            if isinstance(block, Table):
                lines += _table_md(block)
            else:
                caption = block.caption if isinstance(block, Picture) else block.title
                lines += [f"![{_md(caption)}]({asset_dir}/{assets[block.key].name})", ""]
        if section.key == "appendix" and manifest:
            lines += ["### Export manifest", ""] + _table_md(Table(["File", "Contents", "SHA-256"], manifest))
    return "\n".join(lines) + "\n"


def _table_md(table: Table) -> list[str]:
    return (["| " + " | ".join(_md(cell) for cell in table.headers) + " |",
             "|" + "---|" * len(table.headers)]
            + ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in table.rows] + [""])
