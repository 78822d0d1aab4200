"""The background work of the Translate tab: the training worker (the generation training worker's
controls and signals around a translation trainer) and the preview worker, where the latest request wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from studio.gui.mailbox import MailboxWorker
from studio.gui.tasks import analyst_message
from studio.gui.training.worker import TrainWorker


class TranslationTrainWorker(TrainWorker):
    """Trains a new translation run (``config`` on the loaded ``pair``) under ``root``; ``step_logged``
    carries TranslationLogged, ``samples_ready`` PreviewReady."""

    doing = "Training the translator"

    def __init__(self, config: Any, pair: Any, root: Path) -> None:
        super().__init__(config, pair)
        self.root = Path(root)

    def event_slots(self) -> dict[type, Callable[[Any], None]]:
        from studio.core.translation.events import PreviewReady, TranslationLogged

        return {**super().event_slots(), TranslationLogged: self.step_logged.emit, PreviewReady: self.samples_ready.emit}

    def make_job(self, on_event: Callable[[Any], None]) -> Any:
        from studio.core.translation.data import new_translation_run
        from studio.core.translation.trainer import TranslationTrainer

        return TranslationTrainer(new_translation_run(self.root, self.config, self.dataset), self.dataset, on_event=on_event)


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


class TranslatePreviewWorker(MailboxWorker):
    """Translates the images the tab shows, off the GUI thread; hosted by a ``ThreadHost`` for the
    lifetime of the tab (``done`` follows ``cancel``). Requests go through a ``Mailbox``, so a strength
    slider dragged fast never queues stale frames. The translator is loaded once per checkpoint."""

    rendered = Signal(object)
    failed = Signal(str)
    doing = "Translating previews"

    def __init__(self) -> None:
        super().__init__()
        self._translator: tuple[Path, Any] | None = None

    def request(self, request: TranslateRequest) -> None:
        self.post("translate", request)

    def handle(self, pending: dict) -> None:
        request = pending["translate"]
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
