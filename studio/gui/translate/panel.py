"""The Translate tab: choose a source and a target set side by side, train a translator with live
curves and a live before/after row, then translate an image or a folder at a chosen strength.

Loading, training, previewing and exporting all run off the GUI thread (the task host, the training
worker, the preview worker where the latest request wins); this panel only shows what they report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from studio.core.config import DataConfig
from studio.core.errors import StudioError
from studio.core.paths import runs_dir
from studio.core.translation.config import MODELS, TranslationConfig, check, choose_model
from studio.core.translation.config import TranslationDataConfig as _DataFields
from studio.gui.curves.panel import GrowingBuffer
from studio.gui.naming import named
from studio.gui.tasks import JobSlots, ThreadHost
from studio.gui.translate.apply_box import ApplyBox
from studio.gui.translate.sets_box import ImageSetBox, before_after
from studio.gui.translate.worker import TranslatePreviewWorker, TranslateRequest, TranslationTrainWorker
from studio.gui.widgets.image_view import ImageView
from studio.gui.widgets.plot_style import SteppedRanges, live_curve, live_plot

PREVIEW_IMAGES = 8
CURVES = {"adversarial": "#d62728", "nce": "#1f77b4", "cycle": "#1f77b4", "identity": "#2ca02c", "d_loss": "#7f7f7f"}
RESOLUTIONS = _DataFields.__dataclass_fields__["resolution"].metadata["choices"]


def _load_set(config: DataConfig, task=None):
    from studio.core.data import load_dataset

    return load_dataset(config, task)


def _read_preview_images(run_path: Path, images: Path):
    from studio.core.translation.export import read_images
    from studio.core.translation.run import TranslationRun

    return read_images(images, TranslationRun.open(run_path).config.data.resolution, PREVIEW_IMAGES)


def _open_run(path: Path):
    """(the run's folder, its last step, its newest before/after row or None), for a run of the translation kind."""
    from studio.core.imaging import load_png
    from studio.core.translation.run import TranslationRun

    run = TranslationRun.open(path)
    if run.latest_checkpoint() is None:
        raise StudioError(f"The run '{run.name}' has no checkpoint yet, so there is nothing to translate with.")
    try:
        row = load_png(run.latest_samples()) if run.latest_samples() is not None else None
    except (OSError, ValueError):  # a damaged before/after row is only not shown
        row = None
    return run.path, run.last_step(), row


def _translate_folder(run_path: Path, images: Path, out_dir: Path, strength: float, task=None):
    from studio.core.translation.export import translate_with_run

    return translate_with_run(run_path, images, out_dir, strength, task)


class TranslatePanel(QWidget):
    """``preview_updated(step)`` follows each live row; ``training_finished`` each training's end;
    ``translated`` each redrawn translation; ``exported(folder)`` each finished export."""

    preview_updated = Signal(int)
    training_finished = Signal()
    set_loaded = Signal(str)
    translated = Signal(object)
    exported = Signal(object)
    run_opened = Signal(object)

    def __init__(self, host: ThreadHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("translatePanel")
        self.host = host
        self.jobs = JobSlots(host, self)
        self.previewer = host.start(TranslatePreviewWorker())
        self.sets: dict[str, object] = {"source": None, "target": None}
        self.run_path: Path | None = None
        self.worker: TranslationTrainWorker | None = None
        self._shown: np.ndarray | None = None  # the (N, 3, R, R) images of the apply box
        self._build()
        self._connect()
        self._refresh()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.boxes = {"source": ImageSetBox("source", "Source: translate from"), "target": ImageSetBox("target", "Target: the style to learn")}
        self.model = named(QComboBox(), "translateModel", "Translation model",
                           "CUT: one generator with a contrastive loss (best per minute). FastCUT: faster, bolder. "
                           "CycleGAN: two generators and a cycle loss.")
        self.model.addItems(list(MODELS))
        self.resolution = named(QComboBox(), "translateResolution", "Resolution")
        self.resolution.addItems([str(size) for size in RESOLUTIONS])
        self.resolution.setCurrentText("32")
        self.steps = named(QSpinBox(), "translateSteps", "Steps")
        self.steps.setRange(1, 10_000_000)
        self.steps.setValue(TranslationConfig().train.steps)
        self.train = named(QPushButton("Train"), "translateTrain", "Train the translator")
        self.pause = named(QPushButton("Pause"), "translatePause", "Pause or continue training")
        self.stop = named(QPushButton("Stop"), "translateStop", "Stop training with a checkpoint")
        self.open_run = named(QPushButton("Open run…"), "translateOpenRun", "Open a translation run",
                              "Open a translation run trained before (here or with translate-train) to translate with it.")
        self.status = named(QLabel("Choose a source and a target set."), "translateStatus", "Training status")
        self.status.setWordWrap(True)
        self.plot = named(live_plot("Losses", "loss", "step", min_height=180), "translateCurves", "Translation losses")
        self.plot.addLegend(offset=(-10, 10))
        self._ranges = SteppedRanges((self.plot,), self)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.buffer: GrowingBuffer | None = None
        self.preview = named(ImageView("Held-out source images above their translations, as training goes"),
                             "translatePreview", "Live translation preview")
        self.apply = ApplyBox()

        sets = QHBoxLayout()
        sets.addWidget(self.boxes["source"])
        sets.addWidget(self.boxes["target"])
        settings, buttons = QHBoxLayout(), QHBoxLayout()
        for label, widget in (("Model", self.model), ("Resolution", self.resolution), ("Steps", self.steps)):
            settings.addWidget(QLabel(label))
            settings.addWidget(widget)
        settings.addStretch(1)
        for button in (self.train, self.pause, self.stop, self.open_run):
            buttons.addWidget(button)
        buttons.addStretch(1)
        watch = QSplitter()
        watch.addWidget(self.plot)
        watch.addWidget(self.preview)
        watch.setMinimumHeight(200)
        training = QGroupBox("Train")
        inner = QVBoxLayout(training)
        inner.addLayout(settings)
        inner.addLayout(buttons)
        inner.addWidget(self.status)
        inner.addWidget(watch, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(sets, 1)
        layout.addWidget(training, 2)
        layout.addWidget(self.apply, 2)

    def _connect(self) -> None:
        for which, box in self.boxes.items():
            box.chosen.connect(lambda which=which: self._load(which))
        self.resolution.currentTextChanged.connect(self._reload_sets)
        self.train.clicked.connect(self.start_training)
        self.pause.clicked.connect(self._toggle_pause)
        self.stop.clicked.connect(lambda: self.worker and self.worker.stop())
        self.open_run.clicked.connect(self._ask_run)
        self.previewer.rendered.connect(self._on_translated)
        self.previewer.failed.connect(self.apply.message.setText)
        self.apply.images_chosen.connect(self._show_images)
        self.apply.strength_changed.connect(lambda _: self._request_translation())
        self.apply.export_requested.connect(self._export)
        self.apply.cancel_requested.connect(lambda: self.jobs.cancel("export"))

    def _refresh(self) -> None:
        training = self.worker is not None
        self.train.setEnabled(not training and all(self.sets.values()))
        self.pause.setEnabled(training)
        self.stop.setEnabled(training)
        for widget in (self.model, self.resolution, self.steps, self.open_run, *(box.choose for box in self.boxes.values())):
            widget.setEnabled(not training)
        self.apply.set_ready(self.run_path is not None and not training)

    # ------------------------------------------------------------------ the two sets
    def set_config(self, which: str) -> DataConfig:
        box = self.boxes[which]
        return DataConfig(source=box.path.text(), resolution=int(self.resolution.currentText()), classes=box.classes.text().strip(),
                          held_out=0.0)

    def _reload_sets(self) -> None:
        """Read the chosen sets again, at the resolution now chosen."""
        for which, box in self.boxes.items():
            if box.path.text():
                self._load(which)

    def _load(self, which: str) -> None:
        self.sets[which] = None
        self._refresh()
        self.boxes[which].summary.setText("Loading…")
        self.jobs.start(which, _load_set, self.set_config(which), doing=f"Loading the {which} set",
                        on_result=lambda dataset: self._on_loaded(which, dataset),
                        on_error=lambda sentence: self._on_load_failed(which, sentence))

    def _on_loaded(self, which: str, dataset) -> None:
        self.sets[which] = dataset
        self.boxes[which].show_set(dataset)
        self._refresh()
        self.set_loaded.emit(which)

    def _on_load_failed(self, which: str, sentence: str) -> None:
        self.boxes[which].show_problem(sentence)
        self.set_loaded.emit(which)

    # ------------------------------------------------------------------ training
    def config(self) -> TranslationConfig:
        config = TranslationConfig()
        for which in self.sets:
            data = self.set_config(which)
            setattr(config.data, which, data.source)
            setattr(config.data, f"{which}_classes", data.classes)
        config.data.resolution = int(self.resolution.currentText())
        choose_model(config, self.model.currentText())
        config.train.steps = self.steps.value()
        return config

    def start_training(self) -> None:
        from studio.core.translation.data import checked_pair

        try:
            config = self.config()
            check(config)
            pair = checked_pair(self.sets["source"], self.sets["target"])
        except StudioError as error:
            self.status.setText(str(error))
            return
        self._start(TranslationTrainWorker(config, pair, runs_dir()))

    def _start(self, worker: TranslationTrainWorker) -> None:
        self.worker = worker
        self.buffer = None
        worker.started.connect(self._on_started)
        worker.step_logged.connect(self._on_logged)
        worker.samples_ready.connect(self._on_preview)
        worker.recovered.connect(self._on_recovered)  # bound methods, not lambdas: they run on the window's thread
        worker.failed.connect(self.status.setText)
        worker.finished.connect(self._on_finished)
        worker.done.connect(self._on_done)
        self.status.setText("Starting…")
        self.host.start(worker)
        self._refresh()

    def _on_recovered(self, event) -> None:
        self.status.setText(event.message)

    def _on_finished(self, event) -> None:
        self.status.setText(f"{'Stopped' if event.stopped else 'Finished'} at step {event.step:,}; translate images below.")

    def _on_started(self, event) -> None:
        self.run_path = Path(event.run_dir)
        self.status.setText(f"Training {self.run_path.name} on {event.device} from step {event.start_step:,}.")

    def _on_logged(self, event) -> None:
        row = {"step": event.step, "d_loss": event.d_loss, **event.losses}
        if self.buffer is None:
            self.buffer = GrowingBuffer([name for name in row if name != "step"])
            self.plot.clear()
            self.curves = {name: live_curve(self.plot, CURVES.get(name, "#9467bd"), name) for name in self.buffer.names[1:]}
        self.buffer.append(row)
        steps = self.buffer.column("step")
        for name, curve in self.curves.items():
            curve.setData(steps, self.buffer.column(name))
        self._ranges.fit_x(self.plot, event.step)
        self._ranges.fit_y(self.plot, [self.buffer.column(name) for name in self.curves])
        self.status.setText(f"Step {event.step:,} of {event.total_steps:,} · {event.images_per_sec:.0f} img/s")

    def _on_preview(self, event) -> None:
        self.preview.set_image(before_after(event.sources, event.translations))
        self.preview_updated.emit(event.step)

    def _toggle_pause(self) -> None:
        if self.worker is None:
            return
        paused = self.pause.text() == "Continue"
        (self.worker.resume if paused else self.worker.pause)()
        self.pause.setText("Pause" if paused else "Continue")

    def _on_done(self) -> None:
        self.worker = None
        self.pause.setText("Pause")
        self._refresh()
        self.training_finished.emit()
        if self._shown is not None:
            self._request_translation()

    def _ask_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a translation run", str(runs_dir()))
        if folder:
            self.set_run(Path(folder))

    def set_run(self, path: Path) -> None:
        """Translate with the run at ``path`` (trained before), once it is found to be a translation run."""
        self.jobs.start("open", _open_run, Path(path), doing="Opening the run", on_result=self._on_run_opened, on_error=self.status.setText)

    def _on_run_opened(self, opened) -> None:
        path, step, row = opened
        self.run_path = path
        self.preview.set_image(row)
        self.status.setText(f"Run {path.name} at step {step:,}: translate images below.")
        self._refresh()
        self.run_opened.emit(path)

    # ------------------------------------------------------------------ applying
    def _show_images(self, path: Path) -> None:
        self.jobs.start("images", _read_preview_images, self.run_path, path, doing="Reading the images",
                        on_result=self._on_images, on_error=self.apply.message.setText)

    def _on_images(self, loaded) -> None:
        names, self._shown = loaded
        self.apply.message.setText(f"{self.apply.images_path}: showing {len(names)} image{'s' * (len(names) != 1)}.")
        self._request_translation()

    def _request_translation(self) -> None:
        if self._shown is not None and self.run_path is not None:
            self.previewer.request(TranslateRequest(self.run_path, self._shown, self.apply.strength.value()))

    def _on_translated(self, result) -> None:
        sources = result.request.images.transpose(0, 2, 3, 1)
        self.apply.view.set_image(before_after(np.ascontiguousarray(sources), result.translations))
        self.translated.emit(result)

    def _export(self, chosen: Path) -> None:
        from studio.core.files import export_folder

        out = export_folder(chosen, f"{self.apply.images_path.stem}-translated")
        self.apply.set_exporting(True)
        self.apply.message.setText(f"Translating into {out}…")
        self.jobs.start(
            "export", _translate_folder, self.run_path, self.apply.images_path, out, self.apply.strength.value(),
            doing="Translating the images", on_result=self._on_exported, on_error=self.apply.message.setText,
            on_progress=lambda done, total: self.apply.progress.setValue(round(100 * done / max(total, 1))),
            on_done=self._on_export_done)

    def _on_exported(self, result) -> None:
        skipped = f"; {len(result.skipped)} files were not images and were skipped" if result.skipped else ""
        self.apply.message.setText(f"Wrote {result.written:,} translations and manifest.csv to {result.folder}{skipped}.")
        self.exported.emit(result.folder)

    def _on_export_done(self, cancelled: bool) -> None:
        if cancelled:
            self.apply.message.setText("The export was cancelled; no files were kept.")
        self.apply.set_exporting(False)
