"""Opening a run whose dataset lies outside it and was not recorded by this studio asks the analyst
first: their answer decides which dataset loads, or the run is not opened at all."""

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from studio.core.config import RunConfig
from studio.core.runs import Run
from tests.data_files import png_bytes
from tests.gui.helpers import LOAD_TIMEOUT_MS, click


def image_folder(path):
    for label, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        (path / label).mkdir(parents=True)
        for index in range(6):
            (path / label / f"{label}-{index}.png").write_bytes(png_bytes(colour, size=(32, 32)))
    return path


@pytest.fixture
def received_run(tmp_path):
    """A run as another studio would send it: its dataset is a folder outside it, with no seal of ours."""
    theirs = image_folder(tmp_path / "their-data")
    config = RunConfig()
    config.data.source = str(theirs)
    run = Run.create(tmp_path / "runs", config, {})
    info = json.loads((run.path / "run.json").read_text())
    del info["data_seal"]
    (run.path / "run.json").write_text(json.dumps(info))
    return run.path, theirs


def answer(qtbot, button_name: str, seen: list) -> None:
    """Click ``button_name`` in the question as soon as it is shown (it runs its own event loop);
    stops looking after a minute so that a failing test leaves no timer behind."""
    def click_when_shown(tries_left: int = 3000) -> None:
        box = QApplication.activeModalWidget()
        if box is None or box.objectName() != "foreignDataQuestion":
            if tries_left:
                QTimer.singleShot(20, lambda: click_when_shown(tries_left - 1))
            return
        seen.append(box.text())
        qtbot.mouseClick(box.findChild(QPushButton, button_name), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click_when_shown)


def open_from_toolbar(window, qtbot, monkeypatch, run_path, chosen_data=None):
    def dialog(parent, caption, *args, **kwargs):
        return str(chosen_data) if caption == "Choose the dataset for this run" else str(run_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", dialog)
    click(qtbot, window.toolbar.widgetForAction(window.open_run_action))


@pytest.mark.parametrize("button", ["useRecordedDataButton", "chooseOtherDataButton"])
def test_the_analyst_chooses_the_dataset_of_a_received_run(window, qtbot, monkeypatch, received_run, tmp_path, button):
    run_path, theirs = received_run
    mine = image_folder(tmp_path / "my-data")
    expected = str(theirs if button == "useRecordedDataButton" else mine)
    seen = []
    answer(qtbot, button, seen)
    with qtbot.waitSignal(window.run_opened, timeout=LOAD_TIMEOUT_MS):
        open_from_toolbar(window, qtbot, monkeypatch, run_path, chosen_data=mine)
    assert f"'{theirs}'" in seen[0] and "not created by this studio" in seen[0]
    assert window.session.run_path == run_path
    assert window.dataset_panel.data_config().source == expected
    qtbot.waitUntil(lambda: window.session.dataset_config is not None and window.session.dataset_config.source == expected,
                    timeout=LOAD_TIMEOUT_MS)
    reopened = Run.open(run_path)
    assert reopened.config.data.source == expected and reopened.data_config().source == expected  # remembered


def test_cancelling_the_question_leaves_the_run_closed_and_unread(window, qtbot, monkeypatch, received_run):
    run_path, theirs = received_run
    before = (run_path / "run.json").read_text()
    loaded_before = window.session.dataset_config
    seen = []
    answer(qtbot, "cancelOpenRunButton", seen)
    open_from_toolbar(window, qtbot, monkeypatch, run_path)
    qtbot.waitUntil(lambda: "was not opened" in window.training_panel.message_label.text(), timeout=LOAD_TIMEOUT_MS)
    assert seen and window.session.run_path is None
    assert window.training_panel.train_action.text() == "Train"
    assert window.session.dataset_config == loaded_before and window.dataset_panel.data_config().source != str(theirs)
    assert (run_path / "run.json").read_text() == before
