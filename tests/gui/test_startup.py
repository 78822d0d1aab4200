"""Opening the studio: a window at once, then the demo data behind it, never torch up front."""

import subprocess
import sys

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QFileDialog

from studio.gui.dataset.panel import CHOOSE_LABEL, DEMO_LABEL


def test_window_opens_on_the_demo_dataset(window):
    panel = window.dataset_panel
    assert window.isVisible()
    assert panel.source_combo.currentText() == DEMO_LABEL
    assert panel.summary_label.text().startswith("128 images · 32×32 px · 4 classes")
    classes = {panel.classes.topLevelItem(i).text(0): panel.classes.topLevelItem(i).text(1)
               for i in range(panel.classes.topLevelItemCount())}
    assert classes == {"circle": "32", "square": "32", "triangle": "32", "cross": "32"}
    preview = panel.preview.image_array()
    assert preview is not None and preview.shape[2] == 3 and preview.std() > 10
    assert not panel.progress_bar.isVisible()
    assert window.training_panel.train_button.isEnabled()
    assert window.training_panel.block_reason() == ""


def test_device_is_named_in_the_toolbar(window, qtbot):
    qtbot.waitUntil(lambda: "CPU" in window.device_label.text(), timeout=30_000)
    assert "CPU" in window.training_panel.device_label.text()


def test_gui_modules_do_not_import_torch_at_start_up():
    code = (
        "import sys; import studio.gui.app, studio.gui.main_window; "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.stdout.strip() == "False", result.stderr


def test_a_folder_without_images_is_one_sentence_and_blocks_train(window, qtbot, tmp_path, monkeypatch):
    empty = tmp_path / "no-images"
    empty.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(empty))
    combo = window.dataset_panel.source_combo
    combo.activated.emit(combo.findText(CHOOSE_LABEL))
    qtbot.waitUntil(lambda: window.dataset_panel.message_label.isVisible(), timeout=30_000)
    sentence = window.dataset_panel.message_label.text()
    assert combo.currentData() == str(empty)
    assert sentence.endswith(".") and "Traceback" not in sentence and "\n" not in sentence
    assert not window.training_panel.train_button.isEnabled()
    assert window.training_panel.block_reason() == sentence


def test_a_folder_dataset_shows_classes_and_skipped_files_with_reasons(window, qtbot, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for index in range(3):
            Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(
                tmp_path / "photos" / name / f"{index}.png")
    (tmp_path / "photos" / "cats" / "broken.png").write_bytes(b"not a png")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path / "photos"))
    combo = window.dataset_panel.source_combo
    with qtbot.waitSignal(window.dataset_loaded, timeout=30_000):
        combo.activated.emit(combo.findText(CHOOSE_LABEL))

    panel = window.dataset_panel
    assert panel.summary_label.text().startswith("6 images · 32×32 px · 2 classes")
    assert panel.classes.topLevelItemCount() == 2
    assert panel.skipped_box.isVisible() and panel.skipped_box.title() == "Skipped files (1)"
    assert panel.skipped_list.item(0).text() == "cats/broken.png: not an image"
    assert not panel.options_form.editor("demo_images").isEnabled()
    assert window.training_panel.train_button.isEnabled()
