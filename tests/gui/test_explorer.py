"""The Explorer tab, driven through its real widgets: sliders change pixels, settings give the same
pixels again, pinned samples regenerate exactly, class picking, interpolation and exports."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QAbstractSlider, QFileDialog, QToolButton

from studio.core.explore.export import LABEL_HEIGHT
from tests.gui.helpers import TRAIN_TIMEOUT_MS, click, tiny_run_config

FRAME_MS = 30_000


def trained_explorer(open_window, qtbot, conditional: bool = False):
    config = tiny_run_config()
    if conditional:
        config.model.conditional = "on"
    window = open_window(config)
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, window.training_panel.train_button)
    panel = window.explorer_panel
    with qtbot.waitSignal(panel.frame_shown, timeout=FRAME_MS):
        window.tabs.setCurrentWidget(panel)
    return window, panel


def change(qtbot, panel, action):
    """Do ``action`` to the controls and return the pixels of the frame that shows the new settings
    (never an older frame that was still in flight)."""
    action()
    qtbot.waitUntil(panel.shows_controls, timeout=FRAME_MS)
    return panel.view.image_array().copy()


@pytest.fixture
def explorer(open_window, qtbot):
    return trained_explorer(open_window, qtbot)


def test_sliders_change_the_image_and_the_same_settings_give_the_same_pixels(explorer, qtbot):
    window, panel = explorer
    first = panel.view.image_array().copy()
    assert panel.controls.settings().count == 4 and "frame" in panel.frame_time.text()
    inner = panel.controls.psi.findChild(QAbstractSlider)
    lowered = change(qtbot, panel, lambda: inner.setValue(inner.value() - 3 * inner.pageStep()))
    assert panel.controls.psi.value() < 1.0 and not np.array_equal(lowered, first)
    back = change(qtbot, panel, lambda: panel.controls.psi.setValue(1.0))
    assert np.array_equal(back, first)
    moved = change(qtbot, panel, lambda: panel.controls.raw.sliders[0].setValue(3.0))
    assert not np.array_equal(moved, first)
    reset = change(qtbot, panel, lambda: click(qtbot, panel.findChild(QToolButton, "explorerDimensionReset0")))
    assert np.array_equal(reset, first)
    next_seed = change(qtbot, panel, lambda: click(qtbot, panel.controls.next_seed))
    assert panel.controls.seed.value() == 1 and not np.array_equal(next_seed, first)


def test_principal_directions_are_found_once_and_move_the_sample(explorer, qtbot):
    window, panel = explorer
    picker = panel.controls.class_picker  # the demo set has four classes, so the default model learns them
    assert picker.isEnabled() and [picker.itemText(i) for i in range(picker.count())] == [
        "Every class in turn", "circle", "square", "triangle", "cross"]
    with qtbot.waitSignal(panel.directions_ready, timeout=FRAME_MS):
        click(qtbot, panel.controls.find_directions)
    assert len(panel.controls.principal.sliders) >= 10 and "%" in panel.controls.principal.sliders[0].accessibleDescription()
    assert panel.controls.principal.sliders[0].maximum() == 5.0 and panel.controls.principal.sliders[0].minimum() == -5.0
    assert not panel.controls.find_directions.isEnabled()
    assert list((window.session.run_path / "directions").glob("*.json"))
    before = panel.view.image_array().copy()
    after = change(qtbot, panel, lambda: panel.controls.principal.sliders[0].setValue(4.0))
    assert not np.array_equal(before, after)


def test_a_pinned_sample_regenerates_exactly_what_the_view_showed(explorer, qtbot):
    from studio.core.explore.render import regenerate
    from studio.core.explore.favourites import load_favourites
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    window, panel = explorer
    change(qtbot, panel, lambda: panel.controls.grid_side.setCurrentIndex(0))
    shown = change(qtbot, panel, lambda: panel.controls.psi.setValue(0.6))
    panel.controls.raw.sliders[2].setValue(-2.0)
    qtbot.waitUntil(lambda: panel.result.spec.dimension_offsets == {2: -2.0}, timeout=FRAME_MS)
    shown = panel.view.image_array().copy()
    click(qtbot, panel.tray.pin)
    assert panel.tray.tray.count() == 1
    run = Run.open(window.session.run_path)
    qtbot.waitUntil(lambda: len(load_favourites(run)) == 1, timeout=FRAME_MS)
    favourite = load_favourites(run)[0]
    assert favourite.spec.psi == 0.6 and favourite.spec.dimension_offsets == {2: -2.0}
    assert np.array_equal(regenerate(Sampler.from_run(run), favourite), shown)


def test_interpolation_starts_at_a_and_ends_at_b(explorer, qtbot):
    window, panel = explorer
    controls = panel.controls
    single_a = change(qtbot, panel, lambda: controls.grid_side.setCurrentIndex(0))
    single_b = change(qtbot, panel, lambda: controls.seed.setValue(5))
    assert not np.array_equal(single_a, single_b)
    controls.seed_b.setValue(5)
    at_a = change(qtbot, panel, lambda: controls.interpolate.setChecked(True))
    assert panel.result.request.towards.seed == 5 and panel.result.request.t == 0.0
    assert np.abs(at_a.astype(int) - single_a).max() <= 1
    at_b = change(qtbot, panel, lambda: controls.t.setValue(1.0))
    assert panel.result.request.t == 1.0
    assert np.abs(at_b.astype(int) - single_b).max() <= 1
    panel.controls.interpolate.setChecked(True)
    click(qtbot, panel.controls.play)
    qtbot.waitUntil(lambda: panel.controls.t.value() < 0.9, timeout=FRAME_MS)
    click(qtbot, panel.controls.play)
    assert panel.controls.play.text() == "Play"


def test_exports_from_the_panel_write_files_and_never_overwrite(explorer, qtbot, tmp_path, monkeypatch):
    window, panel = explorer
    panel.exports.walk_frames.setValue(6)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "walk.webp"), ""))
    with qtbot.waitSignal(panel.export_finished, timeout=FRAME_MS):
        click(qtbot, panel.exports.export_walk)
    with Image.open(tmp_path / "walk.webp") as animation:
        assert animation.n_frames == 6
    qtbot.waitUntil(panel.exports.export_progress.isHidden, timeout=FRAME_MS)
    click(qtbot, panel.exports.export_walk)
    qtbot.waitUntil(lambda: "already exists" in panel.message.text(), timeout=FRAME_MS)

    qtbot.waitUntil(panel.exports.export_progress.isHidden, timeout=FRAME_MS)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "grid.png"), ""))
    with qtbot.waitSignal(panel.export_finished, timeout=FRAME_MS):
        click(qtbot, panel.exports.save_grid)
    grid, shown = np.asarray(Image.open(tmp_path / "grid.png").convert("RGB")), panel.result.images
    cell_height, cell_width = 32 + LABEL_HEIGHT + 2, 64 + 2  # labelled cells are at least 64 px wide
    for index, image in enumerate(shown):
        row, column = divmod(index, 2)
        top, left = 2 + row * cell_height, 2 + column * cell_width + (64 - 32) // 2
        assert np.array_equal(grid[top:top + 32, left:left + 32], image), f"sample {index} differs from the view"

    qtbot.waitUntil(panel.exports.export_progress.isHidden, timeout=FRAME_MS)
    panel.exports.batch_count.setValue(20)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "batch"))
    with qtbot.waitSignal(panel.export_finished, timeout=FRAME_MS) as blocker:
        click(qtbot, panel.exports.export_batch)
    assert len(blocker.args[0]) == 20 and (tmp_path / "batch" / "manifest.json").exists()


def test_a_conditional_model_lets_the_analyst_choose_the_class(open_window, qtbot):
    window, panel = trained_explorer(open_window, qtbot, conditional=True)
    assert panel.controls.class_picker.isEnabled() and panel.controls.class_picker.count() == 5
    change(qtbot, panel, lambda: panel.controls.grid_side.setCurrentIndex(0))
    first_class = change(qtbot, panel, lambda: panel.controls.class_picker.setCurrentIndex(1))
    second_class = change(qtbot, panel, lambda: panel.controls.class_picker.setCurrentIndex(2))
    assert not np.array_equal(first_class, second_class)
    assert panel.result.spec.class_index == 1


def test_view_requests_made_faster_than_rendered_only_draw_the_latest(explorer, qtbot):
    from dataclasses import replace

    from tests.gui.helpers import Collector

    window, panel = explorer
    collector = Collector()
    panel.renderer.view_rendered.connect(collector.collect)
    template = panel.result.request
    posted = [replace(template, spec=replace(template.spec, seed=seed), count=16) for seed in range(1, 31)]
    for request in posted:
        panel.renderer.request_view(request)
    ours = lambda: [r.spec.seed for r in collector.results if any(r.request is p for p in posted)]  # noqa: E731
    qtbot.waitUntil(lambda: ours()[-1:] == [30], timeout=FRAME_MS)
    # nothing of ours is left waiting: a marker request posted now is the next of ours drawn
    posted.append(replace(template, spec=replace(template.spec, seed=99)))
    panel.renderer.request_view(posted[-1])
    qtbot.waitUntil(lambda: 99 in ours(), timeout=FRAME_MS)
    assert ours()[-1] == 99
    seeds = ours()[:-1]
    assert seeds[-1] == 30 and len(seeds) < 30 and seeds == sorted(seeds)


def test_clicking_a_grid_cell_selects_and_outlines_it(explorer, qtbot):
    from PySide6.QtCore import QPoint, Qt

    _, panel = explorer
    target, image = panel.view.target_rect(), panel.view.image_array()
    cell = panel._cell_rect(3)
    x = target.x() + (cell.center().x() * target.width()) // image.shape[1]
    y = target.y() + (cell.center().y() * target.height()) // image.shape[0]
    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert "selected seed 3" in panel.caption.text()
    assert panel.view._highlight == cell
    before = panel.view.grab().toImage()
    panel.view.set_highlight(None)
    assert panel.view.grab().toImage() != before, "the outline is drawn on screen"
