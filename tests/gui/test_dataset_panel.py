"""The Dataset panel as an analyst uses it: drop a zip on the window, filter thumbnails by class,
choose a file, cancel a slow load; real widgets, real workers, real signals."""

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

import numpy as np

from studio.gui.dataset.panel import ALL_CLASSES, CHOOSE_FILE_LABEL
from tests.data_files import png_bytes, write_mnist, write_zip
from tests.gui.helpers import LOAD_TIMEOUT_MS


def drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))


def test_dropping_a_zip_loads_it_with_skips_classes_and_thumbnail_filter(window, qtbot, tmp_path):
    archive = write_zip(tmp_path / "pets.zip", {
        **{f"pets/cats/{i}.png": png_bytes((200, 10 * i, 0)) for i in range(3)},
        **{f"pets/dogs/{i}.png": png_bytes((0, 10 * i, 200)) for i in range(2)},
        "../escape.png": png_bytes(), "pets/dogs/empty.png": b"",
    })
    with qtbot.waitSignal(window.dataset_loaded, timeout=LOAD_TIMEOUT_MS):
        drop(window, archive)
    panel = window.dataset_panel
    assert panel.source_combo.currentData() == str(archive)
    assert panel.summary_label.text().startswith("5 images · 32×32 px · 2 classes")
    assert panel.skipped_box.title() == "Skipped files (2)"
    texts = {panel.skipped_list.item(i).text() for i in range(panel.skipped_list.count())}
    assert "pets/dogs/empty.png: empty file" in texts and any(t.startswith("../escape.png: escaping") for t in texts)
    assert "No exact duplicates" in panel.details_label.text()
    assert [panel.class_filter.itemText(i) for i in range(panel.class_filter.count())] == [ALL_CLASSES, "cats", "dogs"]
    everyone = panel.preview.image_array()
    panel.class_filter.setCurrentIndex(2)
    dogs = panel.preview.image_array()
    assert everyone[..., 0].max() > 150 and dogs[..., 0].max() < 50  # the red cats are filtered out
    assert dogs[..., 2].max() > 150
    assert panel.recent_folders()[0] == str(archive)
    assert window.training_panel.train_button.isEnabled()


def test_choosing_an_mnist_file_and_changing_options_reloads(window, qtbot, tmp_path, monkeypatch):
    images = write_mnist(tmp_path / "mnist", count=24)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(images), ""))
    combo = window.dataset_panel.source_combo
    with qtbot.waitSignal(window.dataset_loaded, timeout=LOAD_TIMEOUT_MS):
        combo.activated.emit(combo.findText(CHOOSE_FILE_LABEL))
    panel = window.dataset_panel
    assert panel.summary_label.text().startswith("24 images · 32×32 px · 10 classes")
    resolution = panel.options_form.editor("resolution")
    with qtbot.waitSignal(window.dataset_loaded, timeout=LOAD_TIMEOUT_MS):
        resolution.setCurrentIndex(resolution.findData(16))
    assert panel.summary_label.text().startswith("24 images · 16×16 px")


def test_cancel_stops_a_load_and_blocks_training_with_a_sentence(window, qtbot, tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "big.npz", images=rng.integers(0, 256, (6000, 40, 40), dtype=np.uint8))
    panel = window.dataset_panel
    panel.use_source(str(tmp_path / "big.npz"))
    qtbot.waitUntil(lambda: panel.progress_row.isVisible(), timeout=LOAD_TIMEOUT_MS)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.message_label.text().startswith("Loading the dataset was cancelled")
    assert not panel.progress_row.isVisible()
    assert window.training_panel.block_reason() == panel.message_label.text()
