"""The Explorer tab: steer a checkpoint with seed, ψ, class, direction sliders and A→B interpolation;
pin favourites; export views, grids, batches, pinned samples and walks; project an image of the
analyst's own (the "Your image" strip, or an image file dropped on the tab) and explore from it.

Every change of the spec controls asks the shared RenderWorker for a frame (the latest request
wins); opening, finding directions, saving pins and exporting run as tasks on the ThreadHost.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget
from superqt import QElidingLabel

from studio.core.explore import jobs
from studio.core.explore.favourites import Favourite, Source
from studio.core.explore.jobs import ExplorerModel
from studio.core.explore.latent_spec import LatentSpec
from studio.core.imaging import make_grid
from studio.gui.explorer.export_box import ExportBox
from studio.gui.explorer.favourites_tray import FavouritesTray
from studio.gui.explorer.image_drop import ImageDropFilter
from studio.gui.explorer.projection_box import ProjectionBox
from studio.gui.explorer.projector import ImageProjector
from studio.gui.explorer.spec_controls import SpecControls, ViewSettings, button
from studio.gui.naming import named
from studio.gui.tasks import JobSlots, ThreadHost
from studio.gui.widgets.image_view import ImageView
from studio.gui.render_worker import RenderWorker, ViewRequest, ViewResult

PADDING = 2
NO_RUN = "Train, or open a run with a checkpoint, to explore it."


class ExplorerPanel(QWidget):
    """Explores one checkpoint (the run's latest when opened). ``frame_shown`` follows new pixels."""

    frame_shown = Signal()
    opened = Signal()
    directions_ready = Signal()
    export_finished = Signal(object)

    def __init__(self, threads: ThreadHost, renderer: RenderWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explorerPanel")
        self.threads, self.renderer = threads, renderer
        self.model: ExplorerModel | None = None
        self.frame_ms: list[float] = []
        self.result: ViewResult | None = None
        self._run_path: Path | None = None
        self._selected = 0
        self._painted_for: ViewResult | None = None
        self._jobs = JobSlots(threads, self)
        self._build()
        renderer.view_rendered.connect(self._on_rendered)
        renderer.view_failed.connect(self.show_message)
        self._set_enabled(False, NO_RUN)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.caption = named(QElidingLabel(NO_RUN), "explorerCaption", "What the explorer shows")
        self.frame_time = named(QLabel("frame — ms"), "explorerFrameTime", "Frame time",
                                "Time from the last change to new pixels on screen, and the generator's share of it.")
        self.view = named(ImageView("Open a run to explore its checkpoint."), "explorerView", "Explorer view")
        self.reload = button("Latest checkpoint", "explorerReload", "Explore the latest checkpoint",
                             "Switch to the run's newest checkpoint.")
        self.message = named(QElidingLabel(""), "explorerMessage", "Explorer message")
        self.controls = SpecControls()
        self.tray = FavouritesTray()
        self.exports = ExportBox()
        self.your_image = ProjectionBox()
        self.projector = ImageProjector(self.threads, self.your_image, self)
        ImageDropFilter(self, self.projector.project)

        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.addWidget(self.controls)
        column_layout.addWidget(self.exports)
        column_layout.addStretch(1)
        scroll = named(QScrollArea(), "explorerControls", "Explorer controls")
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(360)
        scroll.setMaximumWidth(440)

        header = QHBoxLayout()
        header.addWidget(self.frame_time, 1)
        header.addWidget(self.reload)
        left = QVBoxLayout()
        left.addLayout(header)
        left.addWidget(self.caption)
        left.addWidget(self.view, 1)
        left.addWidget(self.your_image)
        left.addWidget(self.tray)
        left.addWidget(self.message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(left, 1)
        layout.addWidget(scroll)

        self.view.clicked.connect(self._on_view_clicked)
        self.view.painted.connect(self._on_painted)
        self.reload.clicked.connect(self._open)
        self.controls.view_changed.connect(self.request_frame)
        self.controls.find_directions_requested.connect(self.start_finding_directions)
        self.tray.pin_requested.connect(self.pin_selected)
        self.tray.changed.connect(self._save_favourites)
        self.tray.chosen.connect(self._show_favourite)
        self.exports.view_requested.connect(self.save_view_png)
        self.exports.grid_requested.connect(self.save_labelled_grid)
        self.exports.pinned_requested.connect(self.export_pinned)
        self.exports.batch_requested.connect(self.export_batch)
        self.exports.walk_requested.connect(self.export_walk)
        self.exports.cancel_requested.connect(self._cancel_export)
        self.projector.projected.connect(self._show_projection)
        self.projector.message.connect(self.show_message)

    # --------------------------------------------------------------- opening
    def set_run(self, run_path: Path | None) -> None:
        """Explore ``run_path``'s latest checkpoint (None: nothing to explore); opens when the tab is shown."""
        if run_path == self._run_path:
            return
        self._run_path = run_path
        self.model = None
        self.projector.set_model(None)
        if run_path is None:
            self._set_enabled(False, NO_RUN)
        elif self.isVisible():
            self._open()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._run_path is not None and self.model is None and not self._jobs.busy("open"):
            self._open()

    def _open(self) -> None:
        if self._run_path is None:
            return
        self.caption.setText(f"Opening {self._run_path.name}…")
        self._jobs.start("open", jobs.open_model, self._run_path, doing="Opening the checkpoint", on_result=self._on_opened,
                         on_error=self.show_message)

    def _on_opened(self, model: ExplorerModel) -> None:
        if model.run_path != self._run_path:
            return
        self.model = model
        self.projector.set_model(model)
        self.exports.set_direction_count(0 if model.directions is None else len(model.directions.vectors))
        self.tray.set_favourites([f for f in model.favourites if f.fingerprint == model.fingerprint])
        self._set_enabled(True)
        self.opened.emit()
        self.request_frame()

    def _set_enabled(self, enabled: bool, reason: str = "") -> None:
        for widget in self.findChildren(QWidget):
            if widget.accessibleName() and widget not in (self.message, self.caption, self.frame_time):
                widget.setEnabled(enabled)
                if not enabled:
                    widget.setToolTip(reason)
                elif widget.accessibleDescription():
                    widget.setToolTip(widget.accessibleDescription())
        if not enabled:
            self.caption.setText(reason)
            return
        self.controls.set_model(self.model)

    # ------------------------------------------------------------ directions
    def start_finding_directions(self) -> None:
        if self.model is None or self._jobs.busy("directions"):
            return
        self.controls.show_directions_progress(0, 0)
        self.controls.find_directions.setEnabled(False)
        self._jobs.start("directions", jobs.find_directions, self.model, doing="Finding directions",
                         on_result=self._on_directions, on_error=self.show_message,
                         on_progress=self.controls.show_directions_progress, on_done=self._on_directions_done)

    def _on_directions(self, directions) -> None:
        if self.model is None or directions.fingerprint != self.model.fingerprint:
            return
        self.model = replace(self.model, directions=directions)
        self.controls.show_directions(directions)
        self.exports.set_direction_count(len(directions.vectors))
        self.directions_ready.emit()

    def _vectors(self) -> np.ndarray | None:
        return None if self.model is None or self.model.directions is None else self.model.directions.vectors

    # ------------------------------------------------------------- rendering
    def request_frame(self, settings: ViewSettings | None = None) -> None:
        """Ask the render worker for the view the controls describe; a newer request replaces this one."""
        if self.model is None:
            return
        settings = settings or self.controls.settings()
        self.renderer.request_view(ViewRequest(
            run_path=self.model.run_path, checkpoint=self.model.checkpoint, spec=settings.spec, count=settings.count,
            directions=self._vectors(), towards=settings.towards, t=settings.t, issued_at=time.perf_counter()))

    def shows_controls(self) -> bool:
        """True when the pixels on screen are the ones the controls describe now (none still in flight)."""
        result = self.result
        if result is None or self._painted_for is not None or self.model is None:
            return False
        settings, request = self.controls.settings(), result.request
        return (request.checkpoint == self.model.checkpoint and request.spec == settings.spec
                and request.count == settings.count and request.towards == settings.towards
                and (settings.towards is None or request.t == settings.t))

    def _on_rendered(self, result: ViewResult) -> None:
        if self.model is None or result.request.checkpoint != self.model.checkpoint:
            return
        self.result = result
        self._selected = min(self._selected, len(result.images) - 1)
        side = math.ceil(math.sqrt(len(result.images)))
        self.view.set_image(make_grid(result.images, nrow=side, padding=PADDING) if len(result.images) > 1
                            else result.images[0])
        self._painted_for = result
        self._update_caption()

    def _on_painted(self) -> None:
        result, self._painted_for = self._painted_for, None
        if result is None:
            return
        elapsed = (time.perf_counter() - result.request.issued_at) * 1000
        self.frame_ms.append(elapsed)
        self.frame_time.setText(f"frame {elapsed:.0f} ms · G {result.render_ms:.0f} ms")
        self.frame_shown.emit()

    def _update_caption(self) -> None:
        result = self.result
        if result is None or self.model is None:
            return
        request = result.request
        name_of = self.controls.name_of
        if request.towards is not None:
            what = f"A ({name_of(request.spec)}) → B ({name_of(request.towards)}) at {request.t:.2f}"
        else:
            what = f"seeds {result.spec.seed}–{result.spec.seed + len(result.images) - 1}" if len(result.images) > 1 \
                else name_of(result.spec)
        grid = len(result.images) > 1
        self.controls.selected_seed = self._selected_seed()
        selected = f" · selected seed {self._selected_seed()}" if grid else ""
        self.view.set_highlight(self._cell_rect(self._selected) if grid else None)
        self.caption.setText(f"{self.model.run_path.name} · step {self.model.step:,} · {what} · ψ {result.spec.psi:g}"
                             f"{selected}")

    def _cell_rect(self, index: int) -> QRect:
        """Where sample ``index`` sits in the grid image, in its pixels."""
        _, height, width, _ = self.result.images.shape
        row, column = divmod(index, math.ceil(math.sqrt(len(self.result.images))))
        return QRect(PADDING + column * (width + PADDING), PADDING + row * (height + PADDING), width, height)

    def _on_view_clicked(self, x: int, y: int) -> None:
        if self.result is None or len(self.result.images) == 1:
            return
        _, height, width, _ = self.result.images.shape
        side = math.ceil(math.sqrt(len(self.result.images)))
        column, row = (x - PADDING) // (width + PADDING), (y - PADDING) // (height + PADDING)
        index = row * side + column
        if 0 <= column < side and 0 <= index < len(self.result.images):
            self._selected = index
            self._update_caption()

    def _selected_seed(self) -> int:
        result = self.result
        if result is None:
            return self.controls.seed.value()
        return result.spec.seed + (self._selected if result.request.towards is None else 0)

    def _selected_spec(self) -> LatentSpec | None:
        result = self.result
        if result is None:
            return None
        if result.spec.latent is not None:
            return result.spec
        return replace(result.spec, seed=result.spec.seed + self._selected)

    # ------------------------------------------------------------- favourites
    def pin_selected(self) -> None:
        spec = self._selected_spec()
        if spec is None or self.model is None:
            return
        request = self.result.request
        name_of = self.controls.name_of
        label = name_of(spec) if request.towards is None else f"{name_of(request.spec)} → {name_of(request.towards)}"
        index = 0 if len(self.result.images) == 1 else self._selected
        sources = self.controls.sources_of(spec) if request.towards is None else \
            self.controls.sources_of(request.spec, request.towards)
        self.tray.add(Favourite(self.model.fingerprint, spec, label, sources), self.result.images[index])

    def _show_favourite(self, favourite: Favourite) -> None:
        self.controls.show_spec(favourite.spec, favourite.label, favourite.sources)

    def _show_projection(self, projection) -> None:
        """The projected image becomes the current sample: its latent and class, ψ 1, no offsets."""
        name = Path(projection.source).name
        self.controls.show_spec(projection.spec, f"image {name}", (Source(name, projection.source_sha256),))

    def _save_favourites(self) -> None:
        if self.model is not None:
            self.threads.run(jobs.save_pinned, self.model.run_path, self.model.fingerprint, list(self.tray.favourites),
                             doing="Saving the pinned samples", on_error=self.show_message)

    # ---------------------------------------------------------------- export
    def save_view_png(self, path: Path) -> None:
        image = self.view.image_array()
        if image is not None:
            self._export(jobs.export_labelled_grid, image[None], [""], path.with_suffix(".png"), 1,
                         doing="Saving the view")

    def save_labelled_grid(self, path: Path) -> None:
        result = self.result
        if result is None:
            return
        name = "" if result.spec.class_index is None else f" {self.model.class_name(result.spec.class_index)}"
        seeds = [result.spec.seed + i for i in range(len(result.images))]
        what = [seed if result.spec.latent is None else self.controls.name_of(result.spec) for seed in seeds]
        labels = [f"{shown} ψ{result.spec.psi:g}{name}" for shown in what]
        self._export(jobs.export_labelled_grid, result.images, labels, path.with_suffix(".png"),
                     math.ceil(math.sqrt(len(result.images))), doing="Saving the grid")

    def export_pinned(self, folder: Path) -> None:
        self._export(jobs.export_pinned, self.model, list(self.tray.favourites), folder, self._vectors(),
                     doing="Exporting the pinned samples")

    def export_batch(self, folder: Path, count: int) -> None:
        spec = self.controls.current_spec()
        self._export(jobs.export_batch, self.model.run_path, folder, count, spec.seed, spec.psi, spec.class_index,
                     self.model.checkpoint, doing="Exporting images")

    def export_walk(self, out: Path, direction_index: int | None, frames: int) -> None:
        controls = self.controls
        along = direction_index is not None
        start = controls.current_spec() if along else controls.end_spec("a")
        end = None if along else controls.end_spec("b")
        direction = self._vectors()[direction_index] if along else None
        self._export(jobs.export_walk, self.model, out, start, end, direction, frames, self._vectors(),
                     start.class_index, doing="Exporting the walk")

    def _export(self, function, *args, doing: str) -> None:
        if self.model is None:
            return
        if self._jobs.busy("export"):
            self.show_message("An export is already running; wait for it or cancel it.")
            return
        self.exports.set_busy(True)
        self.show_message("")
        self._jobs.start("export", function, *args, doing=doing, on_result=self._on_exported, on_error=self.show_message,
                         on_progress=self.exports.show_progress, on_done=lambda cancelled: self.exports.set_busy(False))

    def _on_exported(self, paths: list[Path]) -> None:
        where = paths[0] if len(paths) == 1 else paths[0].parent
        self.show_message(f"Wrote {len(paths):,} file{'s' if len(paths) != 1 else ''}: {where}")
        self.export_finished.emit(paths)

    def _cancel_export(self) -> None:
        if self._jobs.busy("export"):
            self._jobs.cancel("export")
            self.show_message("Export cancelled; nothing was kept.")

    # ---------------------------------------------------------------- shared
    def _on_directions_done(self, cancelled: bool) -> None:
        self.controls.directions_progress.hide()
        self.controls.find_directions.setEnabled(self.model is not None and self.model.directions is None)

    def show_message(self, sentence: str) -> None:
        self.message.setText(sentence)
