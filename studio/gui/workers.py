"""The only bridge between the GUI thread and the engine: QObject workers living on QThreads.

Each worker imports the torch-using parts of ``studio.core`` inside its ``run`` method, which
executes on the worker's thread, so starting the GUI never pays for ``import torch`` and the GUI
thread never runs torch work. Core callbacks become Qt signals, queued to the GUI thread.

Cancelling, pausing and stopping are plain method calls from the GUI thread: a worker's own
thread is busy inside the job, so a queued slot would only run after the job had ended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.core.config import DataConfig, RunConfig
from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState
from studio.gui.tasks import ThreadHost, analyst_message  # noqa: F401 - ThreadHost re-exported until the jobs move
from studio.core.training.events import CheckpointSaved, Failed, Finished, QualityMeasured, Recovered, SamplesReady, Started, StepLogged
from studio.core.files import occupied

class Job(QObject):
    """A one-shot worker: ``run`` does the work on its thread, then ``done`` is always emitted."""

    failed = Signal(str)
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.state = TaskState()  # cancel() reaches the core job through a subtask of this state

    def cancel(self) -> None:
        """Ask the job to stop early; safe from any thread."""
        self.state.cancel()

    def is_cancelled(self) -> bool:
        return self.state.cancelled

    @Slot()
    def run(self) -> None:
        try:
            self.work()
        except Cancelled:
            pass
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI as a sentence
            self.failed.emit(analyst_message(error, self.doing))
        finally:
            self.done.emit()

    doing = "The task"

    def work(self) -> None:
        """The job itself, run on the worker's thread; each subclass defines it."""


@dataclass(frozen=True)
class DatasetSummary:
    """What the dataset panel shows, computed on the worker thread (touches torch tensors)."""

    config: DataConfig
    count: int
    resolution: int
    class_counts: dict[str, int]
    skipped: list[Any]
    preview: np.ndarray
    report: dict = field(default_factory=dict)  # the validation report (studio.core.data.validation)
    previews: dict[str, np.ndarray] = field(default_factory=dict)  # thumbnails per class


class DatasetWorker(Job):
    """Loads (decodes, resizes) a dataset; emits ``loaded(dataset, DatasetSummary)``."""

    progress = Signal(int, int)
    loaded = Signal(object, object)
    doing = "Loading the dataset"
    PREVIEW_COUNT = 64

    def __init__(self, config: DataConfig) -> None:
        super().__init__()
        self.config = config

    def work(self) -> None:
        from studio.core.data import load_dataset
        from studio.core.training.trainer import warm_up

        dataset = load_dataset(self.config, self.state.subtask(self.progress.emit))
        warm_up()
        if self.is_cancelled():
            return
        summary = DatasetSummary(
            config=self.config,
            count=len(dataset),
            resolution=dataset.resolution,
            class_counts=dataset.class_counts(),
            skipped=list(dataset.skipped),
            preview=dataset.preview(min(self.PREVIEW_COUNT, len(dataset))),
            report=dataset.report,
            previews=dataset.class_previews(self.PREVIEW_COUNT),
        )
        self.loaded.emit(dataset, summary)


def gui_share_of_threads(threads: int) -> int:
    """Intra-op threads for training while the window is open: one core fewer than torch would use.

    With every core in torch's thread team, the GUI thread could only run by taking a core from a
    team thread that the others then waited for: the window stalled and training slowed with it.
    """
    return max(1, threads - 1)


