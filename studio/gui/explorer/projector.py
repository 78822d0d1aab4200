"""Runs the projection of an analyst's image for the explorer: one at a time, off the GUI thread,
with progress, Cancel and the live reconstruction; then hands the projection to the panel.

The job is ``studio.core.explore.jobs.project_image`` on the one task runner; its images reach the
"Your image" box through a ``ProjectionFeed`` (never a widget touched from the job's thread).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.core.explore import jobs
from studio.core.explore.jobs import ExplorerModel
from studio.gui.explorer.projection_box import IDLE, ProjectionBox
from studio.gui.explorer.projection_feed import ProjectionFeed
from studio.gui.tasks import Task, ThreadHost

NO_MODEL = "Open a run with a checkpoint before projecting an image into it."
BUSY = "A projection is already running; wait for it or cancel it."


class ImageProjector(QObject):
    """``projected(Projection)`` when a projection finishes; ``message(str)`` carries one sentence for
    the panel; ``saved(Path)`` follows Save latent."""

    projected = Signal(object)
    message = Signal(str)
    saved = Signal(object)

    def __init__(self, threads: ThreadHost, box: ProjectionBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads, self.box = threads, box
        self.model: ExplorerModel | None = None
        self.projection: Any = None  # studio.core.explore.projection.Projection, the latest
        self._task: Task | None = None
        box.project_requested.connect(self.project)
        box.cancel_requested.connect(self.cancel)
        box.save_requested.connect(self.save)

    def set_model(self, model: ExplorerModel | None) -> None:
        """Project into ``model``'s checkpoint from now on (a running projection of another one stops)."""
        if self.model is not None and (model is None or model.checkpoint != self.model.checkpoint):
            self.cancel()
        self.model = model

    def running(self) -> bool:
        return self._task is not None

    def project(self, path: Path) -> None:
        if self.model is None:
            self.message.emit(NO_MODEL)
            return
        if self._task is not None:
            self.message.emit(BUSY)
            return
        feed = ProjectionFeed(self)
        feed.source_ready.connect(self.box.show_source)
        feed.frame_ready.connect(self.box.show_frame)
        self.projection = None
        self.box.start(Path(path).name)
        self.message.emit("")
        task = self.threads.run(jobs.project_image, self.model, Path(path), feed.send_source, feed.send_frame,
                                doing="Projecting the image", on_result=self._on_projected, on_error=self._on_failed,
                                on_progress=self.box.show_progress)
        task.done.connect(lambda: self._on_done(task, feed))
        self._task = task

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def save(self, path: Path) -> None:
        """Write the latest projection's latent file (JSON) to ``path``."""
        if self.projection is None:
            return
        from studio.core.explore.projection import save_projection  # torch is loaded once a projection exists

        self.threads.run(save_projection, self.projection, Path(path), doing="Saving the latent",
                         on_result=lambda _: self._on_saved(Path(path)), on_error=self.message.emit)

    def _on_projected(self, projection) -> None:
        if self.model is None or projection.checkpoint_sha256 != self.model.fingerprint:
            return
        self.projection = projection
        self.box.show_result(projection)
        self.projected.emit(projection)

    def _on_failed(self, sentence: str) -> None:
        self.box.stop(IDLE)
        self.message.emit(sentence)

    def _on_done(self, task: Task, feed: ProjectionFeed) -> None:
        feed.close()
        feed.deleteLater()
        if self._task is task:
            self._task = None
        self.box.stop("Projection cancelled; the view is unchanged." if task.is_cancelled() else "")

    def _on_saved(self, path: Path) -> None:
        self.message.emit(f"Wrote the latent: {path}")
        self.saved.emit(path)
