"""A run folder reopened as plain data (config, logged metrics, last sample grid, progress), for
the window to show; read off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from studio.core.config import RunConfig
from studio.core.errors import StudioError


@dataclass(frozen=True)
class RunSnapshot:
    path: Path
    config: RunConfig
    metrics: list[dict] = field(default_factory=list)
    samples: np.ndarray | None = None
    last_step: int = 0
    has_checkpoint: bool = False
    foreign_source: str = ""  # a dataset outside the run, not recorded by this studio: ask before loading it


def open_snapshot(path: Path, data: str | None = None) -> RunSnapshot:
    """Read the run at ``path``. ``data`` is a dataset the analyst chose or approved for it (sealed into
    the run); without it, a run whose dataset is from elsewhere comes back with ``foreign_source`` set."""
    from studio.core.data_source import DataSourceNotApproved
    from studio.core.runs import Run

    run = Run.open(path)
    if data is not None:
        run.use_data_source(data, remember=True)
    try:
        config, foreign = replace(run.config, data=run.data_config()), ""
    except DataSourceNotApproved as refusal:
        config, foreign = run.config, refusal.source
    return RunSnapshot(
        path=Path(run.path),
        config=config,
        metrics=run.read_metrics(),
        samples=_latest_grid(run),
        last_step=run.last_step(),
        has_checkpoint=run.latest_checkpoint() is not None,
        foreign_source=foreign,
    )


def _latest_grid(run) -> np.ndarray | None:
    """The newest sample grid, or None when there is none or it cannot be read (the panel then shows none)."""
    path = run.latest_samples()
    try:
        return None if path is None else run.read_grid(path)
    except StudioError:
        return None
