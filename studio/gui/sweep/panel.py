"""The Sweep tab: choose what to search and the budget, run the sweep on the studio's dataset, watch
its trials, open any trial's run, continue the best one as an ordinary run and write the sweep report.

The sweep runs on a :class:`~studio.gui.sweep.worker.SweepWorker` thread; reading results, loading a
sweep's own dataset, preparing the best run and writing the report run as tasks on the ThreadHost.
The GUI thread only shows their answers.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QSplitter, QTableView, QVBoxLayout, QWidget)
from superqt.utils import qthrottled

from studio.core.config import DEMO_SOURCE, DataConfig, RunConfig
from studio.core.errors import StudioError
from studio.core.sweep import jobs
from studio.core.sweep.events import SweepFinished, TrialFinished, TrialProgress, TrialStarted
from studio.core.sweep.results import SweepResults, continue_best
from studio.core.sweep.spec import SweepSpec
from studio.gui.augment.messages import say
from studio.gui.formatting import format_duration
from studio.gui.naming import named
from studio.gui.sweep.budget_box import BudgetBox
from studio.gui.sweep.plots import SweepPlots
from studio.gui.sweep.space_editor import SpaceEditor
from studio.gui.sweep.trials_model import TrialsModel
from studio.gui.sweep.worker import SweepWorker
from studio.gui.tasks import ThreadHost

NO_FOLDER = "Choose New sweep… for a new sweep folder, or Open sweep… to continue one."
NO_DATA = "Wait until the dataset has loaded."
WINDOW_TRAINING = "Training is running; stop it to run a sweep (the computer cannot do both at full speed)."
SWEEP_RUNNING = "A sweep is running; pause or stop it first."
NO_BEST = "No trial has completed yet."
STATUS_MS = 200


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
    open_run_requested = Signal(object)
    continue_requested = Signal(object)
    report_written = Signal(object)

    def __init__(self, threads: ThreadHost, parent: QWidget | None = None, train_trial: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepPanel")
        self._threads = threads
        self._train_trial = train_trial  # None: the Trainer (a stand-in only for previews of the panel)
        self._dataset: Any = None
        self._data: DataConfig | None = None
        self._base = RunConfig()
        self._dataset_name = ""
        self._window_training = False
        self.folder: Path | None = None
        self.spec: SweepSpec | None = None  # the sweep in ``folder`` once it exists on disk
        self.results: SweepResults | None = None
        self.worker: SweepWorker | None = None
        self.paused = False
        self._busy = ""  # what a task is doing for the panel meanwhile ('' when none)
        self._started_at = 0.0
        self._budget = 0
        self._current: TrialProgress | None = None
        self._tasks: set = set()
        self._asked = self._shown = 0  # results read: the latest asked for, and the latest shown
        self._message = ("", False)  # the last job's answer (sentence, is an error), shown when nothing blocks

        self.space_editor = SpaceEditor()
        self.budget_box = BudgetBox()
        self.new_button = named(QPushButton("New sweep…"), "newSweepButton", "New sweep",
                                "Choose a new folder for a sweep with these settings.")
        self.open_button = named(QPushButton("Open sweep…"), "openSweepButton", "Open sweep",
                                 "Show an existing sweep's results; Start continues it.")
        self.start_button = named(QPushButton("Start"), "startSweepButton", "Start sweep")
        self.pause_button = named(QPushButton("Pause"), "pauseSweepButton", "Pause sweep")
        self.stop_button = named(QPushButton("Stop"), "stopSweepButton", "Stop sweep",
                                 "Stop after the current step; Start continues the sweep later.")
        self.extra_steps = named(QSpinBox(), "continueBestSteps", "Extra steps for the best trial")
        self.extra_steps.setRange(1, 1_000_000)
        self.extra_steps.setValue(2000)
        self.extra_steps.setSingleStep(500)
        self.continue_button = named(QPushButton("Continue best trial"), "continueBestButton", "Continue best trial",
                                     "Open the best trial's run and train it further, like any run.")
        self.report_button = named(QPushButton("Sweep report…"), "sweepReportButton", "Sweep report",
                                   "Write the sweep's report as HTML, PDF or Markdown.")
        self.folder_label = named(QLabel(NO_FOLDER), "sweepFolderLabel", "The sweep folder")
        self.folder_label.setWordWrap(True)
        self.status_label = named(QLabel(""), "sweepStatus", "Sweep status")
        self.problem_label = named(QLabel(""), "sweepProblem", "Why the sweep cannot start now")
        self.problem_label.setWordWrap(True)
        self.model = TrialsModel(self)
        self.table = named(QTableView(), "sweepTrialsTable", "Trials", "Double-click a trial to open its run.")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.plots = SweepPlots()

        settings = QWidget()
        side = QVBoxLayout(settings)
        side.setContentsMargins(0, 0, 0, 0)
        files = QHBoxLayout()
        files.addWidget(self.new_button)
        files.addWidget(self.open_button)
        side.addLayout(files)
        side.addWidget(self.folder_label)
        side.addWidget(self.budget_box)
        side.addWidget(self.space_editor)
        side.addStretch(1)
        scroll = named(QScrollArea(), "sweepSettingsScroll", "Sweep settings")
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(380)
        scroll.setMaximumWidth(520)

        controls = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            controls.addWidget(button)
        controls.addStretch(1)
        controls.addWidget(QLabel("Extra steps"))
        controls.addWidget(self.extra_steps)
        controls.addWidget(self.continue_button)
        controls.addWidget(self.report_button)
        results = QWidget()
        right = QVBoxLayout(results)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(controls)
        right.addWidget(self.status_label)
        right.addWidget(self.problem_label)
        split = named(QSplitter(Qt.Orientation.Vertical), "sweepResultsSplitter", "Trials and plots")
        split.addWidget(self.table)
        split.addWidget(self.plots)
        right.addWidget(split, 1)
        outer = named(QSplitter(), "sweepSplitter", "Sweep settings and results")
        outer.addWidget(scroll)
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
        self.continue_button.clicked.connect(self.continue_best)
        self.report_button.clicked.connect(lambda: self.write_report(self.ask_report_file()))
        self.table.doubleClicked.connect(lambda index: self.open_trial(index.row()))
        self.space_editor.changed.connect(self._show_state)
        self.budget_box.changed.connect(self._show_state)
        self._show_state()

    # ------------------------------------------------------------ the window
    @property
    def running(self) -> bool:
        return self.worker is not None

    def set_context(self, dataset: Any, data: DataConfig | None, base: RunConfig | None, training: bool) -> None:
        """The studio's loaded dataset (None while loading), its options, the Training panel's settings
        (the base of a new sweep's trials) and whether the window is training."""
        self._dataset, self._data, self._window_training = dataset, data, training
        if base is not None:
            self._base = base
        if data is None or dataset is None:
            self._dataset_name = ""
        else:
            source = "the built-in demo set" if data.source == DEMO_SOURCE else Path(data.source).name
            classes = len(getattr(dataset, "class_names", []))
            self._dataset_name = (f"{source}: {len(dataset):,} images at {data.resolution} px"
                                  + (f", {classes} classes" if classes > 1 else ""))
        self._show_state()

    def set_dataset(self, dataset: Any, data: DataConfig, base: RunConfig | None = None) -> None:
        """For the panel alone: the dataset to sweep (and the base settings of its trials)."""
        self.set_context(dataset, data, base, False)

    # --------------------------------------------------------------- folders
    def ask_new_folder(self) -> Path | None:
        from studio.core.paths import runs_dir

        folder, _ = QFileDialog.getSaveFileName(self, "New sweep folder", str(runs_dir() / "sweep"), "")
        return Path(folder) if folder else None

    def ask_sweep_folder(self) -> Path | None:
        from studio.core.paths import runs_dir

        folder = QFileDialog.getExistingDirectory(self, "Open a sweep folder", str(runs_dir()))
        return Path(folder) if folder else None

    def ask_report_file(self) -> Path | None:
        start = str(self.folder / "sweep-report.html") if self.folder else ""
        path, _ = QFileDialog.getSaveFileName(self, "Write the sweep report", start,
                                              "HTML (*.html);;PDF (*.pdf);;Markdown (*.md)")
        return Path(path) if path else None

    def new_sweep(self, folder: Path | None) -> None:
        """A sweep to be written into the new ``folder`` by Start, with the settings on the left."""
        if folder is None or self.running:
            return
        from studio.core.files import occupied

        folder = Path(folder)
        if occupied(folder):
            self._fail(f"'{folder}' already exists; choose a new folder, or Open sweep… to continue it.")
            return
        self._message = ("", False)
        self.folder, self.spec, self.results = folder, None, None
        self.space_editor.set_editable(True)
        self.budget_box.set_fixed(False)
        self.model.set_rows([])
        self.plots.clear()
        self.status_label.setText("")
        self._show_state()

    def open_sweep(self, folder: Path | None) -> None:
        """Show the sweep in ``folder``; Start continues it."""
        if folder is None or self.running:
            return
        self._busy, self._message = "Opening the sweep…", ("", False)
        self._task(jobs.sweep_results, Path(folder), doing="Opening the sweep",
                   on_result=lambda results: self._on_opened(Path(folder), results))
        self._show_state()

    def _on_opened(self, folder: Path, results: SweepResults) -> None:
        self.folder, self.spec = folder, results.spec
        self.space_editor.set_space(results.spec.space)
        self.space_editor.set_editable(False, "A sweep's search space is fixed once it has run; start a new sweep "
                                              "to search other values.")
        self.budget_box.show_spec(results.spec)
        self.budget_box.set_fixed(True)
        self.plots.clear()
        self._show_results(results)
        self.status_label.setText(self._summary(results))
        self.opened.emit(results)

    # ----------------------------------------------------------------- state
    def block_reason(self) -> str:
        """Why Start cannot be pressed now ('' when it can)."""
        if self.running:
            return SWEEP_RUNNING
        if self._busy:
            return self._busy
        if self._window_training:
            return WINDOW_TRAINING
        if self.folder is None:
            return NO_FOLDER
        if self.spec is None:
            if self._dataset is None:
                return NO_DATA
            if self.space_editor.problem:
                return self.space_editor.problem
            try:
                self._plan(features="random").check()
            except StudioError as error:
                return str(error)
        else:
            if self._dataset is None and self._needs_own_data() is False:
                return NO_DATA
            budget = self.budget_box.settings()
            if self.results is not None and not budget["timeout_min"] and self.results.counted >= budget["trials"]:
                return f"The sweep has run its {self.results.counted} trials; raise Trials to add more."
        return ""

    def _show_state(self) -> None:
        reason = self.block_reason()
        running, idle = self.running, not self.running and not self._busy
        if self._message[0] or not reason or running or reason in (NO_FOLDER, SWEEP_RUNNING):
            say(self.problem_label, *self._message)
        else:
            say(self.problem_label, reason, error=reason not in (NO_DATA, WINDOW_TRAINING) and not reason.endswith("…")
                and "raise Trials" not in reason)
        self.start_button.setEnabled(not reason)
        self.start_button.setToolTip(reason or ("Continue the sweep; more trials add trials." if self.spec else
                                                "Write the sweep folder and run its trials."))
        self.start_button.setText("Continue" if self.spec is not None and self.results and self.results.trials else "Start")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if self.paused else "Pause")
        self.stop_button.setEnabled(running)
        for button in (self.new_button, self.open_button):
            button.setEnabled(idle)
        best = self.results.best if self.results else None
        why_not = (SWEEP_RUNNING if running else WINDOW_TRAINING if self._window_training
                   else NO_BEST if best is None else self._busy)
        self.continue_button.setEnabled(not why_not)
        self.continue_button.setToolTip(why_not or f"Train trial {best.number}'s run {self.extra_steps.value():,} "
                                                   "more steps in the studio.")
        self.extra_steps.setEnabled(not why_not)
        report_block = "Open or run a sweep first." if self.spec is None else self._busy
        self.report_button.setEnabled(not report_block)
        self.report_button.setToolTip(report_block or "Write the sweep's report as HTML, PDF or Markdown.")
        self.folder_label.setText(f"Sweep folder: {self.folder}" if self.folder else NO_FOLDER)
        data = self.spec.data if self.spec is not None else None
        if data is not None and self._needs_own_data():
            self.budget_box.show_dataset(f"The sweep's own dataset ({data.source}, {data.resolution} px); it is "
                                         "loaded when the sweep continues.")
        else:
            self.budget_box.show_dataset(self._dataset_name or "No dataset loaded yet.")

    def _needs_own_data(self) -> bool:
        """Whether the open sweep was made with other dataset options than the studio's loaded dataset."""
        if self.spec is None or self._data is None:
            return self.spec is not None
        try:
            jobs.check_same_data(self.spec, self._data)
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
        """Write the new sweep, or widen the open one's budget, and run it on the worker thread."""
        if self.block_reason():
            return
        self._message = ("", False)
        changed = None  # written by the runner once it holds the sweep: a refused start changes nothing
        try:
            if self.spec is None:
                self.spec = jobs.create_sweep(self.folder, self._plan())
            else:
                settings = self.budget_box.settings()
                changed = jobs.widen_budget(self.spec, settings["trials"], settings["timeout_min"], settings["device"])
        except StudioError as error:
            self._fail(str(error))
            return
        if changed is not None and self._needs_own_data():
            if not self._approve_data(changed):
                return
            self._busy = "Loading the sweep's dataset…"
            self._task(jobs.load_sweep_dataset, self.folder, changed, doing="Loading the sweep's dataset",
                       on_result=lambda dataset: self._run(dataset, changed))
            self._show_state()
            return
        self._run(self._dataset, changed)

    def _approve_data(self, spec: SweepSpec) -> bool:
        """Ask, as for a run, before a sweep from elsewhere reads a dataset outside its folder; the answer
        is recorded in ``spec`` (sealed as chosen here). False when the analyst declines."""
        from studio.core.data_source import DataSourceNotApproved
        from studio.gui.run_opener import ask_for_foreign_data

        try:
            spec.data_config(self.folder)
            return True
        except DataSourceNotApproved as refusal:
            source = ask_for_foreign_data(self, "sweep", self.folder.name, refusal.source)
        if not source:
            self._fail(f"The sweep '{self.folder.name}' was not continued: its dataset was not approved.")
            return False
        spec.use_data_source(source)
        return True

    def _run(self, dataset: Any, changed: SweepSpec | None = None) -> None:
        if changed is not None:
            self.spec = changed
        worker = SweepWorker(self.folder, dataset, self._train_trial, changed)
        worker.sweep_started.connect(self._on_sweep_started)
        worker.trial_started.connect(self._on_trial_started)
        worker.trial_progress.connect(self._on_progress)
        worker.trial_finished.connect(self._on_trial_finished)
        worker.sweep_finished.connect(self._on_sweep_finished)
        worker.failed.connect(self._fail)
        worker.done.connect(self._on_done)  # a bound slot: queued to the GUI thread (a lambda would run on the worker's)
        self.worker, self.paused, self._current = worker, False, None
        self._started_at = time.monotonic()
        self.status_label.setText("Starting the sweep…")
        self._threads.start(worker)
        self.space_editor.set_editable(False, SWEEP_RUNNING)
        self.budget_box.set_fixed(True)
        self._show_state()
        self.running_changed.emit(True)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        if self.paused:
            self.worker.resume()
        else:
            self.worker.pause()
        self.paused = not self.paused
        self._show_status()
        self._show_state()

    def stop(self) -> None:
        if self.worker is None:
            return
        self.worker.stop()
        self.paused = False
        self.status_label.setText("Stopping after the current step…")
        self._show_state()

    # ---------------------------------------------------------------- events
    def _on_sweep_started(self, event) -> None:
        self._budget = event.trials_total

    def _on_trial_started(self, event: TrialStarted) -> None:
        curve = []
        if self.results is not None:
            curve = next((list(row.curve) for row in self.results.trials if row.number == event.number), [])
        self.model.update_trial(event.number, state="RUNNING", params=dict(event.params), run_path=event.run_path,
                                steps=event.start_step)
        self.plots.trial_started(event.number, curve)
        self._current = TrialProgress(event.number, event.start_step, self.spec.steps if self.spec else 0)
        self._show_status()
        self.trial_started.emit(event)

    def _on_progress(self, event: TrialProgress) -> None:
        self._current = event
        if event.fd is not None:
            self.plots.add_measurement(event.number, event.step, event.fd)
            self.model.update_trial(event.number, steps=event.step, value=event.best_fd)
        self._show_status()
        self.trial_progressed.emit(event)

    @qthrottled(timeout=STATUS_MS)
    def _show_status(self) -> None:
        if self.worker is None:
            return
        current, results = self._current, self.results
        done = results.counted if results is not None else 0
        parts = []
        if current is not None:
            parts.append(f"Trial {current.number}" + (f" ({done + 1} of {self._budget})" if self._budget else ""))
            parts.append(f"step {current.step:,}/{current.total_steps:,}")
        parts.append(f"{format_duration(time.monotonic() - self._started_at)} elapsed")
        if results is not None and results.best is not None:
            parts.append(f"best FD {results.best.value:.4g} (trial {results.best.number})")
        if self.paused:
            parts.append("paused")
        self.status_label.setText(" · ".join(parts))

    def _on_trial_finished(self, event: TrialFinished) -> None:
        self.model.update_trial(event.number, state=event.state, value=event.value, steps=event.steps,
                                seconds=event.seconds, message=event.message)
        self.refresh()

    def _on_sweep_finished(self, event: SweepFinished) -> None:
        self._finished = event

    def _on_done(self) -> None:
        if self.sender() is not self.worker:
            return
        self.worker, self.paused = None, False
        finished = getattr(self, "_finished", None)
        self._finished = None
        self.budget_box.set_fixed(self.spec is not None)
        self._show_state()
        self.running_changed.emit(False)
        self.refresh(lambda results: self._after_sweep(finished, results))

    def _after_sweep(self, finished: SweepFinished | None, results: SweepResults) -> None:
        if finished is not None:
            self.status_label.setText(f"{finished.message} {self._summary(results)}")
            self.sweep_finished.emit(finished)

    def _summary(self, results: SweepResults) -> str:
        spec = results.spec
        text = f"{results.counted} of {spec.trials or 'unlimited'} trials done."
        if results.best is not None:
            text += f" Best FD {results.best.value:.4g} (trial {results.best.number})."
        return text

    # --------------------------------------------------------------- results
    def refresh(self, then=None) -> None:
        """Read the sweep's results again (off the GUI thread) and redraw the table and plots."""
        if self.folder is None or self.spec is None:
            return
        folder = self.folder
        self._asked += 1
        asked = self._asked

        def show(results: SweepResults) -> None:
            if folder != self.folder:
                return
            if asked > self._shown:  # reads run side by side: one asked for earlier must not overwrite a newer one
                self._shown = asked
                self._show_results(results)
                self.refreshed.emit(results)
            if then is not None:
                then(self.results)

        task = self._threads.run(jobs.sweep_results, folder, doing="Reading the sweep's results", on_result=show,
                                 on_error=self._fail)
        self._tasks.add(task)
        task.done.connect(lambda: self._tasks.discard(task))

    def _show_results(self, results: SweepResults) -> None:
        self.results = results
        rows = list(results.trials)
        if self.running and self._current is not None:  # the journal may not show the new trial yet
            known = {row.number for row in rows}
            rows += [row for row in self.model.rows if row.number not in known]
        self.model.set_rows(sorted(rows, key=lambda row: row.number))
        self.plots.show_results(results)
        if self.running and self._current is not None:
            self.plots.trial_started(self._current.number)
        self._show_state()

    # ---------------------------------------------------------- runs, report
    def open_trial(self, position: int) -> None:
        """Ask the studio to open a trial's run (not the one the sweep is training now)."""
        row = self.model.trial(position)
        if row is None:
            return
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
        self._busy, self._message = "Preparing the best trial's run…", ("", False)
        self._task(continue_best, self.folder, self.extra_steps.value(), doing="Preparing the best trial's run",
                   on_result=lambda run: self.continue_requested.emit(run.path))
        self._show_state()

    def write_report(self, path: Path | None) -> None:
        if path is None or self.folder is None or self.spec is None:
            return
        from studio.reporting.sweep import write_sweep_report

        self._busy, self._message = "Writing the sweep report…", ("", False)
        self._task(write_sweep_report, self.folder, Path(path), doing="Writing the sweep report",
                   on_result=self._on_report)
        self._show_state()

    def _on_report(self, path: Path) -> None:
        self._message = (f"Wrote the sweep report to {path}.", False)
        self._show_state()
        self.report_written.emit(path)

    # ------------------------------------------------------------------ jobs
    def _task(self, function, *args, doing: str, on_result) -> None:
        """Run ``function`` as a task; the panel is busy until it is done. The panel holds the task
        until then: the ThreadHost lets go of it first, and its later slots must still run."""
        task = self._threads.run(function, *args, doing=doing)
        self._tasks.add(task)

        def finished() -> None:
            self._tasks.discard(task)
            self._busy = ""
            self._show_state()

        task.returned.connect(on_result)
        task.failed.connect(self._fail)
        task.done.connect(finished)

    def _fail(self, sentence: str) -> None:
        self._message = (sentence, True)
        self._show_state()
        self.failed.emit(sentence)
