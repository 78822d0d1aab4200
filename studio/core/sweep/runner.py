"""The SweepRunner: trials one after another through the ordinary Trainer, asked of and told to Optuna.

Each trial is an ordinary run folder in ``<sweep>/trials/``; its FD, measured by the Trainer's own
evaluator every ``eval_every`` steps (always at the same steps: a sweep's trials do not stretch
the interval on a CPU), is reported to Optuna; a trial worse than the median of earlier ones at
two measurements in a row (after about a third of its steps) is pruned. The trial's value
is the best FD it measured.

Stopping leaves the current trial RUNNING in the study with a checkpoint at its last measurement;
running the sweep again continues it and never repeats a finished trial. A trial a crash left
behind whose run cannot be continued is marked failed (not counted against the budget) and its
settings are tried again as a new trial. The time limit counts training time without pauses,
across sessions; no new trial starts once it is spent (the current one finishes).

One process runs a sweep at a time: it holds the lock of the sweep folder meanwhile, and writes the
changes asked of the sweep (a wider budget, another device, the dataset chosen for it) only once it
holds it and the study has opened, so a refused run leaves the folder as it was.

A trial's run records the sweep's dataset; it carries this studio's seal only when the analyst
chose that dataset here (see :mod:`studio.core.data_source`), never for one a received sweep names.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from studio.core.config import RunConfig
from studio.core.errors import StudioError
from studio.core.files import occupied, unused_path
from studio.core.sweep.events import (BUDGET, COMPLETE, FAIL, FAILING, PRUNED, STOPPED, TIME, SweepEvent, SweepFinished,
                                      SweepStarted, TrialFinished, TrialProgress, TrialStarted, TrialTrainingEvent)
from studio.core.sweep.results import (INTERRUPTED_ATTR, MESSAGE_ATTR, RUN_ATTR, SECONDS_ATTR, STEPS_ATTR, best_trial,
                                       counted, trial_row)
from studio.core.sweep.space import searched
from studio.core.sweep.lock import sweep_lock
from studio.core.sweep.spec import TRIALS_DIR, SweepSpec, read_spec, write_spec
from studio.core.sweep.study import PRUNE_STRIKES, open_study, optuna_module, study_errors
from studio.core.training.pace import PausedTime

FAILURES_IN_A_ROW = 3  # the sweep ends when this many trials in a row fail (the data or device is likely at fault)


class TrialCannotResume(StudioError):
    """Raised by a trial-training function when an interrupted trial's run cannot be continued."""


@dataclass
class TrialJob:
    """What a trial-training function trains: ``config`` into the run folder ``run_path`` (new, or the
    interrupted trial's own when ``resumed``)."""

    number: int
    params: dict[str, Any]
    config: RunConfig
    run_path: Path
    resumed: bool
    features_dir: Path  # where the classifier feature space is shared between trials
    seal_data: bool = False  # the analyst chose the dataset here: a new run may carry this studio's seal


@dataclass
class TrialOutcome:
    steps: int  # the last step trained
    error: str = ""  # one sentence when the trial failed


@dataclass
class TrialHooks:
    """How a trial-training function talks back to the runner (all calls from the runner's thread)."""

    report: Callable[[int, float], bool]  # (step, fd) -> True when the trial should stop: pruned
    progress: Callable[[int, int], None]  # (step, total steps)
    attach: Callable[[Any], None]  # the object whose pause(), resume(), stop() control the trial (the Trainer)
    event: Callable[[Any], None] = lambda event: None  # any Trainer event, passed on as TrialTrainingEvent


TrainTrial = Callable[[TrialJob, TrialHooks], TrialOutcome]


