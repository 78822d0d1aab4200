"""Runs the projection of an analyst's image (or of a folder of them) for the explorer: one at a time,
off the GUI thread, with progress, Cancel and the live reconstruction; then hands the projection to
the panel.

The jobs are ``studio.core.explore.jobs.project_image`` and ``project_folder`` on the one task runner;
images reach the "Your image" box through a ``Mailbox`` where the newest frame wins (never a widget
touched from the job's thread), so a slow screen never falls behind the projection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from studio.core.explore import jobs
from studio.core.explore.jobs import ExplorerModel
from studio.gui.explorer.projection_box import IDLE, ProjectionBox
from studio.gui.mailbox import Mailbox
from studio.gui.tasks import JobSlots, ThreadHost

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
        self._jobs = JobSlots(threads, self)
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
        return self._jobs.busy()

    def _can_start(self) -> bool:
        if self.model is None:
            self.message.emit(NO_MODEL)
        elif self.running():
            self.message.emit(BUSY)
        return self.model is not None and not self.running()

    def project(self, path: Path) -> None:
        if not self._can_start():
            return
        feed = Mailbox(self)
        feed.arrived.connect(self._show_feed)
        self.projection = None
        self.box.start(Path(path).name)
        self.message.emit("")
        self._jobs.start("projection", jobs.project_image, self.model, Path(path), self.box.class_index(),
                         lambda image: feed.put("source", np.array(image, copy=True)),
                         lambda step, image: feed.put("frame", (int(step), np.array(image, copy=True))),
                         doing="Projecting the image", on_result=self._on_projected, on_error=self._on_failed,
                         on_progress=self.box.show_progress, on_done=lambda cancelled: self._on_done(cancelled, feed))

    def project_folder(self, folder: Path, out: Path) -> None:
        """Project every image in ``folder`` and write the results into the new (or empty) folder ``out``."""
        if not self._can_start():
            return
        self.box.start(f"the images in {Path(folder).name}")
        self.message.emit("")
        self._jobs.start("projection", jobs.project_folder, self.model, Path(folder), Path(out), self.box.class_index(),
                         doing="Projecting the folder", on_result=lambda found: self._on_folder_done(found, out),
                         on_error=self._on_failed, on_progress=self.box.show_progress, on_done=self._on_done)

    def cancel(self) -> None:
        self._jobs.cancel("projection")

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

    def _show_feed(self, waiting: dict) -> None:
        if "source" in waiting:
            self.box.show_source(waiting["source"])
        if "frame" in waiting:
            self.box.show_frame(*waiting["frame"])

    def _on_done(self, cancelled: bool, feed: Mailbox | None = None) -> None:
        if feed is not None:
            feed.close()
            feed.deleteLater()
        self.box.stop("Projection cancelled; the view is unchanged." if cancelled else "")

    def _on_saved(self, path: Path) -> None:
        self.message.emit(f"Wrote the latent: {path}")
        self.saved.emit(path)
