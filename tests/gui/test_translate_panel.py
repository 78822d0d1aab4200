"""The Translate tab, driven through its real buttons: choose the two sets, train a few steps while the
live row updates, drop an image and move the strength, export the translated folder."""

import csv

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from studio.gui.tasks import ThreadHost
from studio.gui.translate.panel import TranslatePanel
from tests.gui.helpers import LOAD_TIMEOUT_MS, TRAIN_TIMEOUT_MS, click
from tests.gui.test_explorer_projection import drop
from tests.translation_files import translation_sets


@pytest.fixture
def panel(qtbot):
    host = ThreadHost()
    panel = TranslatePanel(host)
    qtbot.addWidget(panel)
    panel.resize(1100, 900)
    panel.show()
    yield panel
    host.shutdown()


def choose_folder(qtbot, panel, monkeypatch, button, folder, loaded_signal=None):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(folder))
    if loaded_signal is None:
        click(qtbot, button)
        return
    with qtbot.waitSignal(loaded_signal, timeout=LOAD_TIMEOUT_MS):
        click(qtbot, button)


def test_choose_sets_train_watch_drop_an_image_and_export(qtbot, panel, monkeypatch, tmp_path):
    source, target = translation_sets(tmp_path / "sets")
    for which, folder in (("source", source), ("target", target)):
        choose_folder(qtbot, panel, monkeypatch, panel.boxes[which].choose, folder, panel.set_loaded)
    assert "8 images at 32 px" in panel.boxes["source"].summary.text()
    panel.resolution.setCurrentText("16")  # both sets are read again at the new resolution
    qtbot.waitUntil(lambda: all(dataset is not None and dataset.resolution == 16 for dataset in panel.sets.values()),
                    timeout=LOAD_TIMEOUT_MS)
    assert "8 images at 16 px" in panel.boxes["target"].summary.text()
    panel.steps.setValue(4)
    previews = []
    panel.preview_updated.connect(previews.append)
    with qtbot.waitSignal(panel.training_finished, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, panel.train)
        assert not panel.train.isEnabled() and panel.stop.isEnabled()
    assert previews == [0, 4] and panel.preview.image_array() is not None
    assert "Finished at step 4" in panel.status.text()
    assert panel.buffer is not None and panel.buffer.column("step").tolist() == [4.0]

    image = next(source.rglob("*.png"))
    with qtbot.waitSignal(panel.translated, timeout=LOAD_TIMEOUT_MS) as full:
        assert drop(panel.apply.view, image)
    sources = full.args[0].request.images.transpose(0, 2, 3, 1)
    assert len(sources) == 1 and not np.array_equal(full.args[0].translations, sources)
    with qtbot.waitSignal(panel.translated, timeout=LOAD_TIMEOUT_MS,
                          check_params_cb=lambda result: result.request.strength == 0.0) as none:
        panel.apply.strength.setValue(0.0)
    assert np.array_equal(none.args[0].translations, sources)
    assert panel.apply.view.image_array() is not None

    choose_folder(qtbot, panel, monkeypatch, panel.apply.choose_folder, source)
    qtbot.waitUntil(lambda: panel.apply.export.isEnabled(), timeout=LOAD_TIMEOUT_MS)
    out = tmp_path / "exports"
    out.mkdir()
    with qtbot.waitSignal(panel.exported, timeout=LOAD_TIMEOUT_MS) as exported:
        choose_folder(qtbot, panel, monkeypatch, panel.apply.export, out)
    folder = exported.args[0]
    with open(folder / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["file"] for row in rows) == sorted(p.relative_to(source).as_posix() for p in source.rglob("*.png"))
    assert "Wrote 8 translations" in panel.apply.message.text()


def test_a_run_trained_before_opens_and_translates_and_a_generation_run_is_refused(qtbot, panel, monkeypatch, tmp_path, trained_run):
    from studio.core.translation.data import load_config_pair, new_translation_run
    from studio.core.translation.trainer import TranslationTrainer
    from tests.translation_files import tiny_translation_config

    sets = translation_sets(tmp_path / "sets")
    config = tiny_translation_config(*sets, steps=3)
    pair = load_config_pair(config)
    run = new_translation_run(tmp_path, config, pair, name="earlier")
    TranslationTrainer(run, pair).run()

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(trained_run.path))
    click(qtbot, panel.open_run)
    qtbot.waitUntil(lambda: "is not a style-transfer" in panel.status.text(), timeout=LOAD_TIMEOUT_MS)
    assert panel.run_path is None and not panel.apply.choose_image.isEnabled()

    with qtbot.waitSignal(panel.run_opened, timeout=LOAD_TIMEOUT_MS):
        choose_folder(qtbot, panel, monkeypatch, panel.open_run, run.path)
    assert "at step 3" in panel.status.text() and panel.preview.image_array() is not None
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(next(sets[0].rglob("*.png"))), ""))
    with qtbot.waitSignal(panel.translated, timeout=LOAD_TIMEOUT_MS) as translated:
        click(qtbot, panel.apply.choose_image)
    assert translated.args[0].step == 3
