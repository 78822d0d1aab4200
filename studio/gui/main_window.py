"""The main window: docks, toolbar, menus and status line; wires the panels to the workers.

It holds the little state the studio has (the loaded dataset, the open run, the training job)
and decides who answers a request: the trainer while training, the render and export workers
otherwise. No torch work happens here.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QSizePolicy,
                               QTabWidget, QToolButton, QWidget)

from studio.core.config import DataConfig, RunConfig, validate
from studio.core.training.events import CheckpointSaved, Finished, QualityMeasured, Recovered, SamplesReady, Started, StepLogged
from studio.core.paths import runs_dir
from studio.gui.dataset.drop import DatasetDropFilter
from studio.gui.formatting import eta_seconds, format_age, format_duration
from studio.gui.naming import named
from studio.gui.curves.panel import CurvesPanel
from studio.gui.dataset.panel import DatasetPanel
from studio.gui.explorer.panel import ExplorerPanel
from studio.gui.report.panel import ReportPanel
from studio.gui.samples.panel import SamplesPanel
from studio.gui.training.panel import TrainingPanel
from studio.gui.settings import StudioSettings
from studio.gui.workers import (DatasetSummary, DatasetWorker, DeviceProbe, ExportWorker, OpenRunWorker,
                                RenderResult, RenderService, RunSnapshot, ThreadHost, TrainWorker)

LOCKED_WHILE_TRAINING = "Locked while training; stop training to change it."
FIXED_BY_RUN = "Fixed by the open run; choose New run to change it."


class MainWindow(QMainWindow):
    """GAN Studio's one window. Call ``start()`` after ``show()`` to begin loading the data."""

    dataset_loaded = Signal()
    run_opened = Signal()
    training_ended = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = StudioSettings()
        self.threads = ThreadHost(self)
        self.renderer = RenderService(self)

        self.dataset_panel = DatasetPanel()
        self.training_panel = TrainingPanel()
        self.curves_panel = CurvesPanel()
        self.samples_panel = SamplesPanel()
        self.report_panel = ReportPanel(self.threads)
        self.explorer_panel = ExplorerPanel(self.threads, self.renderer)

        self._dataset = None
        self._dataset_config: DataConfig | None = None
        self._dataset_error = ""
        self._dataset_worker: DatasetWorker | None = None
        self._device_problem = ""
        self._device_probe: DeviceProbe | None = None
        self._trainer: TrainWorker | None = None
        self._paused = False
        self._stopping = False
        self._close_when_stopped = False
        self._run_path: Path | None = None
        self._run_step = 0
        self._run_has_checkpoint = False
        self._total_steps = 0
        self._batch_size = 0
        self._last_log: StepLogged | None = None
        self._last_checkpoint_at: float | None = None
        self._pending_export: tuple[Path, int, int] | None = None

        self._build_layout()
        self._build_actions()
        self._connect()
        self._restore_settings()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._refresh_status_line)
        self._status_timer.start()
        QApplication.instance().aboutToQuit.connect(self.shutdown_threads)
        self._refresh()

    # ----------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        self.tabs = named(QTabWidget(), "centralTabs", "Main views")
        self.tabs.addTab(self.samples_panel, "Samples")
        self.tabs.addTab(self.explorer_panel, "Explorer")
        self.tabs.addTab(self.report_panel, "Report")
        self.setCentralWidget(self.tabs)
        self.setDockNestingEnabled(True)
        self.dataset_dock = self._dock("Dataset", "datasetDock", self.dataset_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.training_dock = self._dock("Training", "trainingDock", self.training_panel,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.curves_dock = self._dock("Curves", "curvesDock", self.curves_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.dataset_dock, self.training_dock], [300, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.curves_dock], [250], Qt.Orientation.Vertical)
        self.status_line = named(QLabel("Ready"), "statusLine", "Training status")
        self.statusBar().addPermanentWidget(self.status_line)
        self.statusBar().setObjectName("statusBar")

    def _dock(self, title: str, object_name: str, panel: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(panel)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        self.new_run_action = QAction("New run", self, objectName="newRunAction", shortcut=QKeySequence.StandardKey.New)
        self.new_run_action.setToolTip("Start over with a fresh run (the open run stays on disk).")
        self.open_run_action = QAction("Open run…", self, objectName="openRunAction",
                                       shortcut=QKeySequence.StandardKey.Open)
        self.open_run_action.setToolTip("Reopen a run folder: its curves, samples and weights come back.")
        self.quit_action = QAction("Quit", self, objectName="quitAction", shortcut=QKeySequence.StandardKey.Quit)
        panel = self.training_panel

        toolbar = self.toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for action in (self.new_run_action, self.open_run_action, None,
                       panel.train_action, panel.pause_action, panel.stop_action):
            if action is None:
                toolbar.addSeparator()
                continue
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            named(button, f"toolbar{action.objectName()[0].upper()}{action.objectName()[1:-6]}Button",
                  action.text().rstrip("…"), action.toolTip())
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.device_label = named(QLabel("Device: detecting…"), "deviceLabel", "Compute device")
        toolbar.addWidget(self.device_label)

        named(self.menuBar(), "menuBar", "Menu bar")
        named(self.tabs.tabBar(), "centralTabBar", "Main view tabs")
        named(toolbar.findChild(QToolButton, "qt_toolbar_ext_button"), "toolbarMoreButton", "More toolbar actions")
        named(self.menuBar().findChild(QToolButton, "qt_menubar_ext_button"), "menuBarMoreButton", "More menus")
        file_menu = self.menuBar().addMenu("&File")
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.new_run_action)
        file_menu.addAction(self.open_run_action)
        self.recent_menu = file_menu.addMenu("Recent runs")
        self.recent_menu.setObjectName("recentRunsMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("viewMenu")
        for dock in (self.dataset_dock, self.training_dock, self.curves_dock):
            view_menu.addAction(dock.toggleViewAction())

    def _connect(self) -> None:
        panel = self.training_panel
        self.new_run_action.triggered.connect(self.new_run)
        self.open_run_action.triggered.connect(self._ask_open_run)
        self.quit_action.triggered.connect(self.close)
        panel.train_action.triggered.connect(self.start_training)
        panel.pause_action.triggered.connect(self.toggle_pause)
        panel.stop_action.triggered.connect(self.stop_training)
        panel.model_form.changed.connect(self._refresh)
        panel.model_form.changed.connect(self._name_losses)
        panel.train_form.changed.connect(self._refresh)
        panel.train_form.editor("device").currentIndexChanged.connect(self._probe_device)
        self.dataset_panel.options_form.changed.connect(self._refresh)
        self.dataset_panel.load_requested.connect(self.load_dataset)
        self.dataset_panel.cancel_requested.connect(self.cancel_dataset_load)
        self._drop_filter = DatasetDropFilter(self, self._use_dropped_source)
        self.samples_panel.new_noise_requested.connect(self._new_noise)
        self.samples_panel.export_requested.connect(self._export)
        self.renderer.worker.rendered.connect(self._on_rendered)
        self.renderer.worker.failed.connect(self.samples_panel.show_message)

    # --------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        config = self.settings.run_config()
        self.dataset_panel.add_folders(self.settings.recent_folders())
        if config is not None:
            self.dataset_panel.set_config(config.data)
            self.training_panel.model_form.set_values(config.model)
            self.training_panel.train_form.set_values(config.train)
        geometry = self.settings.geometry()
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        state = self.settings.window_state()
        if state:
            self.restoreState(state)

    def _save_settings(self) -> None:
        config = self.current_config()
        if config is not None and self._run_path is None:
            self.settings.set_run_config(config)
        self.settings.set_recent_folders(self.dataset_panel.recent_folders())
        self.settings.set_layout(self.saveGeometry(), self.saveState())
        self.settings.sync()

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        """Begin the slow work behind the visible window: load the dataset, detect the device."""
        config = self.dataset_panel.data_config() or DataConfig()
        self.load_dataset(config)
        self._probe_device()

    def _probe_device(self) -> None:
        if self._device_probe is not None:
            self._device_probe.cancel()
        probe = DeviceProbe(self.training_panel.train_form.editor("device").currentData())
        probe.described.connect(self._on_device_described)
        probe.failed.connect(self._on_device_failed)
        self._device_probe = probe
        self.threads.start(probe)

    def _on_device_described(self, description: str) -> None:
        if self.sender() is self._device_probe:
            self._on_device(description, "")

    def _on_device_failed(self, sentence: str) -> None:
        if self.sender() is self._device_probe:
            self._on_device("", sentence)

    def _on_device(self, description: str, problem: str) -> None:
        if self.is_training():
            return
        self._device_problem = problem
        self._show_device(description or "unavailable")
        self._refresh()

    def _show_device(self, description: str) -> None:
        self.device_label.setText(f"Device: {description}")
        self.training_panel.set_device(description)

    # ---------------------------------------------------------------- dataset
    def load_dataset(self, config: DataConfig) -> None:
        if self.is_training():
            return
        if self._dataset_worker is not None:
            self._dataset_worker.cancel()
        worker = DatasetWorker(config)
        worker.progress.connect(self._on_dataset_progress)
        worker.loaded.connect(self._on_dataset)
        worker.failed.connect(self._on_dataset_failed)
        self._dataset_worker = worker
        self._dataset, self._dataset_config, self._dataset_error = None, None, ""
        self.dataset_panel.show_loading(0, 1)
        self.threads.start(worker)
        self._refresh()

    def cancel_dataset_load(self) -> None:
        """Stop the load in progress; Train stays blocked until a dataset has loaded."""
        if self._dataset_worker is None:
            return
        self._dataset_worker.cancel()
        self._dataset_worker = None
        self._dataset_error = "Loading the dataset was cancelled; choose a dataset or change an option to load it again."
        self.dataset_panel.show_error(self._dataset_error)
        self._refresh()

    def _use_dropped_source(self, path: str) -> None:
        combo = self.dataset_panel.source_combo
        if not combo.isEnabled():
            self.statusBar().showMessage(combo.toolTip(), 5000)
            return
        self.dataset_panel.use_source(path)

    # Signals from a load that was replaced by a newer one are ignored (checked via sender()).
    def _on_dataset_progress(self, done: int, total: int) -> None:
        if self.sender() is self._dataset_worker:
            self.dataset_panel.show_loading(done, total)

    def _on_dataset(self, dataset, summary: DatasetSummary) -> None:
        if self.sender() is not self._dataset_worker:
            return
        self._dataset_worker = None
        self._dataset, self._dataset_config = dataset, summary.config
        self.dataset_panel.show_summary(summary)
        self._refresh()
        self.dataset_loaded.emit()

    def _on_dataset_failed(self, sentence: str) -> None:
        if self.sender() is not self._dataset_worker:
            return
        self._dataset_worker = None
        self._dataset_error = sentence
        self.dataset_panel.show_error(sentence)
        self._refresh()

    # ------------------------------------------------------------- validation
    def current_config(self) -> RunConfig | None:
        """The run config the forms describe, or None while a field is invalid."""
        data = self.dataset_panel.data_config()
        model = self.training_panel.model_form.value()
        train = self.training_panel.train_form.value()
        if data is None or model is None or train is None:
            return None
        return RunConfig(data=data, model=model, train=train)

    def _block_reason(self) -> str:
        forms = (self.dataset_panel.options_form, self.training_panel.model_form, self.training_panel.train_form)
        problems: dict[str, str] = {}
        for form in forms:
            problems.update(form.problems())
        config = self.current_config()
        if config is not None:
            problems.update(validate(config))
        for form in forms:
            form.mark_problems(problems)
        if problems:
            return next(iter(problems.values()))
        if self._device_problem:
            return self._device_problem
        if self._dataset_error:
            return self._dataset_error
        if self._dataset is None or config.data != self._dataset_config:
            return "Wait until the dataset has loaded."
        if self._run_path is not None and config.train.steps <= self._run_step:
            return f"Raise Steps above {self._run_step:,} to continue this run."
        return ""

    def _name_losses(self) -> None:
        model = self.training_panel.model_form.value()
        if model is not None:
            self.curves_panel.set_model_kind(model.kind)

    def _refresh(self) -> None:
        """Recompute what can be done now: Train's reason, locks, button texts, sampling."""
        training = self.is_training()
        panel = self.training_panel
        panel.set_block_reason("" if training else self._block_reason())
        panel.set_state(training, self._paused, self._stopping)
        if not training and self._run_path is None:
            panel.set_train_text("Train", "Start a new run with these settings.")
        elif not training:
            panel.set_train_text("Resume run", "Continue the open run up to Steps.")
        self.setWindowTitle(self._run_path.name if self._run_path else "New run")
        if training:
            lock, editable = LOCKED_WHILE_TRAINING, ()
        elif self._run_path is not None:
            lock, editable = FIXED_BY_RUN, ("steps",)
        else:
            lock, editable = "", ()
        panel.model_form.set_locked(lock)
        panel.train_form.set_locked(lock, editable)
        panel.set_preset_enabled(not lock, lock)
        self.dataset_panel.set_locked(lock)
        self.new_run_action.setEnabled(not training)
        self.open_run_action.setEnabled(not training)
        self.recent_menu.setEnabled(not training)
        can_sample = training or self._run_has_checkpoint
        self.samples_panel.set_can_sample(can_sample, "Train first, or open a run with a checkpoint.")
        self.report_panel.set_run(self._run_path, training)
        self.explorer_panel.set_run(self._run_path if self._run_has_checkpoint else None)
        self._refresh_status_line()

    # --------------------------------------------------------------- training
    def is_training(self) -> bool:
        return self._trainer is not None

    def start_training(self) -> None:
        if self.is_training() or self._block_reason():
            return
        config = self.current_config()
        worker = TrainWorker(config, self._dataset, resume_path=self._run_path)
        worker.started.connect(self._on_started)
        worker.step_logged.connect(self._on_step)
        worker.samples_ready.connect(self._on_samples)
        worker.checkpoint_saved.connect(self._on_checkpoint)
        worker.quality_measured.connect(self._on_quality)
        worker.recovered.connect(self._on_recovered)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_training_done)
        self._trainer, self._paused, self._stopping = worker, False, False
        self._total_steps = config.train.steps
        self._batch_size = config.train.batch_size
        self._last_log = None
        if self._run_path is None:
            self.curves_panel.clear()
            self.samples_panel.clear()
            self._last_checkpoint_at = None
        self.training_panel.show_message("Starting…")
        self.threads.start(worker)
        self._refresh()

    def toggle_pause(self) -> None:
        if self._trainer is None or self._stopping:
            return
        if self._paused:
            self._trainer.resume()
        else:
            self._trainer.pause()
        self._paused = not self._paused
        self.training_panel.show_message("Paused." if self._paused else "Training.")
        self._refresh()

    def stop_training(self) -> None:
        if self._trainer is None or self._stopping:
            return
        self._trainer.stop()
        self._stopping = True
        self.training_panel.show_message("Stopping and saving a checkpoint…")
        self._refresh()

    def _on_started(self, event: Started) -> None:
        self._run_path = Path(event.run_dir)
        self._total_steps = event.total_steps
        self._run_step = event.start_step
        if event.resumed:
            self.curves_panel.truncate(event.start_step)
        self._show_device(event.device)
        self.settings.add_recent_run(self._run_path)
        self.training_panel.show_message(
            f"{'Resumed' if event.resumed else 'Training'} {self._run_path.name} from step {event.start_step:,}.")
        self._refresh()

    def _on_step(self, event: StepLogged) -> None:
        self._last_log = event
        self._total_steps = event.total_steps
        self.curves_panel.append({"step": event.step, "g_loss": event.g_loss, "d_loss": event.d_loss,
                                  "d_real": event.d_real, "d_fake": event.d_fake})
        eta = eta_seconds(event.step, event.total_steps, event.images_per_sec, self._batch_size)
        self.training_panel.show_progress(event.step, event.total_steps, event.images_per_sec, eta)
        self._refresh_status_line()

    def _on_samples(self, event: SamplesReady) -> None:
        self.samples_panel.show_samples(event.images, event.step, event.seed)

    def _on_checkpoint(self, event: CheckpointSaved) -> None:
        self._last_checkpoint_at = time.monotonic()
        self._run_step = event.step
        self._run_has_checkpoint = True
        if self._pending_export is not None:
            self._start_export(*self._pending_export)
            self._pending_export = None
        self._refresh()

    def _on_quality(self, event: QualityMeasured) -> None:
        self.curves_panel.append(event.record)

    def _on_recovered(self, event: Recovered) -> None:
        """The divergence guard rolled training back: the curves return to that step too."""
        self.curves_panel.truncate(event.rolled_back_to)
        self.training_panel.show_message(event.message)
        self.statusBar().showMessage(event.message)

    def _on_finished(self, event: Finished) -> None:
        self._run_step = event.step
        self.training_panel.show_message(
            event.reason or (f"Stopped at step {event.step:,}; a checkpoint was saved." if event.stopped
                             else f"Finished at step {event.step:,}."))

    def _on_failed(self, sentence: str) -> None:
        self.training_panel.show_message(sentence)
        self.statusBar().showMessage(sentence)

    def _on_training_done(self) -> None:
        self._trainer, self._paused, self._stopping = None, False, False
        if self._pending_export is not None and self._run_has_checkpoint:
            self._start_export(*self._pending_export)
        self._pending_export = None
        self._refresh()
        self.training_ended.emit()
        if self._close_when_stopped:
            self.close()

    # ------------------------------------------------------- samples / export
    def _new_noise(self, seed: int, count: int) -> None:
        if self._trainer is not None:
            self._trainer.request_preview(seed)
            self.samples_panel.show_message("New noise: the next samples from training will use it.")
        elif self._run_path is not None and self._run_has_checkpoint:
            self.renderer.worker.request(self._run_path, seed, count)

    def _on_rendered(self, result: RenderResult) -> None:
        if result.request.run_path == self._run_path and not self.is_training():
            self.samples_panel.show_samples(result.images, result.step, result.request.seed)

    def _export(self, folder: Path, count: int, seed: int) -> None:
        if self._trainer is not None:
            self._pending_export = (folder, count, seed)
            self._trainer.request_checkpoint()
            self.samples_panel.show_message("Saving a checkpoint to export from…")
        elif self._run_path is not None and self._run_has_checkpoint:
            self._start_export(folder, count, seed)

    def _start_export(self, folder: Path, count: int, seed: int) -> None:
        worker = ExportWorker(self._run_path, folder, count, seed)
        worker.progress.connect(self.samples_panel.show_export_progress)
        worker.exported.connect(self.samples_panel.show_export_done)
        worker.failed.connect(self.samples_panel.show_export_failed)
        self.threads.start(worker)

    # ------------------------------------------------------------------- runs
    def new_run(self) -> None:
        if self.is_training():
            return
        self._run_path, self._run_step, self._run_has_checkpoint = None, 0, False
        self._last_checkpoint_at, self._last_log = None, None
        self.curves_panel.clear()
        self.samples_panel.clear()
        self.training_panel.show_message("")
        self._refresh()

    def _ask_open_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder", str(runs_dir()))
        if folder:
            self.open_run(Path(folder))

    def open_run(self, path: Path, data: str | None = None) -> None:
        """Reopen a run folder: config, curves and the latest samples come back; Resume continues it.

        ``data`` is a dataset the analyst approved for a run whose own is from elsewhere.
        """
        if self.is_training():
            return
        worker = OpenRunWorker(path, data)
        worker.opened.connect(self._on_run_opened)
        worker.failed.connect(self._on_open_failed)
        self.threads.start(worker)

    def _on_open_failed(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 15_000)
        self.training_panel.show_message(sentence)

    def _on_run_opened(self, snapshot: RunSnapshot) -> None:
        if self.is_training():
            return
        if snapshot.foreign_source:
            data = self._ask_for_data(snapshot)
            if data:
                self.open_run(snapshot.path, data)
            else:
                self._on_open_failed(f"'{snapshot.path.name}' was not opened: its dataset was not approved.")
            return
        self._run_path = snapshot.path
        self._run_step = snapshot.last_step
        self._run_has_checkpoint = snapshot.has_checkpoint
        self._last_checkpoint_at, self._last_log = None, None
        self.dataset_panel.set_config(snapshot.config.data)
        self.training_panel.model_form.set_values(snapshot.config.model)
        self.training_panel.train_form.set_values(snapshot.config.train)
        self.curves_panel.set_history(snapshot.metrics)
        if snapshot.samples is not None:
            self.samples_panel.show_grid_image(snapshot.samples, f"{snapshot.path.name}: last samples saved")
        else:
            self.samples_panel.clear()
        self.training_panel.show_progress(snapshot.last_step, snapshot.config.train.steps, 0.0, float("nan"))
        self.training_panel.show_message(f"Opened {snapshot.path.name} at step {snapshot.last_step:,}.")
        self.settings.add_recent_run(snapshot.path)
        if snapshot.config.data != self._dataset_config:
            self.load_dataset(snapshot.config.data)
        self._refresh()
        self.run_opened.emit()

    def _ask_for_data(self, snapshot: RunSnapshot) -> str | None:
        """The dataset the analyst lets a run from elsewhere read: its own, another one, or None to not open it."""
        box = QMessageBox(QMessageBox.Icon.Question, "Dataset outside the run",
                          f"The run '{snapshot.path.name}' was not created by this studio and reads its dataset from "
                          f"'{snapshot.foreign_source}', outside the run folder. Read that dataset, or choose another?",
                          parent=self)
        box.setObjectName("foreignDataQuestion")
        use = box.addButton("Use this dataset", QMessageBox.ButtonRole.AcceptRole)
        choose = box.addButton("Choose another…", QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        for button, name in ((use, "useRecordedDataButton"), (choose, "chooseOtherDataButton"), (cancel, "cancelOpenRunButton")):
            named(button, name, button.text().rstrip("…"))
        box.exec()
        if box.clickedButton() is use:
            return snapshot.foreign_source
        if box.clickedButton() is choose:
            return QFileDialog.getExistingDirectory(self, "Choose the dataset for this run", str(Path.home())) or None
        return None

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        runs = self.settings.recent_runs()
        for path in runs:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_run(p))
        if not runs:
            self.recent_menu.addAction("No recent runs").setEnabled(False)

    # ------------------------------------------------------------ status line
    def _refresh_status_line(self) -> None:
        parts: list[str] = []
        log = self._last_log
        if log is not None:
            parts.append(f"step {log.step:,}/{log.total_steps:,}")
            if self.is_training():
                eta = eta_seconds(log.step, log.total_steps, log.images_per_sec, self._batch_size)
                parts += [f"{log.images_per_sec:,.0f} img/s", f"ETA {format_duration(eta)}"]
        elif self._run_path is not None:
            parts.append(f"{self._run_path.name} · step {self._run_step:,}")
        if self._paused:
            parts.append("paused")
        if self._last_checkpoint_at is not None:
            parts.append(f"last checkpoint {format_age(time.monotonic() - self._last_checkpoint_at)}")
        self.status_line.setText(" · ".join(parts) if parts else "Ready")

    # ------------------------------------------------------------------ close
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """While training: stop, keep the window responsive until the checkpoint is saved, then close."""
        if self.is_training():
            self._close_when_stopped = True
            self.stop_training()
            self.statusBar().showMessage("Stopping training and saving a checkpoint before closing…")
            event.ignore()
            return
        self._save_settings()
        self.shutdown_threads()
        event.accept()

    def shutdown_threads(self) -> None:
        """End every worker thread; also run when the application quits without closing this window."""
        self._status_timer.stop()
        self.threads.shutdown()
        self.renderer.shutdown()
