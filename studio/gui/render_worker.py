"""The render worker: draws samples (the Samples tab) and explorer views off the GUI thread.

Long-lived, on a thread of the window's ThreadHost, it keeps loaded generators per checkpoint.
Requests go through a ``Mailbox``, so the latest request of each kind wins: a slider dragged fast
never queues up stale frames (the StyleGAN3 visualizer's rule).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from studio.core.errors import StudioError
from studio.gui.mailbox import MailboxWorker
from studio.gui.tasks import analyst_message


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


class RenderWorker(MailboxWorker):
    """Renders samples (the Samples tab) and explorer views, off the GUI thread; hosted by a ``ThreadHost``
    for the lifetime of the window (``done`` follows ``cancel``, at shutdown).

    ``request`` and ``request_view`` only post the newest request of their kind to the mailbox; a
    request replaced before the thread got to it is never rendered. Loaded generators are kept per
    checkpoint (the Samples tab's latest and the explorer's chosen one).
    """

    rendered = Signal(object)
    view_rendered = Signal(object)
    failed = Signal(str)
    view_failed = Signal(str)
    doing = "Rendering"
    SAMPLERS_KEPT = 2

    def __init__(self) -> None:
        super().__init__()
        self._samplers: dict[tuple[Path, Path], Any] = {}

    def request(self, run_path: Path, seed: int, count: int) -> None:
        self.post("samples", RenderRequest(Path(run_path), int(seed), int(count)))

    def request_view(self, request: ViewRequest) -> None:
        self.post("view", request)

    def handle(self, pending: dict) -> None:
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
