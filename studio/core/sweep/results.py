"""What a sweep found: the trials table, each trial's FD curve, the best trial and the best-so-far
history, which parameters mattered, and what the best settings changed from the defaults.

No torch here (Optuna is imported on first read), so the GUI and the report can read a sweep
while it runs in another process.

Parameter importances come from Optuna's PED-ANOVA evaluator where the installed Optuna has it
and it works on the trials so far; otherwise from a simple measure computed here: for each
parameter, the completed trials are grouped (by value for a choice, into up to four quantile bins
for a range), and its importance is the spread (variance, weighted by group size) of the groups'
mean FD, the shares adding up to 1. Fewer than three completed trials give no importances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.config import RunConfig
from studio.core.errors import StudioError
from studio.core.sweep.events import COMPLETE, FAIL, PRUNED
from studio.core.sweep.space import CHOICE, Parameter, config_value
from studio.core.sweep.spec import TRIALS_DIR, SweepSpec, read_spec
from studio.core.sweep.study import JOURNAL_FILE, open_study, optuna_module, study_errors

MIN_TRIALS_FOR_IMPORTANCE = 3
PED_ANOVA, BINNED_VARIANCE = "PED-ANOVA", "variance of the mean FD across value groups"
# what the runner records on each trial in the journal
RUN_ATTR, SECONDS_ATTR, STEPS_ATTR, MESSAGE_ATTR, INTERRUPTED_ATTR = "run", "seconds", "steps", "message", "interrupted"
FINISHED_STATES = (COMPLETE, PRUNED, FAIL)
TRIAL_COLUMNS = ("Trial", "State", "Best FD", "Steps", "Seconds", "Settings")


@dataclass(frozen=True)
class TrialRow:
    number: int
    params: dict[str, Any]  # the searched values
    state: str  # COMPLETE, PRUNED, FAIL, RUNNING (interrupted: continues when the sweep runs again) or WAITING
    value: float | None  # the best FD it measured (None before the first measurement)
    steps: int  # the last step trained
    seconds: float  # training time without pauses
    run_path: Path | None  # its run folder (opens, samples and reports like any run)
    message: str = ""  # why it failed or was pruned
    curve: tuple[tuple[int, float], ...] = ()  # (step, FD) of every measurement
    retried: bool = False  # interrupted by a crash and tried again as a new trial; not counted


@dataclass(frozen=True)
class SweepResults:
    folder: Path
    spec: SweepSpec
    trials: list[TrialRow]
    best: TrialRow | None  # the completed trial with the lowest FD
    best_so_far: list[tuple[int, float]]  # (trial number, best FD of the completed trials up to it)
    importances: dict[str, float]  # parameter -> share of importance (adding up to 1), most important first
    importance_method: str  # PED_ANOVA, BINNED_VARIANCE, or a sentence saying why there are none
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # option -> (default, best trial's value)

    @property
    def counted(self) -> int:
        """Finished trials counted against the budget."""
        return counted(self.trials)

    @property
    def progress_line(self) -> str:
        """One line for a status bar: trials done of the budget and the best FD so far."""
        text = f"{self.counted} of {self.spec.trials or 'unlimited'} trials done."
        if self.best is not None:
            text += f" Best FD {self.best.value:.4g} (trial {self.best.number})."
        return text

    @property
    def finished_with_value(self) -> list[TrialRow]:
        """The finished trials that measured an FD (completed, or pruned after a measurement)."""
        return [row for row in self.trials if row.value is not None and row.state != "RUNNING"]

    @property
    def best_line(self) -> list[tuple[int, float]]:
        """The best-so-far line of the history plot: ``best_so_far`` held on to the last finished trial."""
        line, finished = list(self.best_so_far), self.finished_with_value
        last = max((row.number for row in finished), default=None)
        if line and last is not None and last > line[-1][0]:
            line.append((last, line[-1][1]))
        return line


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def safe_run_path(folder: Path, value: Any) -> Path | None:
    """The trial's run folder recorded in the journal, when it stays inside the sweep's trials folder."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    parts = Path(value).parts
    inside = len(parts) == 2 and parts[0] == TRIALS_DIR and parts[1] not in ("", ".", "..") and not Path(value).is_absolute()
    return Path(folder) / value if inside else None


