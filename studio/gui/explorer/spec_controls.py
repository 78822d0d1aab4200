"""The explorer's controls that say what to draw: seed, ψ, class, grid, direction sliders, A→B.

A projected image is a sample like a seed: ``show_spec`` with its latent makes it the current sample
(ψ, class and the sliders act on it) until the seed or grid changes, and "Selected → A/B" can make
it an end of the interpolation.

They hold no model and render nothing: every change emits ``view_changed`` with a plain
``ViewSettings`` (a latent spec, how many samples, and the interpolation), which the panel turns
into a render request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QProgressBar, QPushButton,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)
from superqt import QElidingLabel, QLabeledDoubleSlider
from superqt.utils import signals_blocked

from studio.core.explore.favourites import Source
from studio.core.explore.latent_spec import LatentSpec
from studio.core.explore.jobs import ExplorerModel
from studio.gui.explorer.direction_sliders import RAW_SLIDERS, DirectionSliders, named_slider
from studio.gui.naming import named

GRID_SIDES = (1, 2, 3, 4)
PLAY_INTERVAL_MS = 40
PLAY_STEP = 0.02
MAX_SEED = 2**31 - 1
UNCONDITIONAL = "This model is unconditional: train with Conditional 'on' on a dataset with classes to choose them."


@dataclass(frozen=True)
class ViewSettings:
    """What the controls describe: ``count`` samples of ``spec`` (seeds onwards), or with ``towards``
    the single sample ``t`` of the way from ``spec`` to ``towards``."""

    spec: LatentSpec
    count: int
    towards: LatentSpec | None = None
    t: float = 0.0


def button(text: str, object_name: str, accessible: str, description: str) -> QPushButton:
    return named(QPushButton(text), object_name, accessible, description)


class SpecControls(QWidget):
    """Emits ``view_changed(ViewSettings)`` on every change; ``find_directions_requested`` on its button."""

    view_changed = Signal(object)
    find_directions_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected_seed = 0
        self.latent: tuple[float, ...] | None = None  # the projected image shown instead of seeds
        self._ends: dict[str, LatentSpec | None] = {"a": None, "b": None}  # projected images used as A / B
        self._names: dict[tuple[float, ...], str] = {}  # projected latents -> their image's name
        self._sources: dict[tuple[float, ...], Source] = {}  # projected latents -> their image file
        self._play = QTimer(self, interval=PLAY_INTERVAL_MS)
        self._play.timeout.connect(self._advance)
        self._play_direction = 1.0
        self._build()
        self._lay_out()
        self._connect()

    def _build(self) -> None:
        self.seed = named(QSpinBox(), "explorerSeed", "Seed", "The noise seed of the first sample shown.")
        self.seed.setRange(0, MAX_SEED)
        self.previous_seed = button("◀", "explorerPreviousSeed", "Previous seed", "Show the previous seed.")
        self.next_seed = button("▶", "explorerNextSeed", "Next seed", "Show the next seed.")
        for arrow in (self.previous_seed, self.next_seed):
            arrow.setFixedWidth(32)
        self.random_seed = button("Random", "explorerRandomSeed", "Random seed", "Jump to a random seed.")
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
        self.find_directions = button("Find directions", "explorerFindDirections", "Find directions",
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
            box.setRange(0, MAX_SEED)
            box.setValue(value)
        self.use_as_a = button("Selected → A", "explorerUseAsA", "Use the selected sample as A",
                               "Click a sample in the grid, then use its seed as A.")
        self.use_as_b = button("Selected → B", "explorerUseAsB", "Use the selected sample as B",
                               "Click a sample in the grid, then use its seed as B.")
        self.image_a = named(QElidingLabel(""), "explorerImageA", "Projected image used as A")
        self.image_b = named(QElidingLabel(""), "explorerImageB", "Projected image used as B")
        self.interpolate = named(QCheckBox("Show A → B"), "explorerInterpolate", "Show the interpolation",
                                 "Show one sample part of the way from A to B (spherical interpolation).")
        self.t = named_slider(QLabeledDoubleSlider(Qt.Orientation.Horizontal), "explorerInterpolation",
                              "A to B position", "0 shows A, 1 shows B.")
        self.t.setRange(0.0, 1.0)
        self.play = button("Play", "explorerPlay", "Play or pause", "Animate from A to B and back.")
        self.play.setCheckable(True)

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
        for label, box, use, image in (("A", self.seed_a, self.use_as_a, self.image_a),
                                       ("B", self.seed_b, self.use_as_b, self.image_b)):
            row = QHBoxLayout()
            row.addWidget(box)
            row.addWidget(use)
            row.addWidget(image, 1)
            image.hide()
            interpolation_layout.addRow(label, row)
        t_row = QHBoxLayout()
        t_row.addWidget(self.interpolate)
        t_row.addWidget(self.t, 1)
        t_row.addWidget(self.play)
        interpolation_layout.addRow(t_row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(basics)
        layout.addWidget(directions)
        layout.addWidget(interpolation)

    def _connect(self) -> None:
        self.seed.valueChanged.connect(self._forget_image)
        self.grid_side.currentIndexChanged.connect(self._forget_image)
        self.seed_a.valueChanged.connect(lambda: self._hold("a", None))
        self.seed_b.valueChanged.connect(lambda: self._hold("b", None))
        for signal in (self.seed.valueChanged, self.psi.valueChanged, self.class_picker.currentIndexChanged,
                       self.grid_side.currentIndexChanged, self.principal.changed, self.raw.changed,
                       self.seed_a.valueChanged, self.seed_b.valueChanged, self.interpolate.toggled,
                       self.t.valueChanged):
            signal.connect(self._emit)
        self.previous_seed.clicked.connect(lambda: self.seed.setValue(self.seed.value() - 1))
        self.next_seed.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        self.random_seed.clicked.connect(lambda: self.seed.setValue(secrets.randbelow(MAX_SEED)))
        self.mode.currentIndexChanged.connect(self.slider_stack.setCurrentIndex)
        self.find_directions.clicked.connect(self.find_directions_requested)
        self.use_as_a.clicked.connect(lambda: self._use_as("a"))
        self.use_as_b.clicked.connect(lambda: self._use_as("b"))
        self.t.valueChanged.connect(lambda: self.interpolate.setChecked(True))
        self.play.toggled.connect(self._on_play)

    # ------------------------------------------------------------ the model
    def set_model(self, model: ExplorerModel) -> None:
        """Class choices and sliders for ``model`` (no ``view_changed`` while they are filled in)."""
        self.latent = None
        for end in self._ends:
            self._hold(end, None)
        with signals_blocked(self.class_picker):
            self.class_picker.clear()
            if model.num_classes:
                self.class_picker.addItem("Every class in turn", None)
                for index in range(model.num_classes):
                    self.class_picker.addItem(model.class_name(index), index)
            else:
                self.class_picker.addItem("Unconditional model", None)
        conditional = bool(model.num_classes)
        self.class_picker.setEnabled(conditional)
        self.class_picker.setToolTip(self.class_picker.accessibleDescription() if conditional else UNCONDITIONAL)
        count = min(RAW_SLIDERS, model.latent_dim)
        self.raw.set_directions([f"z[{i}]" for i in range(count)], [f"Add to latent dimension {i}." for i in range(count)])
        self.show_directions(model.directions)

    def show_directions(self, directions) -> None:
        """One slider per principal direction, or the raw dimensions when none were found yet."""
        self.directions_progress.hide()
        if directions is None:
            self.principal.set_directions([], [])
            self.mode.setCurrentIndex(1)
            self.find_directions.setEnabled(True)
            return
        shares = directions.variance_share
        self.principal.set_directions([f"PC{i} · {share:.1%}" for i, share in enumerate(shares)],
                                      [f"Principal direction {i}: {share:.1%} of the early layer's variance; ±5σ."
                                       for i, share in enumerate(shares)])
        self.find_directions.setEnabled(False)
        self.find_directions.setToolTip("Directions are found and cached for this checkpoint.")
        self.mode.setCurrentIndex(0)

    def show_directions_progress(self, done: int, total: int) -> None:
        self.directions_progress.show()
        self.directions_progress.setRange(0, max(total, 0))
        self.directions_progress.setValue(done)

    # ------------------------------------------------------------- the spec
    def current_spec(self, seed: int | None = None) -> LatentSpec:
        """The spec the controls describe (for seed ``seed`` when given, else the projected image if one is shown)."""
        if seed is None:
            return self._spec(self.seed.value(), self.latent)
        return self._spec(seed, None)

    def end_spec(self, end: str) -> LatentSpec:
        """The spec of interpolation end ``"a"`` or ``"b"``: its seed, or the projected image (with its class) used
        as it."""
        held = self._ends[end]
        seed = (self.seed_a if end == "a" else self.seed_b).value()
        return self._spec(seed, None) if held is None else self._spec(seed, held.latent, held.class_index)

    def _spec(self, seed: int, latent: tuple[float, ...] | None, class_index: int | None = None) -> LatentSpec:
        class_index = self.class_picker.currentData() if latent is None or class_index is None else class_index
        return LatentSpec(seed=seed, latent=latent, class_index=class_index,
                          psi=round(self.psi.value(), 4), direction_offsets=self.principal.offsets(),
                          dimension_offsets=self.raw.offsets())

    def settings(self) -> ViewSettings:
        if self.interpolate.isChecked():
            return ViewSettings(self.end_spec("a"), 1, self.end_spec("b"), round(self.t.value(), 4))
        return ViewSettings(self.current_spec(), 1 if self.latent is not None else self.grid_side.currentData() ** 2)

    def name_of(self, spec: LatentSpec) -> str:
        """How captions and pins call a spec: its seed, the name it was shown with, or 'a latent'."""
        if spec.latent is None:
            return f"seed {spec.seed}"
        return self._names.get(spec.latent, "a latent")

    def sources_of(self, *specs: LatentSpec | None) -> tuple[Source, ...]:
        """The image files the specs' latents were projected from (none for seeds)."""
        return tuple(self._sources[spec.latent] for spec in specs
                     if spec is not None and spec.latent is not None and spec.latent in self._sources)

    def show_spec(self, spec: LatentSpec, name: str = "", sources: tuple[Source, ...] = ()) -> None:
        """Put a spec's settings back on the controls, as one sample (a spec with a latent, e.g. a
        projected image, becomes the current sample instead of the seed; ``name`` is what to call it,
        ``sources`` the image it was projected from)."""
        self.interpolate.setChecked(False)
        self.grid_side.setCurrentIndex(0)
        self.seed.setValue(spec.seed)
        self.psi.setValue(spec.psi)
        self.class_picker.setCurrentIndex(max(self.class_picker.findData(spec.class_index), 0))
        self.principal.set_offsets(spec.direction_offsets)
        self.raw.set_offsets(spec.dimension_offsets)
        if spec.latent is not None:
            if name:
                self._names[spec.latent] = name
            if len(sources) == 1:
                self._sources[spec.latent] = sources[0]
            self.latent = spec.latent
            self._emit()

    def _forget_image(self) -> None:
        """Back to seeds (the seed or the grid changed)."""
        self.latent = None

    def _use_as(self, end: str) -> None:
        """Make the shown sample (the projected image, else the selected seed) end ``end`` of the interpolation."""
        box = self.seed_a if end == "a" else self.seed_b
        with signals_blocked(box):
            box.setValue(self.selected_seed)
        self._hold(end, None if self.latent is None else self.current_spec())
        self._emit()

    def _hold(self, end: str, spec: LatentSpec | None) -> None:
        self._ends[end] = spec
        label = self.image_a if end == "a" else self.image_b
        label.setText("" if spec is None else self.name_of(spec))
        label.setToolTip("" if spec is None else "Change the seed to use a seed again.")
        label.setVisible(spec is not None)

    def _emit(self) -> None:
        self.view_changed.emit(self.settings())

    # ----------------------------------------------------------- A → B play
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