class SweepRunner:
    """Runs the sweep in ``folder`` on ``dataset``: :meth:`run` blocks, the control methods are thread-safe.

    ``train_trial`` trains one trial; it defaults to the Trainer (:func:`train_with_trainer`). ``changed``
    is the sweep's spec with changes to write before it runs (see the module's note).
    """

    def __init__(self, folder: Path, dataset: Any, on_event: Callable[[SweepEvent], None] = lambda event: None,
                 train_trial: TrainTrial | None = None, changed: SweepSpec | None = None):
        self.folder = Path(folder)
        self.dataset = dataset
        self.changed = changed
        self.on_event = on_event
        self.train_trial = train_trial or (lambda job, hooks: train_with_trainer(job, hooks, dataset))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._control: Any = None
        self._paused = PausedTime(time.monotonic)
        self._seal_data = False

    def pause(self) -> None:
        with self._lock:
            self._paused.began()
            self._unpaused.clear()
            if self._control is not None:
                self._control.pause()

    def resume(self) -> None:
        with self._lock:
            self._paused.ended()
            self._unpaused.set()
            if self._control is not None:
                self._control.resume()

    def stop(self) -> None:
        """Stop after the current step; the trial stays resumable."""
        with self._lock:
            self._stop.set()
            if self._control is not None:
                self._control.stop()
        self.resume()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def _attach(self, control: Any) -> None:
        with self._lock:
            self._control = control
            if control is None:
                return
            if self._stop.is_set():
                control.stop()
            elif not self._unpaused.is_set():
                control.pause()

    def run(self) -> SweepFinished:
        """Run trials until the budget is spent or :meth:`stop`; returns (and reports) how it ended.

        Problems with the sweep as a whole (another process runs it, a damaged study) raise one
        :class:`StudioError` sentence; a trial that fails is recorded and the sweep goes on.
        """
        spec = read_spec(self.folder)
        if self.changed is not None:
            if self.changed.study_name != spec.study_name:
                raise StudioError(f"'{self.folder}' holds another sweep than the one to continue.")
            self.changed.check()
            spec = self.changed
        with sweep_lock(self.folder):
            return self._run(spec)

    def _run(self, spec: SweepSpec) -> SweepFinished:
        optuna = optuna_module()
        running = optuna.trial.TrialState.RUNNING
        with study_errors(self.folder):
            study = open_study(self.folder, spec, create=True)
            if self.changed is not None:
                write_spec(self.folder, spec)
            (self.folder / TRIALS_DIR).mkdir(exist_ok=True)
            spec = self._for_trials(spec)
            existing = study.get_trials(deepcopy=False)
            if existing:
                study = open_study(self.folder, spec, sampler_offset=len(existing))
            began = any(t.state.name != "WAITING" for t in existing)  # a new sweep holds only its queued trial 0
            self.on_event(SweepStarted(self.folder, counted(self._rows(existing)), spec.trials, spec.timeout_min, began))
            failures = 0
            for frozen in sorted(study.get_trials(deepcopy=False, states=(running,)), key=lambda t: t.number):
                if self._stop.is_set():
                    break
                state = self._trial(study, spec, frozen, resumed=True)
                failures = failures + 1 if state == FAIL else 0
            while True:
                self._unpaused.wait()
                rows = self._rows(study.get_trials(deepcopy=False))
                if self._stop.is_set():
                    return self._finish(study, STOPPED, "The sweep was stopped; run it again to continue where it stopped.")
                if failures >= FAILURES_IN_A_ROW:
                    return self._finish(study, FAILING, f"The sweep stopped after {failures} trials in a row failed; "
                                        "see their messages in the trials table.")
                running_now = sum(1 for row in rows if row.state == "RUNNING")
                if spec.trials and counted(rows) + running_now >= spec.trials:
                    return self._finish(study, BUDGET, f"The sweep ran its {spec.trials} trials.")
                if spec.timeout_min and sum(row.seconds for row in rows) >= spec.timeout_min * 60:
                    return self._finish(study, TIME, f"The sweep used its {spec.timeout_min:g} minutes.")
                trial = study.ask(searched(spec.space))
                run_path = self.folder / TRIALS_DIR / f"trial-{trial.number:03d}"
                if occupied(run_path):
                    run_path = unused_path(run_path.parent, run_path.name)
                trial.set_user_attr(RUN_ATTR, f"{TRIALS_DIR}/{run_path.name}")
                frozen = next(t for t in study.get_trials(deepcopy=False) if t.number == trial.number)
                state = self._trial(study, spec, frozen, resumed=False)
                failures = failures + 1 if state == FAIL else 0

    def _rows(self, trials: list) -> list:
        return [trial_row(self.folder, trial) for trial in trials]

    def _for_trials(self, spec: SweepSpec) -> SweepSpec:
        """The spec the trials' configs come from: the dataset's source as a path (a relative one lies in
        the sweep folder, not in each trial's), and whether the trials may seal it."""
        from studio.core.data_source import resolve

        self._seal_data = spec.data_chosen_here()
        return replace(spec, data=replace(spec.data, source=resolve(self.folder, spec.data.source)))

    def _trial(self, study: Any, spec: SweepSpec, frozen: Any, resumed: bool) -> str | None:
        """Train one trial and tell Optuna how it ended; returns its state, None when stopped midway."""
        optuna = optuna_module()
        number, params = frozen.number, dict(frozen.params)
        before = trial_row(self.folder, frozen)
        run_path = before.run_path or self.folder / TRIALS_DIR / f"trial-{number:03d}"
        reported: dict[int, float] = {int(step): float(value) for step, value in frozen.intermediate_values.items()}
        trial = optuna.trial.Trial(study, frozen._trial_id)
        pruned: list[bool] = []
        strikes = [0]
        best = [min(reported.values(), default=math.inf)]
        total = spec.steps

        def report(step: int, fd: float) -> bool:
            if math.isfinite(fd):
                best[0] = min(best[0], fd)
            if step not in reported and math.isfinite(fd):
                reported[step] = fd
                trial.report(fd, step)
            self.on_event(TrialProgress(number, step, total, fd, best[0] if math.isfinite(best[0]) else None))
            strikes[0] = strikes[0] + 1 if not self._stop.is_set() and trial.should_prune() else 0
            if strikes[0] >= PRUNE_STRIKES:
                pruned.append(True)
                return True
            return False

        hooks = TrialHooks(
            report=report,
            progress=lambda step, steps: self.on_event(TrialProgress(number, step, steps, None,
                                                                     best[0] if math.isfinite(best[0]) else None)),
            attach=self._attach,
            event=lambda event: self.on_event(TrialTrainingEvent(number, event)),
        )
        seconds_before = before.seconds
        try:
            config = spec.trial_config(params)
        except StudioError as error:
            return self._tell(study, trial, FAIL, None, 0, seconds_before, run_path, str(error))
        self.on_event(TrialStarted(number, params, run_path, resumed, max(reported, default=0) if resumed else 0))
        job = TrialJob(number, params, config, run_path, resumed, self.folder / "features", self._seal_data)
        began, paused_before = time.monotonic(), self._paused.seconds()
        try:
            outcome = self.train_trial(job, hooks)
        except TrialCannotResume as error:
            study.enqueue_trial(params)
            trial.set_user_attr(INTERRUPTED_ATTR, True)
            return self._tell(study, trial, FAIL, None, 0, seconds_before, run_path,
                              f"{error} Its settings are tried again as a new trial.")
        except StudioError as error:
            outcome = TrialOutcome(0, str(error))
        finally:
            self._attach(None)
        seconds = seconds_before + max(0.0, time.monotonic() - began - (self._paused.seconds() - paused_before))
        trial.set_user_attr(SECONDS_ATTR, seconds)
        trial.set_user_attr(STEPS_ATTR, outcome.steps)
        value = best[0] if math.isfinite(best[0]) else None
        if pruned:
            return self._tell(study, trial, PRUNED, value, outcome.steps, seconds, run_path,
                              f"Pruned at step {max(reported)}: its FD was worse than the median of earlier trials at two measurements in a row.")
        if outcome.error:
            return self._tell(study, trial, FAIL, value, outcome.steps, seconds, run_path, outcome.error)
        if self._stop.is_set() and outcome.steps < total:
            return None  # left RUNNING: the next run of the sweep continues it
        if value is None:
            return self._tell(study, trial, FAIL, None, outcome.steps, seconds, run_path,
                              "The trial measured no FD (every measurement failed or none was due).")
        return self._tell(study, trial, COMPLETE, value, outcome.steps, seconds, run_path)

    def _tell(self, study: Any, trial: Any, state: str, value: float | None, steps: int, seconds: float,
              run_path: Path, message: str = "") -> str:
        optuna = optuna_module()
        states = optuna.trial.TrialState
        if message:
            trial.set_user_attr(MESSAGE_ATTR, message)
        if state == COMPLETE:
            study.tell(trial.number, value)
        else:
            study.tell(trial.number, state=states.PRUNED if state == PRUNED else states.FAIL)
        self.on_event(TrialFinished(trial.number, state, value, steps, seconds, run_path, message))
        return state

    def _finish(self, study: Any, reason: str, message: str) -> SweepFinished:
        best = best_trial(self._rows(study.get_trials(deepcopy=False)))
        event = SweepFinished(reason, message, *((best.number, best.value, best.run_path) if best else (None, None, None)))
        self.on_event(event)
        return event