def trial_row(folder: Path, trial: Any) -> TrialRow:
    """One of Optuna's frozen trials as a row, every value from the journal checked first."""
    attrs = trial.user_attrs
    curve = tuple(sorted((int(step), float(value)) for step, value in trial.intermediate_values.items()
                         if is_number(value)))
    value = float(trial.value) if trial.state.name == COMPLETE and is_number(trial.value) else \
        (min((v for _, v in curve), default=None))
    message = attrs.get(MESSAGE_ATTR, "")
    return TrialRow(
        number=trial.number, params=dict(trial.params), state=trial.state.name, value=value,
        steps=int(attrs[STEPS_ATTR]) if is_number(attrs.get(STEPS_ATTR)) else (curve[-1][0] if curve else 0),
        seconds=float(attrs[SECONDS_ATTR]) if is_number(attrs.get(SECONDS_ATTR)) else 0.0,
        run_path=safe_run_path(folder, attrs.get(RUN_ATTR)),
        message=message if isinstance(message, str) else "",
        curve=curve, retried=attrs.get(INTERRUPTED_ATTR) is True,
    )


def counted(rows: list[TrialRow]) -> int:
    """Finished trials that count against the budget (not those a crash interrupted and that were retried)."""
    return sum(1 for row in rows if row.state in FINISHED_STATES and not row.retried)


def completed(rows: list[TrialRow]) -> list[TrialRow]:
    """The trials whose FD ranks them: completed, with a value."""
    return [row for row in rows if row.state == COMPLETE and row.value is not None]


def best_trial(rows: list[TrialRow]) -> TrialRow | None:
    """The completed trial with the lowest FD."""
    return min(completed(rows), key=lambda row: row.value, default=None)


def state_word(row: TrialRow, live: bool = False) -> str:
    """The trial's state in a word; a RUNNING trial is ``running`` while its sweep runs (``live``), and
    otherwise ``interrupted``: it continues when the sweep runs again."""
    if row.retried:
        return "retried"
    if row.state == "RUNNING":
        return "running" if live else "interrupted"
    return {COMPLETE: "complete", PRUNED: "pruned", FAIL: "failed"}.get(row.state, row.state.lower())


def trial_cells(row: TrialRow, live: bool = False) -> tuple[str, ...]:
    """The row as the text of ``TRIAL_COLUMNS``, the same in the tab, the report and the command line."""
    return (str(row.number), state_word(row, live), f"{row.value:.4g}" if row.value is not None else "–",
            f"{row.steps:,}", f"{row.seconds:.1f}", short_params(row.params))


def read_results(folder: Path, importances: bool = True) -> SweepResults:
    """Everything the sweep in ``folder`` has found so far (a sweep that has not started has no trials)."""
    folder = Path(folder)
    spec = read_spec(folder)
    if not (folder / JOURNAL_FILE).is_file():
        return SweepResults(folder, spec, [], None, [], {}, "No trial has run yet.")
    with study_errors(folder):
        study = open_study(folder, spec)
        rows = [trial_row(folder, trial) for trial in study.get_trials(deepcopy=False)]
        found, method = parameter_importances(study, rows, spec.space) if importances else ({}, "Not computed.")
    best = best_trial(rows)
    history, lowest = [], math.inf
    for row in sorted(completed(rows), key=lambda row: row.number):
        lowest = min(lowest, row.value)
        history.append((row.number, lowest))
    return SweepResults(folder, spec, rows, best, history, found, method, changed_from_defaults(spec, best))


