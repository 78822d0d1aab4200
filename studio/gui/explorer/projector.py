"""Runs the projection of an analyst's image (or of a folder of them) for the explorer: one at a time,
off the GUI thread, with progress, Cancel and the live reconstruction; then hands the projection to
the panel.

The jobs are ``studio.core.explore.jobs.project_image`` and ``project_folder`` on the one task runner;
images reach the "Your image" box through a ``ProjectionFeed`` (never a widget touched from the job's
thread).
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
    the panel; ``saved(Path)`` follows Save latent, ``folder_written(Path)`` a projected folder."""

    projected = Signal(object)
    message = Signal(str)
    saved = Signal(object)
    folder_written = Signal(object)

    def __init__(self, threads: ThreadHost, box: ProjectionBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads, self.box = threads, box
        self.model: ExplorerModel | None = None
        self.projection: Any = None  # studio.core.explore.projection.Projection, the latest
        self._task: Task | None = None
        box.project_requested.connect(self.project)
        box.cancel_requested.connect(self.cancel)
        box.save_requested.connect(self.save)
        box.folder_requested.connect(self.project_folder)

    def set_model(self, model: ExplorerModel | None) -> None:
        """Project into ``model``'s checkpoint from now on (a running projection of another one stops)."""
        if self.model is not None and (model is None or model.checkpoint != self.model.checkpoint):
            self.cancel()
        self.model = model
        self.box.set_classes([] if model is None else [model.class_name(i) for i in range(model.num_classes)])

    def running(self) -> bool:
        return self._task is not None

    def _can_start(self) -> bool:
        if self.model is None:
            self.message.emit(NO_MODEL)
        elif self._task is not None:
            self.message.emit(BUSY)
        return self.model is not None and self._task is None

    def project(self, path: Path) -> None:
        if not self._can_start():
            return
        feed = ProjectionFeed(self)
        feed.source_ready.connect(self.box.show_source)
        feed.frame_ready.connect(self.box.show_frame)
        self.projection = None
        self.box.start(Path(path).name)
        self.message.emit("")
        task = self.threads.run(jobs.project_image, self.model, Path(path), self.box.class_index(), feed.send_source,
                                feed.send_frame, doing="Projecting the image", on_result=self._on_projected,
                                on_error=self._on_failed, on_progress=self.box.show_progress)
        task.done.connect(lambda: self._on_done(task, feed))
        self._task = task

    def project_folder(self, folder: Path, out: Path) -> None:
        """Project every image in ``folder`` and write the results into the new (or empty) folder ``out``."""
        if not self._can_start():
            return
        self.box.start(f"the images in {Path(folder).name}")
        self.message.emit("")
        task = self.threads.run(jobs.project_folder, self.model, Path(folder), Path(out), self.box.class_index(),
                                doing="Projecting the folder", on_result=lambda found: self._on_folder_done(found, out),
                                on_error=self._on_failed, on_progress=self.box.show_progress)
        task.done.connect(lambda: self._on_done(task, None))
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

    def _on_folder_done(self, found: tuple, out: Path) -> None:
        projections, skipped = found
        poor = sum(1 for projection in projections if projection.warning)
        note = f"; {poor} of them with a warning (see projections.csv)" if poor else ""
        self.box.stop(f"Projected {len(projections)} images{note}.")
        left_out = (f"; skipped {len(skipped)}: " + ", ".join(f"{item.path.name} ({item.reason.rstrip('.')})"
                                                             for item in skipped[:3])
                    + (", …" if len(skipped) > 3 else "")) if skipped else ""
        self.message.emit(f"Wrote {len(projections)} reconstructions and latents to {out}{left_out}")
        self.folder_written.emit(Path(out))

    def _on_done(self, task: Task, feed: ProjectionFeed | None) -> None:
        if feed is not None:
            feed.close()
            feed.deleteLater()
        if self._task is task:
            self._task = None
        self.box.stop("Projection cancelled; the view is unchanged." if task.is_cancelled() else "")

    def _on_saved(self, path: Path) -> None:
        self.message.emit(f"Wrote the latent: {path}")
        self.saved.emit(path)