def train_with_trainer(job: TrialJob, hooks: TrialHooks, dataset: Any) -> TrialOutcome:
    """Train a trial with the ordinary Trainer into its run folder (made with ``new_run``, or the
    interrupted trial's own continued from its last checkpoint)."""
    from studio.core.runs import RUN_FILE, Run
    from studio.core.training.events import Failed, Finished, QualityMeasured, StepLogged
    from studio.core.training.jobs import new_run
    from studio.core.training.trainer import Trainer

    if job.resumed:
        if not (job.run_path / RUN_FILE).is_file():
            raise TrialCannotResume(f"Trial {job.number} was interrupted before its run folder was written.")
        try:
            run = Run.open(job.run_path)
        except StudioError as error:
            raise TrialCannotResume(f"Trial {job.number}'s run cannot be continued ({error})") from None
        if run.last_step() >= job.config.train.steps:
            return TrialOutcome(run.last_step())
        if run.latest_checkpoint() is None:
            run.truncate_metrics(0)  # it starts over: the records of the lost steps would repeat
        run.continue_to(job.config.train.steps)
    else:
        run = new_run(job.run_path.parent, job.config, dataset, name=job.run_path.name, seal_data=job.seal_data)
    _share_features(job.features_dir, run.path / "eval")
    outcome: list[TrialOutcome] = []
    trainer: Trainer

    def on_event(event: Any) -> None:
        if isinstance(event, QualityMeasured):
            fd = event.record.get("fd")
            if isinstance(fd, (int, float)) and hooks.report(event.step, float(fd)):
                trainer.stop()
        elif isinstance(event, StepLogged):
            hooks.progress(event.step, event.total_steps)
        elif isinstance(event, Finished):
            outcome.append(TrialOutcome(event.step))
        elif isinstance(event, Failed):
            outcome.append(TrialOutcome(run.last_step(), event.message))
        hooks.event(event)

    trainer = Trainer(run, dataset, on_event, fixed_eval_spacing=True)
    hooks.attach(trainer)
    trainer.run()
    _share_features(run.path / "eval", job.features_dir)
    return outcome[-1] if outcome else TrialOutcome(run.last_step(), "The trial ended without a result.")


_FEATURE_FILES = ("classifier.safetensors", "classifier.json")


def _share_features(source: Path, target: Path) -> None:
    """Copy the trained classifier feature space where it is missing, so every trial measures in the
    same space and it is trained once (its fingerprint decides whether a copy fits)."""
    from studio.core.files import write_bytes_atomic

    if not all((source / name).is_file() for name in _FEATURE_FILES):
        return
    if all((target / name).is_file() for name in _FEATURE_FILES):
        return
    try:
        for name in _FEATURE_FILES:
            write_bytes_atomic(target / name, (source / name).read_bytes())
    except OSError:
        pass  # each trial can train its own