def parameter_importances(study: Any, rows: list[TrialRow], space: list[Parameter]) -> tuple[dict[str, float], str]:
    """Each searched parameter's share of importance for FD, and the method used (see the module)."""
    ranked = completed(rows)
    searched = [p for p in space if p.enabled]
    if len(ranked) < MIN_TRIALS_FOR_IMPORTANCE or not searched:
        return {}, f"Importances need at least {MIN_TRIALS_FOR_IMPORTANCE} completed trials."
    optuna = optuna_module()
    evaluator = getattr(optuna.importance, "PedAnovaImportanceEvaluator", None)
    if evaluator is not None:
        try:
            found = optuna.importance.get_param_importances(study, evaluator=evaluator())
            total = sum(found.values())
            if found and total > 0 and all(math.isfinite(v) for v in found.values()):
                return {name: value / total for name, value in found.items()}, PED_ANOVA
        except Exception:  # too few trials for its quantile, an old Optuna, a missing optional package
            pass
    return binned_importances(ranked, searched), BINNED_VARIANCE


def binned_importances(ranked: list[TrialRow], searched: list[Parameter]) -> dict[str, float]:
    """The simple importance of the module's docstring, most important first."""
    spreads = {}
    for parameter in searched:
        pairs = [(row.params[parameter.name], row.value) for row in ranked if parameter.name in row.params]
        if len(pairs) < 2:
            continue
        if parameter.kind == CHOICE:
            keys = [str(value) for value, _ in pairs]
        else:
            ordered = sorted(value for value, _ in pairs)
            edges = [ordered[int(len(ordered) * q / 4)] for q in (1, 2, 3)]
            keys = [str(sum(value >= edge for edge in edges)) for value, _ in pairs]
        overall = sum(v for _, v in pairs) / len(pairs)
        groups: dict[str, list[float]] = {}
        for key, (_, value) in zip(keys, pairs):
            groups.setdefault(key, []).append(value)
        spreads[parameter.name] = sum(len(g) * (sum(g) / len(g) - overall) ** 2 for g in groups.values()) / len(pairs)
    total = sum(spreads.values())
    if total <= 0:
        return {name: 0.0 for name in spreads}
    return dict(sorted(((name, spread / total) for name, spread in spreads.items()), key=lambda item: -item[1]))


def changed_from_defaults(spec: SweepSpec, best: TrialRow | None) -> dict[str, tuple[Any, Any]]:
    """The options whose value in the best trial differs from a new run's default: ``{name: (default, best)}``."""
    if best is None:
        return {}
    try:
        config = spec.trial_config(best.params)
    except StudioError:
        return {}
    defaults = RunConfig()
    return {p.name: (config_value(defaults, p.name), config_value(config, p.name)) for p in spec.space
            if config_value(config, p.name) != config_value(defaults, p.name)}


def continue_best(folder: Path, extra_steps: int) -> Any:
    """The best trial's run, ready to train ``extra_steps`` more with the ordinary resume path: pass it
    to a Trainer (GUI), or ``python -m studio resume --run <run>``. Its checkpoints, samples and
    measurements go back to the base config's spacing; the run keeps its trained settings."""
    from studio.core.run_lock import refuse_if_training
    from studio.core.runs import Run

    results = read_results(folder, importances=False)
    if results.best is None or results.best.run_path is None:
        raise StudioError(f"The sweep '{folder}' has no completed trial to continue yet.")
    if extra_steps < 1:
        raise StudioError(f"The extra steps must be at least 1, not {extra_steps}.")
    run = Run.open(results.best.run_path)
    refuse_if_training(run.path)
    config = RunConfig.from_dict(run.config.to_dict())
    base = results.spec.base.train
    config.train.checkpoint_every, config.train.keep_checkpoints = base.checkpoint_every, base.keep_checkpoints
    config.train.sample_every = base.sample_every
    run.save_config(config)
    run.continue_to(run.last_step() + extra_steps)
    return run


def short_params(params: dict[str, Any]) -> str:
    """``lr_g=3.2e-4 batch_size=32 loss=hinge`` for a progress line or a table cell."""
    return " ".join(f"{name}={value:.2g}" if isinstance(value, float) else f"{name}={value}" for name, value in params.items())