class TrainWorker(Job):
    """Runs a core Trainer (a new run, or a reopened one to resume) and re-emits its events.

    ``pause``, ``resume``, ``stop``, ``request_preview`` and ``request_checkpoint`` call the
    trainer's thread-safe methods directly. Requests made before the trainer exists (it is built
    on the worker thread) are remembered and applied as soon as it does.
    """

    started = Signal(object)
    step_logged = Signal(object)
    samples_ready = Signal(object)
    checkpoint_saved = Signal(object)
    quality_measured = Signal(object)
    recovered = Signal(object)
    finished = Signal(object)
    doing = "Training"

    def __init__(self, config: RunConfig, dataset: Any, resume_path: Path | None = None) -> None:
        super().__init__()
        self.config = config
        self.dataset = dataset
        self.resume_path = resume_path
        self._lock = threading.Lock()
        self._trainer: Any = None
        self._pending: list[Callable[[Any], None]] = []
        self._signals = {
            Started: self.started,
            StepLogged: self.step_logged,
            SamplesReady: self.samples_ready,
            CheckpointSaved: self.checkpoint_saved,
            QualityMeasured: self.quality_measured,
            Recovered: self.recovered,
            Finished: self.finished,
        }

    def work(self) -> None:
        from studio.core.paths import runs_dir
        from studio.core.run_lock import refuse_if_training
        from studio.core.runs import Run
        from studio.core.training.trainer import Trainer

        if self.resume_path is not None:
            run = Run.open(self.resume_path)
            refuse_if_training(run.path)
            if self.config.train.steps > run.config.train.steps:
                run.config.train.steps = self.config.train.steps
                run.save_config(run.config)
        else:
            run = Run.create(runs_dir(), self.config, self.dataset.summary())
        trainer = Trainer(run, self.dataset, on_event=self._on_event)
        with self._lock:
            self._trainer = trainer
            pending, self._pending = self._pending, []
        for call in pending:
            call(trainer)
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(gui_share_of_threads(threads))
        try:
            trainer.run()
        finally:
            torch.set_num_threads(threads)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, Failed):
            self.failed.emit(event.message)
            return
        self._signals[type(event)].emit(event)

    def _call(self, action: Callable[[Any], None]) -> None:
        with self._lock:
            if self._trainer is None:
                self._pending.append(action)
                return
            trainer = self._trainer
        action(trainer)

    def pause(self) -> None:
        self._call(lambda trainer: trainer.pause())

    def resume(self) -> None:
        self._call(lambda trainer: trainer.resume())

    def stop(self) -> None:
        """Stop soon and save a checkpoint; ``finished`` follows."""
        self._call(lambda trainer: trainer.stop())

    cancel = stop

    def request_preview(self, seed: int) -> None:
        self._call(lambda trainer: trainer.request_preview(seed))

    def request_checkpoint(self) -> None:
        self._call(lambda trainer: trainer.request_checkpoint())


@dataclass(frozen=True)
class RenderRequest:
    run_path: Path
    seed: int
    count: int


@dataclass(frozen=True)
class RenderResult:
    request: RenderRequest
    images: np.ndarray
    step: int


@dataclass(frozen=True)
class ViewRequest:
    """One explorer frame: ``count`` images of ``spec`` (seeds ``seed`` onwards) on one checkpoint, or,
    with ``towards``, the single image ``t`` of the way from ``spec`` to ``towards``."""

    run_path: Path
    checkpoint: Path
    spec: Any  # studio.core.explore.latent_spec.LatentSpec
    count: int = 1
    directions: np.ndarray | None = None
    towards: Any = None
    t: float = 0.0
    issued_at: float = 0.0  # time.perf_counter() when asked, for the frame-time readout


@dataclass(frozen=True)
class ViewResult:
    request: ViewRequest
    images: np.ndarray
    spec: Any  # the spec of the first image, resolved (a point between A and B carries its latent)
    render_ms: float


class RenderWorker(QObject):
    """Renders samples (the Samples tab) and explorer views, off the GUI thread.

    Long-lived, on its own thread. ``request`` and ``request_view`` only record the newest request
    of their kind and wake the thread; a request replaced before the thread got to it is simply
    never rendered, so dragging a slider never queues up stale frames. Loaded generators are kept
    per checkpoint (the Samples tab's latest and the explorer's chosen one).
    """

    rendered = Signal(object)
    view_rendered = Signal(object)
    failed = Signal(str)
    view_failed = Signal(str)
    _wake = Signal()
    SAMPLERS_KEPT = 2

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._samplers: dict[tuple[Path, Path], Any] = {}
        self._wake.connect(self._render_pending)

    def request(self, run_path: Path, seed: int, count: int) -> None:
        with self._lock:
            self._pending["samples"] = RenderRequest(Path(run_path), int(seed), int(count))
        self._wake.emit()

    def request_view(self, request: ViewRequest) -> None:
        with self._lock:
            self._pending["view"] = request
        self._wake.emit()

    @Slot()
    def _render_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if "samples" in pending:
            try:
                images, step = self._render(pending["samples"])
            except BaseException as error:  # noqa: BLE001 - reported as a sentence
                self.failed.emit(analyst_message(error, "Drawing samples"))
            else:
                self.rendered.emit(RenderResult(pending["samples"], images, step))
        if "view" in pending:
            try:
                result = self._render_view(pending["view"])
            except BaseException as error:  # noqa: BLE001 - reported as a sentence
                self.view_failed.emit(analyst_message(error, "Drawing the explorer view"))
            else:
                self.view_rendered.emit(result)

    def _sampler(self, run: Any, checkpoint: Path) -> Any:
        from studio.core.sampling import Sampler

        key = (run.path, checkpoint)
        if key not in self._samplers:
            while len(self._samplers) >= self.SAMPLERS_KEPT:
                self._samplers.pop(next(iter(self._samplers)))
            self._samplers[key] = Sampler.from_run(run, checkpoint)
        return self._samplers[key]

    def _render(self, request: RenderRequest) -> tuple[np.ndarray, int]:
        from studio.core.runs import Run

        run = Run.open(request.run_path)
        checkpoint = run.latest_checkpoint()
        if checkpoint is None:
            raise StudioError("This run has no saved checkpoint yet, so there is nothing to sample from.")
        sampler = self._sampler(run, checkpoint)
        return sampler.generate(request.seed, request.count), sampler.step

    def _render_view(self, request: ViewRequest) -> ViewResult:
        from studio.core.explore.render import between, render_spec
        from studio.core.runs import Run

        started = time.perf_counter()
        key = (request.run_path, request.checkpoint)
        sampler = self._samplers.get(key) or self._sampler(Run.open(request.run_path), request.checkpoint)
        spec = request.spec
        if request.towards is not None:
            spec = between(spec, request.towards, request.t, sampler.latent_dim, request.directions)
        images = render_spec(sampler, spec, request.count, request.directions)
        return ViewResult(request, images, spec, (time.perf_counter() - started) * 1000)


