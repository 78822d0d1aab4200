"""A report as a document: sections with editable prose, tables, charts drawn from data and pictures.

Built by :func:`studio.core.evaluation.report.build_report` for a run and by the sweep report for a
sweep; drawn and written by :mod:`studio.reporting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.core.evaluation.findings import Finding

STATUS_WORDS = {"green": "Green: healthy", "amber": "Amber: usable, with caveats", "red": "Red: needs attention"}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Series:
    """One line of a chart; ``style`` 'points' draws only its points, 'cut' a dashed line ending in ×
    (a trial stopped early). A series without a name stays out of the legend."""

    name: str
    color: str
    x: list[float]
    y: list[float]
    style: str = "line"


@dataclass(frozen=True)
class Chart:
    """A line chart drawn from data; ``markers`` are (step, label) events drawn as vertical lines."""

    key: str
    title: str
    y_label: str
    series: list[Series]
    markers: list[tuple[float, str]] = field(default_factory=list)
    y_range: tuple[float, float] | None = None
    bars: bool = False
    x_label: str = "step"
    log_y: bool = False  # a log scale, for values spanning orders of magnitude (non-positive ones are left out)



@dataclass(frozen=True)
class Picture:
    """An image (``(H, W, 3)`` uint8) shown at ``scale`` times its pixel size, never re-encoded lossily."""

    key: str
    caption: str
    image: np.ndarray
    scale: int = 1


Block = Table | Chart | Picture


@dataclass
class Section:
    key: str
    heading: str
    prose: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    run_name: str
    status: str
    findings: list[Finding]
    sections: list[Section]
    created_at: float

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    def prose(self) -> dict[str, str]:
        return {section.key: section.prose for section in self.sections}

    def apply_edits(self, edits: dict[str, str]) -> None:
        for section in self.sections:
            if isinstance(edits.get(section.key), str):
                section.prose = edits[section.key]
