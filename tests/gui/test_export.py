"""Saving the grid and exporting images write files that other programs can open."""

from PIL import Image
from PySide6.QtWidgets import QFileDialog

from tests.gui.helpers import TRAIN_TIMEOUT_MS, click, tiny_run_config


def train_to_end(window, qtbot):
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, window.training_panel.train_button)


def export(window, qtbot, folder, count):
    samples = window.samples_panel
    samples.export_count.setValue(count)
    with qtbot.waitSignal(samples.export_finished, timeout=TRAIN_TIMEOUT_MS) as blocker:
        click(qtbot, samples.export_button)
    return blocker.args[0]


def test_export_images_after_training_writes_readable_pngs(window, qtbot, tmp_path, monkeypatch):
    train_to_end(window, qtbot)
    folder = tmp_path / "exported"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(folder))

    paths = export(window, qtbot, folder, 5)

    assert len(paths) == 5 and all(path.parent.parent == folder for path in paths)  # a folder per class
    assert [path.parent.name for path in paths] == ["circle", "square", "triangle", "cross", "circle"]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (32, 32) and image.mode == "RGB"
    assert window.samples_panel.message.text() == f"Exported 5 images to {folder}."

    again = export(window, qtbot, folder, 2)
    assert again[0].parent.parent.parent == folder, "a folder with files gets a new sub-folder, never mixed files"


def test_export_during_training_saves_a_checkpoint_first(open_window, qtbot, tmp_path, monkeypatch):
    window = open_window(tiny_run_config(steps=100_000))
    click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: window.curves_panel.point_count() >= 2, timeout=TRAIN_TIMEOUT_MS)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path / "live"))

    paths = export(window, qtbot, tmp_path / "live", 3)

    assert len(paths) == 3
    with Image.open(paths[0]) as image:
        assert image.size == (32, 32)
    assert window.is_training()


def test_save_grid_png_writes_the_grid_shown(window, qtbot, tmp_path, monkeypatch):
    train_to_end(window, qtbot)
    target = tmp_path / "grid"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PNG images (*.png)"))
    click(qtbot, window.samples_panel.save_grid_button)
    with Image.open(target.with_suffix(".png")) as image:
        shown = window.samples_panel.view.image_array()
        assert image.size == (shown.shape[1], shown.shape[0])
