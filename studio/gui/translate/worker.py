"""The background work of the Translate tab: the training worker (the generation training worker's
controls and signals around a translation trainer) and the preview worker, where the latest request wins."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.gui.tasks import analyst_message
from studio.gui.training.worker import TrainWorker


class TranslationTrainWorker(TrainWorker):
    """Trains a new translation run (``config`` on the loaded ``pair``) under ``root``; ``step_logged``
    carries TranslationLogged, ``samples_ready`` PreviewReady."""

    doing = "Training the translator"

    def __init__(self, config: Any, pair: Any, root: Path) -> None:
        super().__init__(config, pair)
        self.root = Path(root)
        from studio.core.translation.events import PreviewReady, TranslationLogged

        self._signals.update({TranslationLogged: self.step_logged, PreviewReady: self.samples_ready})

    def _train(self) -> None:
        from studio.core.translation.data import new_translation_run
        from studio.core.translation.trainer import TranslationTrainer

        run = new_translation_run(self.root, self.config, self.dataset)
        self._train_with(TranslationTrainer(run, self.dataset, on_event=self._on_event))


@dataclass(frozen=True)
class TranslateRequest:
    """Translate ``images`` ((N, 3, R, R) uint8) with the run's newest checkpoint at ``strength``."""

    run_path: Path
    images: np.ndarray
    strength: float


@dataclass(frozen=True)
class TranslateResult:
    request: TranslateRequest
    translations: np.ndarray  # (N, R, R, 3) uint8
    step: int


class TranslatePreviewWorker(QObject):
    """Translates the images the tab shows, on its own thread; only the newest request is kept, so a
    strength slider dragged fast never queues stale frames. The translator is loaded once per checkpoint."""

    rendered = Signal(object)
    failed = Signal(str)
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: TranslateRequest | None = None
        self._translator: tuple[Path, Any] | None = None
        self._wake.connect(self._translate_pending)

    def request(self, request: TranslateRequest) -> None:
        with self._lock:
            self._pending = request
        self._wake.emit()

    @Slot()
    def _translate_pending(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
        if request is None:
            return
        try:
            translator = self._translator_for(request.run_path)
            result = TranslateResult(request, translator.translate(request.images, request.strength), translator.step)
        except BaseException as error:  # noqa: BLE001 - reported as a sentence
            self.failed.emit(analyst_message(error, "Translating the image"))
        else:
            self.rendered.emit(result)

    def _translator_for(self, run_path: Path) -> Any:
        from studio.core.translation.apply import Translator
        from studio.core.translation.run import TranslationRun

        run = TranslationRun.open(run_path)
        checkpoint = run.latest_checkpoint()
        if self._translator is None or self._translator[0] != checkpoint:
            self._translator = (checkpoint, Translator(run, checkpoint, device="cpu"))
        return self._translator[1]


class PreviewService(QObject):
    """Owns the preview worker's thread for the lifetime of the tab."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("TranslatePreviewWorker")
        self.worker = TranslatePreviewWorker()
        self.worker.moveToThread(self.thread)
        self.thread.start()

    def shutdown(self) -> None:
        self.thread.quit()
        self.thread.wait()
