"""The main window: docks, toolbar, menus and status line; wires the panels to the background jobs.

What is open lives in a ``StudioSession``; the window displays it and decides who answers a
request: the trainer while training, the render worker and tasks otherwise. No torch work
happens here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

from studio.core.config import DataConfig, RunConfig, validate
from studio.core.data.jobs import DatasetSummary, load_for_training
from studio.core.run_snapshot import RunSnapshot
from studio.core.training.jobs import describe_device_named
from studio.gui.augment.panel import AugmentPanel
from studio.gui.translate.panel import TranslatePanel
from studio.gui.curves.panel import CurvesPanel
from studio.gui.dataset.drop import DatasetDropFilter
from studio.gui.dataset.panel import DatasetPanel
from studio.gui.explorer.panel import ExplorerPanel
from studio.gui.render_worker import RenderWorker
from studio.gui.report.panel import ReportPanel
from studio.gui.run_opener import RunOpener
from studio.gui.samples.panel import SamplesPanel
from studio.gui.session import StudioSession
from studio.gui.settings import StudioSettings
from studio.gui.sweep.panel import SweepPanel
from studio.gui.tasks import JobSlots, ThreadHost
from studio.gui.training.outlook import OutlookService
from studio.gui.training.panel import TrainingPanel
from studio.gui.window_chrome import add_actions, lay_out
from studio.gui.window_layout import WindowLayout
from studio.gui.window_training import WindowTraining

LOCKED_WHILE_TRAINING = "Locked while training; stop training to change it."
FIXED_BY_RUN = "Fixed by the open run; choose New run to change it."


class MainWindow(WindowTraining, QMainWindow):
    """GAN Studio's one window. Call ``start()`` after ``show()`` to begin loading the data; training
    and its samples are steered by :class:`~studio.gui.window_training.WindowTraining`."""

    dataset_loaded = Signal()
    run_opened = Signal()
    training_ended = Signal()
    training_paused = Signal(int)  # the step at which training holds after Pause

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = StudioSettings()
        self.threads = ThreadHost(self)
        self.jobs = JobSlots(self.threads, self)
        self.renderer = RenderWorker()
        self.threads.start(self.renderer)

        self.dataset_panel = DatasetPanel()
        self.training_panel = TrainingPanel()
        self.curves_panel = CurvesPanel()
        self.samples_panel = SamplesPanel()
        self.report_panel = ReportPanel(self.threads)
        self.explorer_panel = ExplorerPanel(self.threads, self.renderer)
        self.augment_panel = AugmentPanel(self.threads)
        self.sweep_panel = SweepPanel(self.threads)
        self.translate_panel = TranslatePanel(self.threads)
        self._train_when_opened: Path | None = None  # a run to train as soon as it is open and its data loaded

        self.session = StudioSession()
        self.run_opener = RunOpener(self.threads, self)
        self.outlook = OutlookService(self.threads, self)

        lay_out(self)
        add_actions(self)
        self.window_layout = WindowLayout(self, self.tabs, self.findChild(QMenu, "viewMenu"))
        self._connect()
        self._restore_settings()
        self._status_timer = QTimer(self, interval=1000, timeout=self._refresh_status_line)
        self._status_timer.start()
        QApplication.instance().aboutToQuit.connect(self.shutdown_threads)
        self._refresh()

    def _connect(self) -> None:
        panel = self.training_panel
        self.new_run_action.triggered.connect(self.new_run)
        self.open_run_action.triggered.connect(lambda: self.open_run(self.run_opener.ask_folder()))
        self.quit_action.triggered.connect(self.close)
        self.about_action.triggered.connect(self.show_about)
        panel.train_action.triggered.connect(self.start_training)
        panel.pause_action.triggered.connect(self.toggle_pause)
        panel.stop_action.triggered.connect(self.stop_training)
        panel.model_form.changed.connect(self._refresh)
        panel.model_form.changed.connect(self._name_losses)
        panel.train_form.changed.connect(self._refresh)
        panel.train_form.editor("device").currentIndexChanged.connect(self._probe_device)
        panel.train_form.editor("precision").currentIndexChanged.connect(self._probe_device)
        self.dataset_panel.options_form.changed.connect(self._refresh)
        self.dataset_panel.load_requested.connect(self.load_dataset)
        self.dataset_panel.cancel_requested.connect(self.cancel_dataset_load)
        self._drop_filter = DatasetDropFilter(self, self._use_dropped_source)
        self.samples_panel.new_noise_requested.connect(self._new_noise)
        self.samples_panel.export_requested.connect(self._export)
        self.renderer.rendered.connect(self._on_rendered)
        self.renderer.failed.connect(self.samples_panel.show_message)
        self.run_opener.opened.connect(self._on_run_opened)
        self.run_opener.failed.connect(self._on_open_failed)
        self.outlook.changed.connect(self.training_panel.show_outlook)
        self.sweep_panel.running_changed.connect(self._on_sweep_running)
        self.sweep_panel.open_run_requested.connect(self.open_run)
        self.sweep_panel.continue_requested.connect(self.continue_run)

    # --------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        config = self.settings.run_config()
        self.dataset_panel.add_folders(self.settings.recent_folders())
        if config is not None:
            self.show_config(config)
        if not self.settings.restore_layout(self):
            self.window_layout.fit_to_screen()

    def _save_settings(self) -> None:
        config = self.current_config()
        if config is not None and self.session.run_path is None:
            self.settings.set_run_config(config)
        self.settings.set_recent_folders(self.dataset_panel.recent_folders())
        self.settings.save_layout(self)
        self.settings.sync()

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        """Begin the slow work behind the visible window: load the dataset, detect the device."""
        config = self.dataset_panel.data_config() or DataConfig()
        self.load_dataset(config)
        self._probe_device()

    def _probe_device(self) -> None:
        """Name the device the setting resolves to; an answer for an older setting is ignored."""
        form = self.training_panel.train_form
        self.jobs.start("device", describe_device_named, form.editor("device").currentData(),
                        form.editor("precision").currentData(), doing="Detecting the compute device",
                        on_result=lambda description: self._on_device(description, ""),
                        on_error=lambda sentence: self._on_device("", sentence))

    def _on_device(self, description: str, problem: str) -> None:
        if self.is_training():
            return
        self.session.device_problem = problem
        self._show_device(description or "unavailable")
        self._refresh()

    def _show_device(self, description: str) -> None:
        self.device_label.setText(f"Device: {description}")
        self.training_panel.set_device(description)

    # ---------------------------------------------------------------- dataset
    def load_dataset(self, config: DataConfig) -> None:
        if self.is_training():
            return
        load = self.jobs.start("dataset", load_for_training, config, doing="Loading the dataset",
                               on_progress=self.dataset_panel.show_loading,
                               on_result=lambda loaded: self._on_dataset(*loaded), on_error=self._on_dataset_failed)
        self.session.start_loading(load)
        self.dataset_panel.show_loading(0, 1)
        self._refresh()

    def cancel_dataset_load(self) -> None:
        """Stop the load in progress; Train stays blocked until a dataset has loaded."""
        if self.session.dataset_load is None:
            return
        self.jobs.forget("dataset")
        self.session.load_failed("Loading the dataset was cancelled; choose a dataset or change an option to load it again.")
        self.dataset_panel.show_error(self.session.dataset_error)
        self._refresh()

    def _use_dropped_source(self, path: str) -> None:
        combo = self.dataset_panel.source_combo
        if not combo.isEnabled():
            self.statusBar().showMessage(combo.toolTip(), 5000)
            return
        self.dataset_panel.use_source(path)

    def _on_dataset(self, dataset, summary: DatasetSummary) -> None:
        self.session.loaded(dataset, summary.config)
        self.dataset_panel.show_summary(summary)
        self._refresh()
        self.dataset_loaded.emit()
        self._train_opened_run()

    def _on_dataset_failed(self, sentence: str) -> None:
        self.session.load_failed(sentence)
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

    def show_config(self, config: RunConfig) -> None:
        """Put a run config on the dataset, model and training forms."""
        self.dataset_panel.set_config(config.data)
        self.training_panel.model_form.set_values(config.model)
        self.training_panel.train_form.set_values(config.train)

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
        return self.session.block_reason(config)

    def _on_sweep_running(self, running: bool) -> None:
        self.session.sweeping = running
        self._refresh()

    def _name_losses(self) -> None:
        model = self.training_panel.model_form.value()
        if model is not None:
            self.curves_panel.set_model_kind(model.kind)

    def _refresh(self) -> None:
        """Recompute what can be done now: Train's reason, locks, button texts, sampling."""
        session, training = self.session, self.is_training()
        panel = self.training_panel
        panel.set_block_reason("" if training else self._block_reason())
        panel.set_state(training, session.paused, session.stopping)
        if not training and session.run_path is None:
            panel.set_train_text("Train", "Start a new run with these settings.")
        elif not training:
            panel.set_train_text("Resume run", "Continue the open run up to Steps.")
        self.setWindowTitle(session.run_path.name if session.run_path else "New run")
        if training:
            lock, editable = LOCKED_WHILE_TRAINING, ()
        elif session.run_path is not None:
            lock, editable = FIXED_BY_RUN, ("steps",)
        else:
            lock, editable = "", ()
        panel.model_form.set_locked(lock)
        panel.train_form.set_locked(lock, editable)
        panel.set_preset_enabled(not lock, lock)
        self.dataset_panel.set_locked(lock)
        for action in (self.new_run_action, self.open_run_action, self.recent_menu):
            action.setEnabled(not training)
        self.samples_panel.set_can_sample(session.can_sample, "Train first, or open a run with a checkpoint.")
        self.report_panel.set_run(session.run_path, training)
        self.augment_panel.set_run(session.run_path, training)
        self.explorer_panel.set_run(session.run_path if session.run_has_checkpoint else None)
        self.sweep_panel.set_context(session.dataset, session.dataset_config, self.current_config(),
                                     session.sweep_block_reason())
        self._refresh_outlook()
        self._refresh_status_line()

    def _refresh_outlook(self) -> None:
        """Estimate the time to a recognisable grid for a new run that could start now; nothing otherwise."""
        session = self.session
        if self.is_training() or session.run_path is not None or self.training_panel.block_reason():
            self.outlook.clear()
        else:
            self.outlook.request(self.current_config(), len(session.dataset.class_names))

    # ------------------------------------------------------------------- runs
    def new_run(self) -> None:
        if self.is_training():
            return
        self.session.open_run(None)
        self.curves_panel.clear()
        self.samples_panel.clear()
        self.training_panel.show_message("")
        self._refresh()

    def open_run(self, path: Path | None) -> None:
        """Reopen a run folder: config, curves and the latest samples come back; Resume continues it."""
        if path is not None and not self.is_training():
            self.run_opener.open(path)

    def continue_run(self, path: Path) -> None:
        """Open the run at ``path`` (already set to its new step total) and train it as soon as its data has loaded."""
        if self.is_training() or self.session.sweeping:
            return
        self._train_when_opened = Path(path)
        self.open_run(path)

    def _train_opened_run(self) -> None:
        path = self._train_when_opened
        if path is None or self.session.run_path != path or self.is_training() or self.session.dataset_load is not None:
            return
        self._train_when_opened = None
        reason = self._block_reason()
        if reason:
            self.training_panel.show_message(reason)
        else:
            self.start_training()

    def _on_open_failed(self, sentence: str) -> None:
        self._train_when_opened = None
        self.statusBar().showMessage(sentence, 15_000)
        self.training_panel.show_message(sentence)

    def _on_run_opened(self, snapshot: RunSnapshot) -> None:
        if self.is_training():
            return
        self.session.open_run(snapshot.path, snapshot.last_step, snapshot.has_checkpoint)
        self.show_config(snapshot.config)
        self.curves_panel.set_history(snapshot.metrics)
        if snapshot.samples is not None:
            self.samples_panel.show_grid_image(snapshot.samples, f"{snapshot.path.name}: last samples saved")
        else:
            self.samples_panel.clear()
        self.training_panel.show_progress(snapshot.last_step, snapshot.config.train.steps, 0.0, float("nan"))
        self.training_panel.show_message(f"Opened {snapshot.path.name} at step {snapshot.last_step:,}.")
        self.settings.add_recent_run(snapshot.path)
        if snapshot.config.data != self.session.dataset_config:
            self.load_dataset(snapshot.config.data)
        self._refresh()
        self.run_opened.emit()
        self._train_opened_run()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        runs = self.settings.recent_runs()
        for path in runs:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_run(p))
        if not runs:
            self.recent_menu.addAction("No recent runs").setEnabled(False)

    def _refresh_status_line(self) -> None:
        self.status_line.setText(self.session.status_text())

    def show_about(self) -> None:
        """Help → About GAN Studio: versions, the device in use and the folders, with Copy diagnostics."""
        from studio.gui.about import AboutDialog

        self.about_dialog = AboutDialog(self.device_label.text().removeprefix("Device: "), self)
        self.about_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog.show()

    # ------------------------------------------------------------------ close
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """While training: stop, keep the window responsive until the checkpoint is saved, then close."""
        if self.is_training():
            self.session.close_when_stopped = True
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
        self.outlook.clear()
        self.threads.shutdown()
