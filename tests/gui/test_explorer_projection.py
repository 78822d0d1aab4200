"""Projecting an image of one's own in the Explorer tab, through the real widgets and task runner:
drop an image file on the view or choose it with "Project image…", watch the reconstruction converge,
then explore, pin and blend from the projected latent; save it as a latent file."""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from studio.core.explore.favourites import Source
from studio.gui.explorer.projector import NO_MODEL
from tests.gui.helpers import click, tiny_run_config
from tests.gui.test_explorer import FRAME_MS, change, trained_explorer

STEPS = 20


@pytest.fixture(autouse=True)
def few_steps(monkeypatch):
    monkeypatch.setattr("studio.core.explore.projection.PROJECTION_STEPS", STEPS)
    monkeypatch.setattr("studio.core.explore.encoder.ENCODER_STEPS", STEPS)


def write_png(path, colour, shape="square"):
    pixels = np.zeros((40, 40, 3), dtype=np.uint8)
    if shape == "square":
        pixels[10:30, 10:30] = colour
    else:
        yy, xx = np.mgrid[:40, :40]
        pixels[(yy - 20) ** 2 + (xx - 20) ** 2 < 120] = colour
    Image.fromarray(pixels).save(path)
    return path


def drop(widget, path) -> bool:
    """Drag ``path`` over ``widget`` and drop it there, through Qt's event delivery; whether it was taken."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = widget.rect().center()
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(widget, dropped)
    return dropped.isAccepted()


def shows_projection(panel, projection) -> bool:
    return panel.shows_controls() and panel.result.spec.latent == projection.spec.latent


@pytest.fixture
def explorer(open_window, qtbot):
    return trained_explorer(open_window, qtbot)


def test_a_dropped_image_is_projected_live_and_becomes_the_explored_sample(explorer, qtbot, tmp_path):
    window, panel = explorer
    box = panel.your_image
    frames = []
    box.show_frame = lambda step, image: (frames.append(step), type(box).show_frame(box, step, image))
    image = write_png(tmp_path / "mine.png", (250, 200, 40))
    with qtbot.waitSignal(panel.projector.projected, timeout=FRAME_MS) as blocker:
        assert drop(panel.view, image)
        assert box.cancel.isVisible() and box.progress.isVisible()
    projection = blocker.args[0]
    assert frames and frames == sorted(frames) and frames[-1] <= STEPS
    assert box.source.image_array().shape == (32, 32, 3)
    assert np.array_equal(box.reconstruction.image_array(), projection.reconstruction)
    assert f"Reconstruction: {projection.psnr:.1f} dB" in box.quality.text()
    assert box.warning.isVisible() == bool(projection.warning) and box.save.isVisible()
    qtbot.waitUntil(lambda: not box.cancel.isVisible(), timeout=FRAME_MS)

    qtbot.waitUntil(lambda: shows_projection(panel, projection), timeout=FRAME_MS)
    assert panel.result.spec.class_index == projection.class_index and len(panel.result.images) == 1
    assert np.array_equal(panel.view.image_array(), projection.reconstruction)
    assert "image mine.png" in panel.caption.text()
    truncated = change(qtbot, panel, lambda: panel.controls.psi.setValue(0.5))
    assert panel.result.spec.latent == projection.spec.latent and not np.array_equal(truncated,
                                                                                     projection.reconstruction)
    assert f"feature distance {projection.feature_distance:.3f}" in box.quality.text()
    click(qtbot, panel.tray.pin)
    pinned = panel.tray.favourites[-1]
    assert pinned.spec.latent == projection.spec.latent and pinned.label == "image mine.png"
    assert pinned.sources == (Source("mine.png", hashlib.sha256(image.read_bytes()).hexdigest()),)
    saved = panel.model.run_path / "favourites.json"
    qtbot.waitUntil(lambda: saved.exists() and "sources" in saved.read_text(), timeout=FRAME_MS)
    assert json.loads(saved.read_text())["favourites"][-1]["sources"] == [{"file": "mine.png",
                                                                          "sha256": pinned.sources[0].sha256}]
    change(qtbot, panel, lambda: click(qtbot, panel.controls.next_seed))
    assert panel.result.spec.latent is None and panel.caption.text().endswith("seed 1 · ψ 0.5")


def test_two_images_chosen_with_the_button_blend_from_a_to_b_and_the_latent_saves(explorer, qtbot, tmp_path,
                                                                                  monkeypatch):
    from studio.core.explore.projection import read_latent_file

    window, panel = explorer
    controls, projected = panel.controls, []
    classes = panel.your_image.search_class
    classes.setCurrentIndex(classes.findData(1))  # both in one class, so B's end of the blend is B itself
    for name, colour, shape, end in (("first.png", (240, 240, 240), "square", controls.use_as_a),
                                     ("second.png", (30, 90, 250), "circle", controls.use_as_b)):
        path = write_png(tmp_path / name, colour, shape)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (str(p), ""))
        with qtbot.waitSignal(panel.projector.projected, timeout=FRAME_MS) as blocker:
            click(qtbot, panel.your_image.project)
        projected.append(blocker.args[0])
        qtbot.waitUntil(lambda: shows_projection(panel, projected[-1]), timeout=FRAME_MS)
        click(qtbot, end)
    assert controls.image_a.text() == "image first.png" and controls.image_b.text() == "image second.png"
    first, second = projected
    at_a = change(qtbot, panel, lambda: controls.interpolate.setChecked(True))
    assert panel.result.request.spec.latent == first.spec.latent
    assert panel.result.request.towards.latent == second.spec.latent
    assert np.abs(at_a.astype(int) - first.reconstruction).max() <= 1
    assert panel.result.request.spec.class_index == first.class_index  # the blend is drawn in A's class
    at_b = change(qtbot, panel, lambda: controls.t.setValue(1.0))
    assert first.class_index == second.class_index == 1
    assert np.abs(at_b.astype(int) - second.reconstruction).max() <= 1
    assert panel.result.request.t == 1.0
    assert "A (image first.png) → B (image second.png)" in panel.caption.text()

    out = tmp_path / "second-latent.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    with qtbot.waitSignal(panel.projector.saved, timeout=FRAME_MS):
        click(qtbot, panel.your_image.save)
    spec = read_latent_file(out, panel.model.latent_dim)
    assert spec.latent == second.spec.latent and spec.class_index == second.class_index
    assert "Wrote the latent" in panel.message.text()


def test_an_unreadable_image_is_one_sentence_and_nothing_changes(explorer, qtbot, tmp_path):
    window, panel = explorer
    before = panel.result.request.spec
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not a PNG")
    assert drop(panel.view, broken)
    qtbot.waitUntil(lambda: not panel.projector.running(), timeout=FRAME_MS)
    sentence = panel.message.text()
    assert sentence.startswith("'broken.png' cannot be projected") and sentence.endswith(".") and "\n" not in sentence
    assert panel.result.request.spec == before and not panel.your_image.save.isVisible()
    assert not panel.your_image.cancel.isVisible()


def test_without_a_run_an_image_drop_says_what_to_do(open_window, qtbot, tmp_path):
    window = open_window(tiny_run_config())
    panel = window.explorer_panel
    window.tabs.setCurrentWidget(panel)
    assert drop(panel.view, write_png(tmp_path / "mine.png", (200, 0, 0)))
    assert panel.message.text() == NO_MODEL and not panel.projector.running()


def test_only_image_files_are_taken_by_the_explorer_drop(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from studio.gui.explorer.image_drop import ImageDropFilter

    taken, target = [], QWidget()
    qtbot.addWidget(target)
    ImageDropFilter(target, taken.append)
    assert not drop(target, tmp_path / "notes.txt") and not drop(target, tmp_path / "photos.zip")
    assert drop(target, tmp_path / "Photo.JPG") and taken == [tmp_path / "Photo.JPG"]


def test_cancel_stops_a_long_projection_and_keeps_the_view(explorer, qtbot, tmp_path, monkeypatch):
    window, panel = explorer
    monkeypatch.setattr("studio.core.explore.projection.PROJECTION_STEPS", 100_000)
    before = panel.result.request.spec
    assert drop(panel.view, write_png(tmp_path / "mine.png", (250, 200, 40)))
    qtbot.waitUntil(lambda: panel.your_image.reconstruction.image_array() is not None, timeout=FRAME_MS)
    click(qtbot, panel.your_image.cancel)
    qtbot.waitUntil(lambda: not panel.projector.running(), timeout=FRAME_MS)
    assert panel.your_image.quality.text().startswith("Projection cancelled")
    assert not panel.your_image.cancel.isVisible() and not panel.your_image.save.isVisible()
    assert panel.result.request.spec == before and panel.projector.projection is None


def test_a_folder_is_projected_in_the_chosen_class_into_a_new_folder(explorer, qtbot, tmp_path, monkeypatch):
    window, panel = explorer
    box = panel.your_image
    assert box.search_class.isVisible() and box.search_class.itemText(0) == "Best fitting class"
    box.search_class.setCurrentIndex(2)  # the model's second class
    wanted = panel.model.class_name(1)
    photos, out = tmp_path / "photos", tmp_path / "projected"
    photos.mkdir()
    for name, colour in (("a.png", (250, 30, 30)), ("b.png", (30, 250, 30)), ("c.png", (30, 30, 250))):
        write_png(photos / name, colour)
    (photos / "notes.txt").write_text("not an image")
    answers = iter([str(photos), str(out)])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: next(answers))
    with qtbot.waitSignal(panel.projector.folder_written, timeout=FRAME_MS) as blocker:
        click(qtbot, box.project_folder)
        assert box.cancel.isVisible()
    assert blocker.args[0] == out
    with open(out / "projections.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["reconstruction"] for row in rows] == ["a.png", "b.png", "c.png"]
    assert {row["class"] for row in rows} == {wanted}
    for row in rows:
        assert (out / row["reconstruction"]).is_file() and float(row["psnr_db"]) > 0
        assert json.loads((out / row["latent"]).read_text())["class_index"] == 1
        assert row["source_sha256"] == hashlib.sha256((photos / row["reconstruction"]).read_bytes()).hexdigest()
    assert panel.message.text() == f"Wrote 3 reconstructions and latents to {out}"
    assert box.quality.text().startswith("Projected 3 images") and not box.cancel.isVisible()