class RenderService(QObject):
    """Owns the RenderWorker's thread for the lifetime of the window."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("RenderWorker")
        self.worker = RenderWorker()
        self.worker.moveToThread(self.thread)
        self.thread.start()

    def shutdown(self) -> None:
        self.thread.quit()
        self.thread.wait()


class ExportWorker(Job):
    """Writes ``count`` generated images (PNG files and a manifest) from a run's latest checkpoint.

    An empty chosen folder receives the images directly; otherwise they go into a new sub-folder
    named after the run and step, so an export never mixes with files already there.
    """

    progress = Signal(int, int)
    exported = Signal(object)
    doing = "Exporting images"

    def __init__(self, run_path: Path, folder: Path, count: int, seed: int, truncation: float = 1.0,
                 class_index: int | None = None, checkpoint: Path | None = None) -> None:
        super().__init__()
        self.run_path = Path(run_path)
        self.folder = Path(folder)
        self.count = count
        self.seed = seed
        self.truncation = truncation
        self.class_index = class_index
        self.checkpoint = checkpoint

    def work(self) -> None:
        from studio.core.explore.export import export_images
        from studio.core.runs import Run
        from studio.core.sampling import Sampler

        sampler = Sampler.from_run(Run.open(self.run_path), self.checkpoint)
        out_dir = export_folder(self.folder, f"{self.run_path.name}-step-{sampler.step:06d}")
        paths = export_images(sampler, out_dir, self.count, self.seed, self.state.subtask(self.progress.emit),
                              truncation=self.truncation, class_index=self.class_index)
        self.exported.emit(list(paths))


def export_folder(chosen: Path, name: str) -> Path:
    """``chosen`` itself if it is empty, else a new ``name``, ``name-2``… folder inside it."""
    if not occupied(chosen):
        return chosen
    candidate, suffix = chosen / name, 1
    while candidate.exists():
        suffix += 1
        candidate = chosen / f"{name}-{suffix}"
    return candidate


@dataclass(frozen=True)
class RunSnapshot:
    """A reopened run, as plain data: config, logged metrics, last sample grid, progress."""

    path: Path
    config: RunConfig
    metrics: list[dict] = field(default_factory=list)
    samples: np.ndarray | None = None
    last_step: int = 0
    has_checkpoint: bool = False
    foreign_source: str = ""  # a dataset outside the run, not recorded by this studio: ask before loading it


class OpenRunWorker(Job):
    """Reads a run folder (metrics log, latest sample grid) off the GUI thread.

    ``data`` is the dataset the analyst chose or approved for the run; it is sealed into the run.
    Without it, a run whose dataset is from elsewhere comes back with ``foreign_source`` set.
    """

    opened = Signal(object)
    doing = "Opening the run"

    def __init__(self, path: Path, data: str | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.data = data

    def work(self) -> None:
        from dataclasses import replace

        from studio.core.data_source import DataSourceNotApproved
        from studio.core.imaging import load_png
        from studio.core.runs import Run

        run = Run.open(self.path)
        if self.data is not None:
            run.use_data_source(self.data, remember=True)
        try:
            config, foreign = replace(run.config, data=run.data_config()), ""
        except DataSourceNotApproved as refusal:
            config, foreign = run.config, refusal.source
        samples_path = run.latest_samples()
        self.opened.emit(RunSnapshot(
            path=Path(run.path),
            config=config,
            metrics=run.read_metrics(),
            samples=None if samples_path is None else load_png(samples_path),
            last_step=run.last_step(),
            has_checkpoint=run.latest_checkpoint() is not None,
            foreign_source=foreign,
        ))


class DeviceProbe(Job):
    """Names the compute device 'auto' resolves to, for the toolbar, without blocking start-up."""

    described = Signal(str)
    doing = "Detecting the compute device"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def work(self) -> None:
        from studio.core.training.devices import describe_device, resolve_device

        self.described.emit(describe_device(resolve_device(self.name)))
