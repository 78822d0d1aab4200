"""The Explorer tab: steer a checkpoint with seed, ψ, class, direction sliders and A→B interpolation;
pin favourites; export views, grids, batches, pinned samples and walks.

Every change only builds a plain ``LatentSpec`` and asks the shared RenderWorker for a frame (the
latest request wins); opening, finding directions and exporting are jobs on the ThreadHost.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton, QScrollArea, QSpinBox,
                               QStackedWidget, QVBoxLayout, QWidget)
from superqt import QElidingLabel, QLabeledDoubleSlider

from studio.core.explore.favourites import Favourite
from studio.core.imaging import make_grid
from studio.core.explore.latent_spec import LatentSpec
from studio.gui.explorer.workers import (DirectionsWorker, ExplorerExportWorker, ExplorerModel, ExplorerOpenWorker,
                                         SaveFavouritesWorker)
from studio.gui.naming import named
from studio.gui.explorer.direction_sliders import RAW_SLIDERS, DirectionSliders, named_slider
from studio.gui.widgets.image_view import ImageView, to_qimage
from studio.gui.workers import ExportWorker, RenderService, ThreadHost, ViewRequest, ViewResult

GRID_SIDES = (1, 2, 3, 4)
PADDING = 2
PLAY_INTERVAL_MS = 40
PLAY_STEP = 0.02
UNCONDITIONAL = "This model is unconditional: train with Conditional 'on' on a dataset with classes to choose them."
NO_RUN = "Train, or open a run with a checkpoint, to explore it."


class ExplorerPanel(QWidget):
    """Explores one checkpoint (the run's latest when opened). ``frame_shown`` follows new pixels."""

    frame_shown = Signal()
    opened = Signal()
    directions_ready = Signal()
    export_finished = Signal(object)

    def __init__(self, threads: ThreadHost, renderer: RenderService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explorerPanel")
        self.threads, self.renderer = threads, renderer
        self.model: ExplorerModel | None = None
        self.favourites: list[Favourite] = []
        self.frame_ms: list[float] = []
        self._run_path: Path | None = None
        self._result: ViewResult | None = None
        self._selected = 0
        self._painted_for: ViewResult | None = None
        self._jobs: dict[str, object] = {}
        self._play = QTimer(self, interval=PLAY_INTERVAL_MS)
        self._play.timeout.connect(self._advance)
        self._play_direction = 1.0
        self._build()
        renderer.worker.view_rendered.connect(self._on_rendered)
        renderer.worker.view_failed.connect(self.show_message)
        self._set_enabled(False, NO_RUN)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.caption = named(QElidingLabel(NO_RUN), "explorerCaption", "What the explorer shows")
        self.frame_time = named(QLabel("frame — ms"), "explorerFrameTime", "Frame time",
                                "Time from the last change to new pixels on screen, and the generator's share of it.")
        self.view = named(ImageView("Open a run to explore its checkpoint."), "explorerView", "Explorer view")
        self.view.clicked.connect(self._on_view_clicked)
        self.view.painted.connect(self._on_painted)

        self.seed = named(QSpinBox(), "explorerSeed", "Seed", "The noise seed of the first sample shown.")
        self.seed.setRange(0, 2**31 - 1)
        self.previous_seed = self._button("◀", "explorerPreviousSeed", "Previous seed", "Show the previous seed.")
        self.next_seed = self._button("▶", "explorerNextSeed", "Next seed", "Show the next seed.")
        for arrow in (self.previous_seed, self.next_seed):
            arrow.setFixedWidth(32)
        self.random_seed = self._button("Random", "explorerRandomSeed", "Random seed", "Jump to a random seed.")
        self.psi = named_slider(QLabeledDoubleSlider(Qt.Orientation.Horizontal), "explorerTruncation", "Truncation ψ",
                                "Pull samples towards the latent mean (0) for typical images, or past 1 for variety.")
        self.psi.setRange(0.0, 2.0)
        self.psi.setValue(1.0)
        self.class_picker = named(QComboBox(), "explorerClass", "Class", "The class conditional models draw.")
        self.grid_side = named(QComboBox(), "explorerGridSize", "Grid size", "How many samples the view shows.")
        for side in GRID_SIDES:
            self.grid_side.addItem(f"{side}×{side}", side)
        self.grid_side.setCurrentIndex(GRID_SIDES.index(2))

        self.mode = named(QComboBox(), "explorerDirectionMode", "Slider mode",
                          "Principal directions found in the generator, or the latent vector's raw dimensions.")
        self.mode.addItems(["Principal directions", "Latent dimensions"])
        self.find_directions = self._button("Find directions", "explorerFindDirections", "Find directions",
                                            "PCA of an early generator layer over 4,096 samples (once per checkpoint, "
                                            "cached in the run).")
        self.directions_progress = named(QProgressBar(), "explorerDirectionsProgress", "Finding directions")
        self.directions_progress.hide()
        self.principal = DirectionSliders("explorerDirection")
        self.raw = DirectionSliders("explorerDimension")
        self.slider_stack = QStackedWidget()
        self.slider_stack.addWidget(self.principal)
        self.slider_stack.addWidget(self.raw)

        self.seed_a = named(QSpinBox(), "explorerSeedA", "Seed of sample A", "Interpolation start.")
        self.seed_b = named(QSpinBox(), "explorerSeedB", "Seed of sample B", "Interpolation end.")
        for box, value in ((self.seed_a, 0), (self.seed_b, 1)):
            box.setRange(0, 2**31 - 1)
            box.setValue(value)
        self.use_as_a = self._button("Selected → A", "explorerUseAsA", "Use the selected sample as A",
                                     "Click a sample in the grid, then use its seed as A.")
        self.use_as_b = self._button("Selected → B", "explorerUseAsB", "Use the selected sample as B",
                                     "Click a sample in the grid, then use its seed as B.")
        self.interpolate = named(QCheckBox("Show A → B"), "explorerInterpolate", "Show the interpolation",
                                 "Show one sample part of the way from A to B (spherical interpolation).")
        self.t = named_slider(QLabeledDoubleSlider(Qt.Orientation.Horizontal), "explorerInterpolation",
                              "A to B position", "0 shows A, 1 shows B.")
        self.t.setRange(0.0, 1.0)
        self.play = self._button("Play", "explorerPlay", "Play or pause", "Animate from A to B and back.")
        self.play.setCheckable(True)

        self.pin = self._button("Pin", "explorerPin", "Pin the selected sample",
                                "Keep the selected sample in the tray with everything needed to regenerate it.")
        self.tray = named(QListWidget(), "explorerTray", "Pinned samples",
                          "Double-click a pinned sample to show it again.")
        self.tray.setViewMode(QListWidget.ViewMode.IconMode)
        self.tray.setFlow(QListWidget.Flow.LeftToRight)
        self.tray.setWrapping(False)
        self.tray.setFixedHeight(92)
        self.tray.setIconSize(QSize(64, 64))
        self.unpin = self._button("Unpin", "explorerUnpin", "Unpin", "Remove the chosen sample from the tray.")

        self.save_view = self._button("View PNG…", "explorerSaveView", "Save the view as PNG",
                                      "Save exactly the pixels shown.")
        self.save_grid = self._button("Labelled grid…", "explorerSaveGrid", "Save a labelled grid",
                                      "The view's samples with seed, class and ψ printed under each.")
        self.export_pins = self._button("Pinned PNGs…", "explorerExportPinned", "Export pinned samples",
                                        "Each pinned sample as a PNG, with favourites.json to regenerate them.")
        self.batch_count = named(QSpinBox(), "explorerBatchCount", "Images in the batch",
                                 "How many images Export batch writes (per-class folders for conditional models).")
        self.batch_count.setRange(1, 1_000_000)
        self.batch_count.setValue(1000)
        self.export_batch = self._button("Export batch…", "explorerExportBatch", "Export a batch",
                                         "Images from this seed on, with this ψ and class, plus manifest.csv and "
                                         "manifest.json to reproduce them.")
        self.walk_kind = named(QComboBox(), "explorerWalkKind", "Walk", "What the animation walks along.")
        self.walk_frames = named(QSpinBox(), "explorerWalkFrames", "Frames in the walk", "How many frames.")
        self.walk_frames.setRange(2, 10_000)
        self.walk_frames.setValue(24)
        self.export_walk = self._button("Export walk…", "explorerExportWalk", "Export a walk",
                                        "An animated GIF or WebP (by file name), or numbered PNG frames in a folder.")
        self.export_progress = named(QProgressBar(), "explorerExportProgress", "Export progress")
        self.export_progress.hide()
        self.cancel_export = self._button("Cancel", "explorerCancelExport", "Cancel the export",
                                          "Stop; nothing half-written is kept.")
        self.cancel_export.hide()
        self.reload = self._button("Latest checkpoint", "explorerReload", "Explore the latest checkpoint",
                                   "Switch to the run's newest checkpoint.")
        self.message = named(QElidingLabel(""), "explorerMessage", "Explorer message")

        self._lay_out()
        self._connect()

    def _button(self, text: str, object_name: str, accessible: str, description: str) -> QPushButton:
        return named(QPushButton(text), object_name, accessible, description)

    def _lay_out(self) -> None:
        seed_row = QHBoxLayout()
        for widget in (self.previous_seed, self.seed, self.next_seed, self.random_seed):
            seed_row.addWidget(widget, 1 if widget is self.seed else 0)
        basics = QFormLayout()
        basics.addRow("Seed", seed_row)
        basics.addRow("Truncation ψ", self.psi)
        basics.addRow("Class", self.class_picker)
        basics.addRow("Grid", self.grid_side)

        directions = QGroupBox("Directions")
        directions_layout = QVBoxLayout(directions)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode, 1)
        mode_row.addWidget(self.find_directions)
        directions_layout.addLayout(mode_row)
        directions_layout.addWidget(self.directions_progress)
        directions_layout.addWidget(self.slider_stack)

        interpolation = QGroupBox("Interpolation")
        interpolation_layout = QFormLayout(interpolation)
        a_row, b_row = QHBoxLayout(), QHBoxLayout()
        a_row.addWidget(self.seed_a)
        a_row.addWidget(self.use_as_a)
        b_row.addWidget(self.seed_b)
        b_row.addWidget(self.use_as_b)
        interpolation_layout.addRow("A", a_row)
        interpolation_layout.addRow("B", b_row)
        t_row = QHBoxLayout()
        t_row.addWidget(self.interpolate)
        t_row.addWidget(self.t, 1)
        t_row.addWidget(self.play)
        interpolation_layout.addRow(t_row)

        export = QGroupBox("Export")
        export_layout = QFormLayout(export)
        files_row = QHBoxLayout()
        for widget in (self.save_view, self.save_grid, self.export_pins):
            files_row.addWidget(widget)
        batch_row, walk_row = QHBoxLayout(), QHBoxLayout()
        batch_row.addWidget(self.batch_count, 1)
        batch_row.addWidget(self.export_batch)
        walk_row.addWidget(self.walk_kind, 1)
        walk_row.addWidget(self.walk_frames)
        walk_row.addWidget(self.export_walk)
        export_layout.addRow(files_row)
        export_layout.addRow("Batch", batch_row)
        export_layout.addRow("Walk", walk_row)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.export_progress, 1)
        progress_row.addWidget(self.cancel_export)
        export_layout.addRow(progress_row)

        controls = QWidget()
        controls_layout = QVBoxLayout(controls)
        controls_layout.addLayout(basics)
        controls_layout.addWidget(directions)
        controls_layout.addWidget(interpolation)
        controls_layout.addWidget(export)
        controls_layout.addStretch(1)
        scroll = named(QScrollArea(), "explorerControls", "Explorer controls")
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(360)
        scroll.setMaximumWidth(440)

        header = QHBoxLayout()
        header.addWidget(self.frame_time, 1)
        header.addWidget(self.reload)
        tray_row = QHBoxLayout()
        tray_row.addWidget(self.pin)
        tray_row.addWidget(self.tray, 1)
        tray_row.addWidget(self.unpin)
        left = QVBoxLayout()
        left.addLayout(header)
        left.addWidget(self.caption)
        left.addWidget(self.view, 1)
        left.addLayout(tray_row)
        left.addWidget(self.message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(left, 1)
        layout.addWidget(scroll)

    def _connect(self) -> None:
        for signal in (self.seed.valueChanged, self.psi.valueChanged, self.class_picker.currentIndexChanged,
                       self.grid_side.currentIndexChanged, self.principal.changed, self.raw.changed,
                       self.seed_a.valueChanged, self.seed_b.valueChanged, self.interpolate.toggled,
                       self.t.valueChanged):
            signal.connect(self.request_frame)
        self.previous_seed.clicked.connect(lambda: self.seed.setValue(self.seed.value() - 1))
        self.next_seed.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        self.random_seed.clicked.connect(lambda: self.seed.setValue(secrets.randbelow(2**31 - 1)))
        self.mode.currentIndexChanged.connect(self.slider_stack.setCurrentIndex)
        self.find_directions.clicked.connect(self.start_finding_directions)
        self.use_as_a.clicked.connect(lambda: self.seed_a.setValue(self._selected_seed()))
        self.use_as_b.clicked.connect(lambda: self.seed_b.setValue(self._selected_seed()))
        self.t.valueChanged.connect(lambda: self.interpolate.setChecked(True))
        self.play.toggled.connect(self._on_play)
        self.pin.clicked.connect(self.pin_selected)
        self.unpin.clicked.connect(self._unpin)
        self.tray.itemDoubleClicked.connect(lambda item: self.show_favourite(self.tray.row(item)))
        self.save_view.clicked.connect(lambda: self._ask_file("Save the view", "view.png", "PNG images (*.png)",
                                                              self.save_view_png))
        self.save_grid.clicked.connect(lambda: self._ask_file("Save a labelled grid", "grid.png", "PNG images (*.png)",
                                                              self.save_labelled_grid))
        self.export_pins.clicked.connect(lambda: self._ask_folder("Export pinned samples into", self.export_pinned))
        self.export_batch.clicked.connect(lambda: self._ask_folder("Export a batch into", self.export_batch_to))
        self.export_walk.clicked.connect(lambda: self._ask_file("Export a walk", "walk.gif",
                                                                "Animations (*.gif *.webp);;Folder of PNG frames (*)",
                                                                self.export_walk_to))
        self.cancel_export.clicked.connect(self._cancel_export)
        self.reload.clicked.connect(self._open)

    # --------------------------------------------------------------- opening
    def set_run(self, run_path: Path | None) -> None:
        """Explore ``run_path``'s latest checkpoint (None: nothing to explore); opens when the tab is shown."""
        if run_path == self._run_path:
            return
        self._run_path = run_path
        self.model = None
        if run_path is None:
            self._set_enabled(False, NO_RUN)
        elif self.isVisible():
            self._open()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._run_path is not None and self.model is None and "open" not in self._jobs:
            self._open()

    def _open(self) -> None:
        if self._run_path is None:
            return
        self.caption.setText(f"Opening {self._run_path.name}…")
        worker = ExplorerOpenWorker(self._run_path)
        worker.opened.connect(self._on_opened)
        self._start("open", worker)

    def _on_opened(self, model: ExplorerModel) -> None:
        if model.run_path != self._run_path:
            return
        self.model = model
        self.favourites = [f for f in model.favourites if f.fingerprint == model.fingerprint]
        self.class_picker.blockSignals(True)
        self.class_picker.clear()
        if model.num_classes:
            self.class_picker.addItem("Every class in turn", None)
            for index in range(model.num_classes):
                name = model.class_names[index] if index < len(model.class_names) else f"class {index}"
                self.class_picker.addItem(name, index)
        else:
            self.class_picker.addItem("Unconditional model", None)
        self.class_picker.blockSignals(False)
        count = min(RAW_SLIDERS, model.latent_dim)
        self.raw.set_directions([f"z[{i}]" for i in range(count)], [f"Add to latent dimension {i}." for i in range(count)])
        self._show_directions(model.directions)
        self._refill_tray()
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
        conditional = bool(self.model and self.model.num_classes)
        self.class_picker.setEnabled(conditional)
        self.class_picker.setToolTip(self.class_picker.accessibleDescription() if conditional else UNCONDITIONAL)
        self.find_directions.setEnabled(self.model.directions is None)
        self._update_walk_kinds()

    # ------------------------------------------------------------ directions
    def start_finding_directions(self) -> None:
        if self.model is None or "directions" in self._jobs:
            return
        worker = DirectionsWorker(self.model)
        worker.progress.connect(self._on_directions_progress)
        worker.found.connect(self._on_directions)
        self.directions_progress.setRange(0, 0)
        self.directions_progress.show()
        self.find_directions.setEnabled(False)
        self._start("directions", worker)

    def _on_directions_progress(self, done: int, total: int) -> None:
        self.directions_progress.setRange(0, total)
        self.directions_progress.setValue(done)

    def _on_directions(self, directions) -> None:
        if self.model is None or directions.fingerprint != self.model.fingerprint:
            return
        self.model = replace(self.model, directions=directions)
        self._show_directions(directions)
        self._update_walk_kinds()
        self.directions_ready.emit()

    def _show_directions(self, directions) -> None:
        self.directions_progress.hide()
        if directions is None:
            self.principal.set_directions([], [])
            self.mode.setCurrentIndex(1)
            self.caption.setToolTip("Find directions to get one slider per principal direction.")
            return
        shares = directions.variance_share
        self.principal.set_directions([f"PC{i} · {share:.1%}" for i, share in enumerate(shares)],
                                      [f"Principal direction {i}: {share:.1%} of the early layer's variance; ±5σ."
                                       for i, share in enumerate(shares)])
        self.find_directions.setEnabled(False)
        self.find_directions.setToolTip("Directions are found and cached for this checkpoint.")
        self.mode.setCurrentIndex(0)

    def _vectors(self) -> np.ndarray | None:
        return None if self.model is None or self.model.directions is None else self.model.directions.vectors

    # ------------------------------------------------------------- rendering
    def current_spec(self, seed: int | None = None) -> LatentSpec:
        """The spec the controls describe (for seed ``seed`` when given)."""
        return LatentSpec(seed=self.seed.value() if seed is None else seed, class_index=self.class_picker.currentData(),
                          psi=round(self.psi.value(), 4), direction_offsets=self.principal.offsets(),
                          dimension_offsets=self.raw.offsets())

    def grid_count(self) -> int:
        return 1 if self.interpolate.isChecked() else self.grid_side.currentData() ** 2

    def request_frame(self) -> None:
        """Ask the render worker for the view the controls describe; a newer request replaces this one."""
        if self.model is None:
            return
        interpolating = self.interpolate.isChecked()
        spec = self.current_spec(self.seed_a.value() if interpolating else None)
        self.renderer.worker.request_view(ViewRequest(
            run_path=self.model.run_path, checkpoint=self.model.checkpoint, spec=spec, count=self.grid_count(),
            directions=self._vectors(), towards=self.current_spec(self.seed_b.value()) if interpolating else None,
            t=round(self.t.value(), 4), issued_at=time.perf_counter()))

    def _on_rendered(self, result: ViewResult) -> None:
        if self.model is None or result.request.checkpoint != self.model.checkpoint:
            return
        self._result = result
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
        result = self._result
        if result is None or self.model is None:
            return
        if result.request.towards is not None:
            what = f"A (seed {self.seed_a.value()}) → B (seed {self.seed_b.value()}) at {result.request.t:.2f}"
        else:
            what = f"seeds {result.spec.seed}–{result.spec.seed + len(result.images) - 1}" if len(result.images) > 1 \
                else f"seed {result.spec.seed}"
        selected = f" · selected seed {self._selected_seed()}" if len(result.images) > 1 else ""
        self.view.set_highlight(self._cell_rect(self._selected) if len(result.images) > 1 else None)
        self.caption.setText(f"{self.model.run_path.name} · step {self.model.step:,} · {what} · ψ {result.spec.psi:g}"
                             f"{selected}")

    def _cell_rect(self, index: int) -> QRect:
        """Where sample ``index`` sits in the grid image, in its pixels."""
        _, height, width, _ = self._result.images.shape
        row, column = divmod(index, math.ceil(math.sqrt(len(self._result.images))))
        return QRect(PADDING + column * (width + PADDING), PADDING + row * (height + PADDING), width, height)

    def _on_view_clicked(self, x: int, y: int) -> None:
        if self._result is None or len(self._result.images) == 1:
            return
        _, height, width, _ = self._result.images.shape
        side = math.ceil(math.sqrt(len(self._result.images)))
        column, row = (x - PADDING) // (width + PADDING), (y - PADDING) // (height + PADDING)
        index = row * side + column
        if 0 <= column < side and 0 <= index < len(self._result.images):
            self._selected = index
            self._update_caption()

    def select(self, index: int) -> None:
        """Select sample ``index`` of the grid (what clicking it does)."""
        self._selected = index
        self._update_caption()

    def _selected_seed(self) -> int:
        return self.seed.value() + (self._selected if self._result is None or self._result.request.towards is None else 0)

    def _selected_spec(self) -> LatentSpec | None:
        result = self._result
        if result is None:
            return None
        if result.spec.latent is not None:
            return result.spec
        return replace(result.spec, seed=result.spec.seed + self._selected)

    # ----------------------------------------------------------- interpolation
    def _on_play(self, playing: bool) -> None:
        self.play.setText("Pause" if playing else "Play")
        if playing:
            self.interpolate.setChecked(True)
            self._play.start()
        else:
            self._play.stop()

    def _advance(self) -> None:
        value = self.t.value() + self._play_direction * PLAY_STEP
        if not 0.0 <= value <= 1.0:
            self._play_direction = -self._play_direction
            value = min(1.0, max(0.0, value))
        self.t.setValue(value)

    # ------------------------------------------------------------- favourites
    def pin_selected(self) -> None:
        spec = self._selected_spec()
        if spec is None or self.model is None:
            return
        label = f"seed {spec.seed}" if spec.latent is None else f"A{self.seed_a.value()}→B{self.seed_b.value()}"
        self.favourites.append(Favourite(self.model.fingerprint, spec, label))
        index = 0 if len(self._result.images) == 1 else self._selected
        self._add_tray_item(self.favourites[-1], self._result.images[index])
        self._save_favourites()

    def show_favourite(self, row: int) -> None:
        """Put a pinned sample's settings back on the controls."""
        spec = self.favourites[row].spec
        if spec.latent is not None:
            self.show_message("This pinned sample lies between two seeds; export it with Pinned PNGs.")
            return
        self.interpolate.setChecked(False)
        self.grid_side.setCurrentIndex(0)
        self.seed.setValue(spec.seed)
        self.psi.setValue(spec.psi)
        index = self.class_picker.findData(spec.class_index)
        self.class_picker.setCurrentIndex(max(index, 0))
        self.principal.set_offsets(spec.direction_offsets)
        self.raw.set_offsets(spec.dimension_offsets)

    def _unpin(self) -> None:
        row = self.tray.currentRow()
        if 0 <= row < len(self.favourites):
            del self.favourites[row]
            self.tray.takeItem(row)
            self._save_favourites()

    def _refill_tray(self) -> None:
        self.tray.clear()
        for favourite in self.favourites:
            self._add_tray_item(favourite, None)

    def _add_tray_item(self, favourite: Favourite, pixels: np.ndarray | None) -> None:
        item = QListWidgetItem(favourite.label or f"seed {favourite.spec.seed}")
        if pixels is not None:
            item.setIcon(QIcon(QPixmap.fromImage(to_qimage(pixels))))
        item.setToolTip(f"ψ {favourite.spec.psi:g}, class {favourite.spec.class_index}, "
                        f"{len(favourite.spec.direction_offsets)} direction offsets")
        self.tray.addItem(item)

    def _save_favourites(self) -> None:
        worker = SaveFavouritesWorker(self.model.run_path, self.favourites)
        worker.failed.connect(self.show_message)
        self.threads.start(worker)

    # ---------------------------------------------------------------- export
    def _update_walk_kinds(self) -> None:
        self.walk_kind.clear()
        self.walk_kind.addItem("A → B", None)
        directions = self._vectors()
        for index in range(0 if directions is None else len(directions)):
            self.walk_kind.addItem(f"Along PC{index} (±3σ from the seed)", index)

    def _ask_file(self, title: str, default: str, filters: str, then) -> None:
        path, _ = QFileDialog.getSaveFileName(self, title, default, filters)
        if path:
            then(Path(path))

    def _ask_folder(self, title: str, then) -> None:
        folder = QFileDialog.getExistingDirectory(self, title)
        if folder:
            then(Path(folder))

    def save_view_png(self, path: Path) -> None:
        image = self.view.image_array()
        if image is not None:
            self._export("grid", path.with_suffix(".png"), images=image[None], labels=[""], nrow=1)

    def save_labelled_grid(self, path: Path) -> None:
        result = self._result
        if result is None:
            return
        name = self._class_label(result.spec.class_index)
        seeds = [result.spec.seed + i for i in range(len(result.images))]
        labels = [f"{'A→B' if result.spec.latent is not None else seed} ψ{result.spec.psi:g}{name}" for seed in seeds]
        self._export("grid", path.with_suffix(".png"), images=result.images, labels=labels,
                     nrow=math.ceil(math.sqrt(len(result.images))))

    def export_pinned(self, folder: Path) -> None:
        self._export("favourites", folder, favourites=list(self.favourites), directions=self._vectors())

    def export_batch_to(self, folder: Path) -> None:
        worker = ExportWorker(self.model.run_path, folder, self.batch_count.value(), self.seed.value(),
                              truncation=round(self.psi.value(), 4), class_index=self.class_picker.currentData(),
                              checkpoint=self.model.checkpoint)
        self._start_export(worker)

    def export_walk_to(self, out: Path) -> None:
        index = self.walk_kind.currentData()
        start = self.current_spec(self.seed_a.value() if index is None else None)
        end = self.current_spec(self.seed_b.value()) if index is None else None
        direction = None if index is None else self._vectors()[index]
        self._export("walk", out, start=start, end=end, direction=direction, frames=self.walk_frames.value(),
                     directions=self._vectors(), class_index=self.class_picker.currentData())

    def _export(self, kind: str, out: Path, **settings) -> None:
        if self.model is None:
            return
        self._start_export(ExplorerExportWorker(self.model, out, kind, **settings))

    def _start_export(self, worker) -> None:
        if "export" in self._jobs:
            self.show_message("An export is already running; wait for it or cancel it.")
            return
        worker.progress.connect(self._on_export_progress)
        worker.exported.connect(self._on_exported)
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.cancel_export.show()
        self.show_message("")
        self._start("export", worker)

    def _on_export_progress(self, done: int, total: int) -> None:
        self.export_progress.setRange(0, max(1, total))
        self.export_progress.setValue(done)

    def _on_exported(self, paths: list[Path]) -> None:
        where = paths[0] if len(paths) == 1 else paths[0].parent
        self.show_message(f"Wrote {len(paths):,} file{'s' if len(paths) != 1 else ''}: {where}")
        self.export_finished.emit(paths)

    def _cancel_export(self) -> None:
        job = self._jobs.get("export")
        if job is not None:
            job.cancel()
            self.show_message("Export cancelled; nothing was kept.")

    # ---------------------------------------------------------------- shared
    def _start(self, key: str, job) -> None:
        job.failed.connect(self.show_message)
        job.done.connect(lambda: self._on_job_done(key, job))
        self._jobs[key] = job
        self.threads.start(job)

    def _on_job_done(self, key: str, job) -> None:
        if self._jobs.get(key) is job:
            del self._jobs[key]
        if key == "export":
            self.export_progress.hide()
            self.cancel_export.hide()
        if key == "directions":
            self.directions_progress.hide()
            self.find_directions.setEnabled(self.model is not None and self.model.directions is None)

    def _class_label(self, class_index: int | None) -> str:
        if class_index is None or self.model is None:
            return ""
        names = self.model.class_names
        return f" {names[class_index] if class_index < len(names) else class_index}"

    def show_message(self, sentence: str) -> None:
        self.message.setText(sentence)
