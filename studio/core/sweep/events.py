"""Plain events a running sweep reports (numbers, text and paths only, any thread may hold them);
the GUI re-emits them as Qt signals, the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COMPLETE, PRUNED, FAIL, RUNNING = "COMPLETE", "PRUNED", "FAIL", "RUNNING"

# Why a sweep ended (SweepFinished.reason)
BUDGET, TIME, STOPPED, FAILING = "trials", "time", "stopped", "failing"


@dataclass(frozen=True)
class SweepStarted:
    folder: Path
    trials_done: int  # trials already finished (counted against the budget)
    trials_total: int  # the trial budget; 0 when only a time limit is set
    timeout_min: float  # 0 when there is no time limit
    resumed: bool


@dataclass(frozen=True)
class TrialStarted:
    number: int
    params: dict[str, Any]  # the searched values (fixed ones are in the run's config)
    run_path: Path
    resumed: bool  # continues a trial that a stop or a crash interrupted
    start_step: int = 0


@dataclass(frozen=True)
class TrialProgress:
    """A step of the current trial was logged (``fd`` None) or its FD measured (``fd`` set)."""

    number: int
    step: int
    total_steps: int
    fd: float | None = None
    best_fd: float | None = None  # the trial's best FD so far


@dataclass(frozen=True)
class TrialFinished:
    number: int
    state: str  # COMPLETE, PRUNED or FAIL
    value: float | None  # the best FD the trial measured
    steps: int
    seconds: float  # training time, pauses left out
    run_path: Path
    message: str = ""  # why it failed, or was pruned


@dataclass(frozen=True)
class SweepFinished:
    reason: str  # BUDGET, TIME, STOPPED or FAILING
    message: str  # one sentence for people
    best_number: int | None = None
    best_value: float | None = None
    best_run: Path | None = None


@dataclass(frozen=True)
class TrialTrainingEvent:
    """Any event of the trial's Trainer (samples, checkpoints, …), for a panel that shows the live run."""

    number: int
    event: Any = field(repr=False)


SweepEvent = SweepStarted | TrialStarted | TrialProgress | TrialFinished | SweepFinished | TrialTrainingEvent
