"""Continuing a sweep from someone else whose dataset lies outside its folder: the Sweep tab asks first, as
for a run; declining changes nothing, and the dataset chosen instead is what the trials train on."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QFileDialog

from studio.core.config import DataConfig
from studio.core.sweep.jobs import create_sweep, plan_sweep
from studio.core.sweep.runner import TrialOutcome
from studio.core.sweep.spec import read_spec
from studio.gui.sweep.panel import SweepPanel
from studio.gui.tasks import ThreadHost
from tests.data_files import shapes_folder
from tests.gui.helpers import LOAD_TIMEOUT_MS, click
from tests.gui.test_foreign_data import answer


@pytest.fixture
def received_sweep(tmp_path):
    """A sweep as another studio would send it: its dataset is a folder outside it, with no seal of ours."""
    theirs = shapes_folder(tmp_path / "their-data", {"circle": 6, "square": 6})
    folder = tmp_path / "sweep"
    create_sweep(folder, plan_sweep(DataConfig(source=str(theirs), resolution=16),
                                    SimpleNamespace(class_names=["circle", "square"]), steps=4, eval_every=4,
                                    features="random", trials=1, device="cpu"))
    spec = json.loads((folder / "sweep.json").read_text())
    spec["data_seal"] = ""
    (folder / "sweep.json").write_text(json.dumps(spec))
    return folder, theirs


def open_received(qtbot, panel, folder) -> None:
    """Open the sweep and wait until Start may be pressed (the opening task has ended)."""
    with qtbot.waitSignal(panel.opened, timeout=LOAD_TIMEOUT_MS):
        panel.open_sweep(folder)
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=LOAD_TIMEOUT_MS)


@pytest.fixture
def panel(qtbot):
    trained = []

    def train_trial(job, hooks):
        trained.append(job)
        hooks.report(job.config.train.steps, 1.0)
        return TrialOutcome(job.config.train.steps)

    host = ThreadHost()
    widget = SweepPanel(host, train_trial=train_trial)
    widget.trained = trained
    qtbot.addWidget(widget)
    yield widget
    host.shutdown()


def test_declining_the_question_leaves_the_received_sweep_as_it_was(qtbot, panel, received_sweep):
    folder, theirs = received_sweep
    open_received(qtbot, panel, folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    seen = []
    answer(qtbot, "cancelOpenRunButton", seen)
    with qtbot.waitSignal(panel.failed, timeout=LOAD_TIMEOUT_MS) as failed:
        click(qtbot, panel.start_button)
    assert f"'{theirs}'" in seen[0] and "sweep" in seen[0] and "not created by this studio" in seen[0]
    assert failed.args[0] == "The sweep 'sweep' was not continued: its dataset was not approved."
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before
    assert panel.trained == [] and panel.sweep.worker is None


def test_the_dataset_chosen_instead_is_what_the_trials_train_on(qtbot, panel, received_sweep, tmp_path, monkeypatch):
    folder, _ = received_sweep
    mine = shapes_folder(tmp_path / "my-data", {"circle": 6, "square": 6})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(mine))
    open_received(qtbot, panel, folder)
    answer(qtbot, "chooseOtherDataButton", [])
    with qtbot.waitSignal(panel.sweep_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        click(qtbot, panel.start_button)
    assert finished.args[0].reason == "trials"
    assert [job.config.data.source for job in panel.trained] == [str(mine)]
    assert panel.trained[0].seal_data, "chosen here: the trial's run may carry this studio's seal"
    spec = read_spec(folder)
    assert spec.data.source == str(mine) and spec.data_chosen_here()  # remembered: not asked again
