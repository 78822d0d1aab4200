"""Plain events the Trainer reports; the GUI re-emits them as Qt signals, the CLI prints them.

They carry numbers, numpy arrays and paths only, so any thread or process can hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Started:
    run_dir: Path
    device: str
    start_step: int
    total_steps: int
    resumed: bool


@dataclass(frozen=True)
class StepLogged:
    step: int
    total_steps: int
    g_loss: float
    d_loss: float
    d_real: float
    d_fake: float
    images_per_sec: float  # by the wall clock since training (re)started, evaluations and sample grids included
    elapsed_s: float  # seconds since training (re)started, pauses left out
    eta_s: float = float("inf")  # seconds left at that pace


@dataclass(frozen=True)
class SamplesReady:
    step: int
    images: np.ndarray
    seed: int


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: Path


@dataclass(frozen=True)
class QualityMeasured:
    """A training-time evaluation: ``record`` is the metrics.jsonl row (FD, KID, …, feature space, counts)."""

    step: int
    record: dict
    best: bool


@dataclass(frozen=True)
class Paused:
    """Training has stopped stepping after ``step`` and waits for resume or stop."""

    step: int


@dataclass(frozen=True)
class Finished:
    step: int
    stopped: bool
    reason: str = ""


@dataclass(frozen=True)
class Failed:
    message: str


@dataclass(frozen=True)
class Recovered:
    """Training diverged and was rolled back to an earlier checkpoint with a fix applied."""

    step: int
    rolled_back_to: int
    message: str


Event = Started | StepLogged | SamplesReady | CheckpointSaved | QualityMeasured | Recovered | Paused | Finished | Failed
