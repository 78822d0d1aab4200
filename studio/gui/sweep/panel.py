"""The Sweep tab: choose what to search and the budget, run the sweep on the studio's dataset, watch
its trials, open any trial's run, continue the best one as an ordinary run and write the sweep report.

The sweep runs on a worker thread (:class:`~studio.gui.sweep.running.RunningSweep`); writing the sweep folder,
reading results, loading a sweep's own dataset, preparing the best run and writing the report run as
jobs on the ThreadHost. The GUI thread only shows their answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from studio.core.config import DataConfig, RunConfig
from studio.core.errors import StudioError
from studio.core.sweep import jobs
from studio.core.sweep.events import SweepFinished, TrialFinished, TrialProgress, TrialStarted
from studio.core.sweep.results import SweepResults, TrialRow, continue_best
from studio.core.sweep.spec import SweepSpec
from studio.gui.naming import named
from studio.gui.run_opener import approve_sweep_data
from studio.gui.sweep.controls import ERROR, QUIET, READY, WAIT, Notice, SweepControls
from studio.gui.sweep.settings_column import NO_FOLDER, SettingsColumn, describe_dataset
from studio.gui.sweep.running import RunningSweep
from studio.gui.sweep.trials_view import TrialsView
from studio.gui.tasks import JobSlots, ThreadHost

NO_DATA = "Wait until the dataset has loaded."
SWEEP_RUNNING = "A sweep is running; pause or stop it first."
NO_BEST = "No trial has completed yet."


class SweepPanel(QWidget):
    """``opened(results)`` each sweep shown, ``refreshed(results)`` each redraw from the folder,
    ``sweep_finished(event)`` once a run of the sweep has ended and the panel is ready again,
    ``failed(sentence)`` each job that failed, ``open_run_requested(path)`` a trial's run to open,
    ``continue_requested(path)`` the best run, ready to train further, and ``report_written(path)``;
    ``trial_started`` and ``trial_progressed`` pass on the running sweep's events once shown."""

    opened = Signal(object)
    refreshed = Signal(object)
    sweep_finished = Signal(object)
    failed = Signal(str)
    running_changed = Signal(bool)
    trial_started = Signal(object)  # TrialStarted, on the GUI thread
    trial_progressed = Signal(object)  # TrialProgress, on the GUI thread
    trial_paused = Signal(int)  # the trial whose training holds after Pause
    open_run_requested = Signal(object)
    continue_requested = Signal(object)
    report_written = Signal(object)

    def __init__(self, threads: ThreadHost, parent: QWidget | None = None, train_trial: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepPanel")
        self._threads = threads
        self._jobs = JobSlots(threads, self)
        self._train_trial = train_trial  # None: the Trainer (a stand-in only for previews of the panel)
        self._dataset: Any = None
        self._data: DataConfig | None = None
        self._base = RunConfig()
        self._dataset_name = ""
        self._elsewhere = ""  # why the window lets no sweep start now ('' when it does)
        self.folder: Path | None = None
        self.spec: SweepSpec | None = None  # the sweep in ``folder`` once it exists on disk
        self.results: SweepResults | None = None
        self.sweep = RunningSweep(threads, self)
        self._busy = ""  # what a job is doing for the panel meanwhile ('' when none)
        self._finished: SweepFinished | None = None  # how the last run ended, said once its results are read
        self._message = Notice("", QUIET)  # the last job's answer, shown when nothing blocks

        self.settings = SettingsColumn()
        self.controls = SweepControls()
        self.trials = TrialsView()
        # the widgets a person (and a test) works with
        self.new_button, self.open_button = self.settings.new_button, self.settings.open_button
        self.folder_label, self.budget_box = self.settings.folder_label, self.settings.budget_box
        self.space_editor = self.settings.space_editor
        controls = self.controls
        self.start_button, self.pause_button, self.stop_button = (controls.start_button, controls.pause_button,
                                                                  controls.stop_button)
        self.extra_steps, self.continue_button = controls.extra_steps, controls.continue_button
        self.report_button = controls.report_button
        self.status_label, self.problem_label = controls.status_label, controls.problem_label
        self.model, self.table, self.plots = self.trials.model, self.trials.table, self.trials.plots

        results = QWidget()
        right = QVBoxLayout(results)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.controls)
        right.addWidget(self.trials, 1)
        outer = named(QSplitter(), "sweepSplitter", "Sweep settings and results")
        outer.addWidget(self.settings)
        outer.addWidget(results)
        outer.setStretchFactor(1, 1)
        outer.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(outer)

        self.new_button.clicked.connect(lambda: self.new_sweep(self.ask_new_folder()))
        self.open_button.clicked.connect(lambda: self.open_sweep(self.ask_sweep_folder()))
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.sweep.status.connect(self.status_label.setText)
        self.sweep.ended.connect(self._on_ended)
        self.continue_button.clicked.connect(self.continue_best)
        self.report_button.clicked.connect(lambda: self.write_report(self.ask_report_file()))
        self.trials.open_requested.connect(self.open_trial)
        self.space_editor.changed.connect(self._show_state)
        self.budget_box.changed.connect(self._show_state)
        self._show_state()

    # ------------------------------------------------------------ the window
    @property
    def running(self) -> bool:
        return self.sweep.running

    def set_context(self, dataset: Any, data: DataConfig | None, base: RunConfig | None, elsewhere: str = "") -> None:
        """The studio's loaded dataset (None while loading), its options, the Training panel's settings
        (the base of a new sweep's trials) and why the window lets no sweep start now ('' when it does)."""
        self._dataset, self._data, self._elsewhere = dataset, data, elsewhere
        if base is not None:
            self._base = base
        self._dataset_name = describe_dataset(dataset, data)
        self._show_state()

    def set_dataset(self, dataset: Any, data: DataConfig, base: RunConfig | None = None) -> None:
        """For the panel alone: the dataset to sweep (and the base settings of its trials)."""
        self.set_context(dataset, data, base)

    # --------------------------------------------------------------- folders
    def ask_new_folder(self) -> Path | None:
        return self.settings.ask_new_folder()

    def ask_sweep_folder(self) -> Path | None:
        return self.settings.ask_sweep_folder()

    def ask_report_file(self) -> Path | None:
        return self.settings.ask_report_file(self.folder)

    def new_sweep(self, folder: Path | None) -> None:
        """A sweep to be written into the new ``folder`` by Start, with the settings on the left."""
        if folder is None or self.running:
            return
        from studio.core.files import occupied

        folder = Path(folder)
        if occupied(folder):
            self._fail(f"'{folder}' already exists; choose a new folder, or Open sweep… to continue it.")
            return
        self._message = READY
        self.folder, self.spec, self.results = folder, None, None
        self.space_editor.set_editable(True)
        self.budget_box.set_fixed(False)
        self.trials.clear()
        self.status_label.setText("")
        self._show_state()

    def open_sweep(self, folder: Path | None) -> None:
        """Show the sweep in ``folder``; Start continues it."""
        if folder is None or self.running:
            return
        self._job("Opening the sweep…", jobs.sweep_results, Path(folder),
                  on_result=lambda results: self._on_opened(Path(folder), results))

    def _on_opened(self, folder: Path, results: SweepResults) -> None:
        self.folder, self.spec = folder, results.spec
        self.space_editor.set_space(results.spec.space)
        self.space_editor.set_editable(False, "A sweep's search space is fixed once it has run; start a new sweep "
                                              "to search other values.")
        self.budget_box.show_spec(results.spec)
        self.budget_box.set_fixed(True)
        self.trials.clear()
        self._show_results(results)
        self.status_label.setText(results.progress_line)
        self.opened.emit(results)

    # ----------------------------------------------------------------- state
    def block_reason(self) -> Notice:
        """Why Start cannot be pressed now (an empty text when it can), and how the problem line says it."""
        if self.running:
            return Notice(SWEEP_RUNNING, QUIET)
        if self._busy:
            return Notice(self._busy, WAIT)
        if self._elsewhere:
            return Notice(self._elsewhere, WAIT)
        if self.folder is None:
            return Notice(NO_FOLDER, QUIET)
        if self.spec is None:
            if self._dataset is None:
                return Notice(NO_DATA, WAIT)
            if self.space_editor.problem:
                return Notice(self.space_editor.problem, ERROR)
            try:
                self._plan(features="random").check()
            except StudioError as error:
                return Notice(str(error), ERROR)
            return READY
        if self._dataset is None and not self._needs_own_data(self.spec):
            return Notice(NO_DATA, WAIT)
        budget = self.budget_box.settings()
        if self.results is not None and not budget["timeout_min"] and self.results.counted >= budget["trials"]:
            return Notice(f"The sweep has run its {self.results.counted} trials; raise Trials to add more.", WAIT)
        return READY

    def _show_state(self) -> None:
        blocker = self.block_reason()
        running, idle = self.running, not self.running and not self._busy
        self.controls.show_notice(self._message if self._message.text or running else blocker)
        continuing = self.spec is not None and self.results is not None and bool(self.results.trials)
        self.controls.set_start(blocker, "Continue" if continuing else "Start",
                                "Continue the sweep; more trials add trials." if self.spec else
                                "Write the sweep folder and run its trials.")
        self.controls.set_running(running, self.sweep.paused)
        self.settings.set_idle(idle)
        best = self.results.best if self.results else None
        why_not = SWEEP_RUNNING if running else self._elsewhere or (NO_BEST if best is None else self._busy)
        self.controls.set_continue(why_not, "" if best is None else
                                   f"Train trial {best.number}'s run {self.extra_steps.value():,} more steps in the studio.")
        self.controls.set_report("Open or run a sweep first." if self.spec is None else self._busy)
        self.settings.show_folder(self.folder)
        data = self.spec.data if self.spec is not None else None
        if data is not None and self._needs_own_data(self.spec):
            self.budget_box.show_dataset(f"The sweep's own dataset ({data.source}, {data.resolution} px); it is "
                                         "loaded when the sweep continues.")
        else:
            self.budget_box.show_dataset(self._dataset_name or "No dataset loaded yet.")

    def _needs_own_data(self, spec: SweepSpec) -> bool:
        """Whether the sweep ``spec`` was made with other dataset options than the studio's loaded dataset."""
        if self._data is None:
            return True
        try:
            jobs.check_same_data(spec, self._data)
        except StudioError:
            return True
        return False

    # ----------------------------------------------------------------- start
    def _plan(self, features: str | None = None) -> SweepSpec:
        settings = self.budget_box.settings()
        if features is not None:
            settings["features"] = features
        settings["space"] = self.space_editor.space()
        base = RunConfig.from_dict(self._base.to_dict())
        if features is not None:  # checked before the data: only the feature space depends on it
            return SweepSpec(data=self._data or DataConfig(), base=base, **settings)
        return jobs.plan_sweep(self._data, self._dataset, base, **settings)

    def start(self) -> None:
        """Write the new sweep, or widen the open one's budget (on a worker), then run it on the sweep's thread."""
        if self.block_reason().text:
            return
        try:
            plan = self._plan() if self.spec is None else None
        except StudioError as error:
            self._fail(str(error))
            return
        budget = self.budget_box.settings()
        self._job("Writing the sweep folder…", jobs.ready_to_run, self.folder, plan, budget["trials"],
                  budget["timeout_min"], budget["device"], on_result=self._on_ready)

    def _on_ready(self, ready: tuple[SweepSpec, SweepSpec | None]) -> None:
        spec, changed = ready
        if changed is not None and self._needs_own_data(spec):
            refusal = approve_sweep_data(self, self.folder, changed)
            if refusal:
                self._fail(refusal)
                return
            self._job("Loading the sweep's dataset…", jobs.load_sweep_dataset, self.folder, changed,
                      on_result=lambda dataset: self._run(dataset, spec, changed))
        else:
            self._run(self._dataset, spec, changed)

    def _run(self, dataset: Any, spec: SweepSpec, changed: SweepSpec | None) -> None:
        self.spec, self._finished = spec, None
        worker = self.sweep.start(self.folder, dataset, spec.steps, self._train_trial, changed)
        worker.trial_started.connect(self._on_trial_started)
        worker.trial_progress.connect(self._on_progress)
        worker.trial_finished.connect(self._on_trial_finished)
        worker.trial_paused.connect(self._on_trial_paused)
        worker.failed.connect(self._fail)
        self.trials.set_live(True)
        self.space_editor.set_editable(False, SWEEP_RUNNING)
        self.budget_box.set_fixed(True)
        self._show_state()
        self.running_changed.emit(True)

    def toggle_pause(self) -> None:
        self.sweep.toggle_pause()
        self._show_state()

    def stop(self) -> None:
        self.sweep.stop()
        self._show_state()

    # ---------------------------------------------------------------- events
    def _on_trial_started(self, event: TrialStarted) -> None:
        self.trials.trial_started(event, self.results.trials if self.results is not None else [])
        self.trial_started.emit(event)

    def _on_progress(self, event: TrialProgress) -> None:
        self.trials.trial_progressed(event)
        self.trial_progressed.emit(event)

    def _on_trial_paused(self, number: int) -> None:
        if self.sweep.paused:
            self.trial_paused.emit(number)

    def _on_trial_finished(self, event: TrialFinished) -> None:
        self.trials.trial_finished(event.number, state=event.state, value=event.value, steps=event.steps,
                                   seconds=event.seconds, message=event.message)
        self.refresh()

    def _on_ended(self, finished: SweepFinished | None) -> None:
        self._finished = finished
        self.trials.set_live(False)
        self.budget_box.set_fixed(self.spec is not None)
        self._show_state()
        self.running_changed.emit(False)
        self.refresh()

    # --------------------------------------------------------------- results
    def refresh(self) -> None:
        """Read the sweep's results again (off the GUI thread) and redraw the table and plots; a newer
        read replaces one still running."""
        if self.folder is None or self.spec is None:
            return
        folder = self.folder
        self._jobs.start("results", jobs.sweep_results, folder, doing="Reading the sweep's results",
                         on_result=lambda results: self._on_refreshed(folder, results), on_error=self._fail)

    def _on_refreshed(self, folder: Path, results: SweepResults) -> None:
        if folder != self.folder:
            return
        self._show_results(results)
        self.refreshed.emit(results)
        finished, self._finished = (self._finished, None) if not self.running else (None, self._finished)
        if finished is not None:  # the run has ended and its last trial is read: the panel is ready again
            self.status_label.setText(f"{finished.message} {results.progress_line}")
            self.sweep_finished.emit(finished)

    def _show_results(self, results: SweepResults) -> None:
        self.results = self.sweep.results = results
        self.trials.show_results(results)
        self._show_state()

    # ---------------------------------------------------------- runs, report
    def open_trial(self, row: TrialRow) -> None:
        """Ask the studio to open a trial's run (not the one the sweep is training now)."""
        if row.run_path is None or not row.run_path.is_dir():
            self._fail(f"Trial {row.number} has no run folder to open.")
        elif self.running and row.state == "RUNNING":
            self._fail(f"Trial {row.number} is training now; open it when it has finished.")
        else:
            self.open_run_requested.emit(row.run_path)

    def continue_best(self) -> None:
        """Prepare the best trial's run for more steps; the window opens and trains it like any run."""
        if not self.continue_button.isEnabled() or self.folder is None:
            return
        self._job("Preparing the best trial's run…", continue_best, self.folder, self.extra_steps.value(),
                  on_result=lambda run: self.continue_requested.emit(run.path))

    def write_report(self, path: Path | None) -> None:
        if path is None or self.folder is None or self.spec is None:
            return
        from studio.reporting.sweep import write_sweep_report

        self._job("Writing the sweep report…", write_sweep_report, self.folder, Path(path), on_result=self._on_report)

    def _on_report(self, path: Path) -> None:
        self._message = Notice(f"Wrote the sweep report to {path}.", WAIT)
        self._show_state()
        self.report_written.emit(path)

    # ------------------------------------------------------------------ jobs
    def _job(self, busy: str, function, *args, on_result) -> None:
        """Run ``function`` as the panel's one job; the panel is busy (saying ``busy``) until it has ended."""
        self._busy, self._message = busy, READY
        self._jobs.start("job", function, *args, doing=busy.rstrip("…"), on_result=on_result, on_error=self._fail,
                         on_done=lambda cancelled: self._set_busy(""))
        self._show_state()

    def _set_busy(self, doing: str) -> None:
        self._busy = doing
        self._show_state()

    def _fail(self, sentence: str) -> None:
        self._message = Notice(sentence, ERROR)
        self._show_state()
        self.failed.emit(sentence)
