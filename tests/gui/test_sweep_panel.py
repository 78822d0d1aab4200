"""The Sweep tab, driven through its real widgets: a real 3-trial sweep at 16 px on a tiny demo set,
pause, resume, stop and continue without repeating a trial, a trial's run opened by double-click, the
best trial trained further in the studio, the report, and a damaged sweep folder."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from studio.core.config import DataConfig
from studio.core.sweep.jobs import sweep_results
from studio.gui.session import ONE_LONG_JOB
from studio.gui.sweep.panel import NO_DATA, NO_FOLDER
from tests.gui.helpers import LOAD_TIMEOUT_MS, TRAIN_TIMEOUT_MS, click, tiny_run_config, type_into

SWEEP_TIMEOUT_MS = TRAIN_TIMEOUT_MS
SEARCHED = ("lr_g", "lr_d", "beta1", "loss")


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """FD's eigendecompositions on small matrices gain nothing from BLAS threads, and on a busy two-core
    machine two OpenBLAS threads that spin-wait on each other made each take seconds instead of 0.1 s."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not installed everywhere: the sweeps then measure more slowly, and still pass
        yield
        return
    with threadpool_limits(1):
        yield


@pytest.fixture
def sweep_window(open_window):
    config = tiny_run_config()
    config = replace(config, data=DataConfig(demo_images=64, resolution=16))
    window = open_window(config)
    window.tabs.setCurrentWidget(window.sweep_panel)
    return window


def set_spin(qtbot, spin, value: int) -> None:
    type_into(qtbot, spin.lineEdit(), str(value))
    spin.interpretText()
    assert spin.value() == value


def set_up_sweep(qtbot, panel, folder, monkeypatch) -> None:
    assert not panel.start_button.isEnabled() and panel.start_button.toolTip() == NO_FOLDER
    monkeypatch.setattr(panel, "ask_new_folder", lambda: folder)
    click(qtbot, panel.new_button)
    rows = panel.space_editor.rows
    for name, row in rows.items():
        if row.enabled.isChecked() != (name in SEARCHED):
            click(qtbot, row.enabled)
    type_into(qtbot, rows["lr_g"].low, "abc")
    problem = panel.space_editor.problem_label
    assert not panel.start_button.isEnabled()
    assert problem.isVisible() and problem.text().count(". ") == 0 and problem.text().startswith("lr_g")
    type_into(qtbot, rows["lr_g"].low, "1e-4")
    type_into(qtbot, rows["lr_g"].high, "3e-3")
    type_into(qtbot, rows["loss"].values, "bce, hinge")
    box = panel.budget_box
    set_spin(qtbot, box.trials, 3)
    set_spin(qtbot, box.steps, 12)
    set_spin(qtbot, box.eval_every, 4)
    set_spin(qtbot, box.eval_samples, 32)
    box.features.setCurrentIndex(box.features.findData("random"))
    box.device.setCurrentIndex(box.device.findData("cpu"))
    assert not problem.isVisible()
    assert "demo set: 64 images at 16 px" in box.dataset_label.text()


def run_sweep(qtbot, panel, button_text: str) -> object:
    assert panel.start_button.text() == button_text
    with qtbot.waitSignal(panel.sweep_finished, timeout=SWEEP_TIMEOUT_MS) as finished:
        click(qtbot, panel.start_button)
    return finished.args[0]


def test_a_sweep_runs_pauses_stops_continues_and_opens_its_trials(qtbot, sweep_window, tmp_path, monkeypatch):
    window, panel = sweep_window, sweep_window.sweep_panel
    folder = tmp_path / "sweep"
    set_up_sweep(qtbot, panel, folder, monkeypatch)

    assert run_sweep(qtbot, panel, "Start").reason == "trials"
    model = panel.model
    assert model.rowCount() == 3
    assert {model.cell(row, 1) for row in model.rows} <= {"complete", "pruned", "failed"}
    results = sweep_results(folder)
    assert [row.number for row in model.rows] == [row.number for row in results.trials] == [0, 1, 2]
    assert results.spec.space[0].low == 1e-4 and not next(p for p in results.spec.space if p.name == "g_width").enabled
    x = panel.plots.trial_points.xData  # as given, before the log scale
    assert len(x) == sum(row.value is not None for row in results.trials) >= 1
    best_line = list(panel.plots.best_line.yData)
    assert best_line[: len(results.best_so_far)] == [v for _, v in results.best_so_far]
    assert set(best_line[len(results.best_so_far):]) <= {results.best.value}
    for row in results.trials:
        assert list(panel.plots.curve_items[row.number].xData) == [s for s, _ in row.curve]
    assert "trials done" in panel.status_label.text()

    # Two more trials: pause and resume the first, pause it again midway and stop, then continue the sweep.
    set_spin(qtbot, panel.budget_box.trials, 5)
    assert panel.start_button.text() == "Continue"
    with qtbot.waitSignal(panel.trial_started, timeout=SWEEP_TIMEOUT_MS):
        click(qtbot, panel.start_button)
    with qtbot.waitSignal(panel.trial_paused, timeout=SWEEP_TIMEOUT_MS):  # the trial's training says it holds
        click(qtbot, panel.pause_button)
    assert panel.pause_button.text() == "Resume"
    assert not window.training_panel.train_button.isEnabled()
    assert window.training_panel.block_reason() == ONE_LONG_JOB
    click(qtbot, panel.pause_button)
    assert panel.pause_button.text() == "Pause"
    with qtbot.waitSignal(panel.trial_progressed, timeout=SWEEP_TIMEOUT_MS,
                          check_params_cb=lambda event: event.fd is not None):
        pass
    with qtbot.waitSignal(panel.trial_paused, timeout=SWEEP_TIMEOUT_MS) as paused:
        click(qtbot, panel.pause_button)
    with qtbot.waitSignal(panel.sweep_finished, timeout=SWEEP_TIMEOUT_MS) as stopped:
        click(qtbot, panel.stop_button)
    assert stopped.args[0].reason == "stopped"
    interrupted = [row for row in sweep_results(folder).trials if row.state == "RUNNING"]
    assert [row.number for row in interrupted] == [paused.args[0]] and interrupted[0].steps < 12
    assert model.cell(model.trial(paused.args[0]), 1) == "interrupted"
    assert run_sweep(qtbot, panel, "Continue").reason == "trials"
    results = sweep_results(folder)
    assert [row.number for row in results.trials] == [0, 1, 2, 3, 4]
    assert all(row.state != "RUNNING" for row in results.trials) and results.counted == 5
    assert results.trials[paused.args[0]].steps == 12  # the stopped trial was continued, not repeated
    assert model.rowCount() == 5

    # Double-click a trial: the studio opens its run.
    view = panel.table
    rect = view.visualRect(model.index(1, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.run_opened, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.session.run_path == results.trials[1].run_path

    # The report, and the best trial trained further in the studio.
    report = tmp_path / "report.md"
    monkeypatch.setattr(panel, "ask_report_file", lambda: report)
    with qtbot.waitSignal(panel.report_written, timeout=LOAD_TIMEOUT_MS):
        click(qtbot, panel.report_button)
    assert "## Trials" in report.read_text(encoding="utf-8")
    assert results.best is not None  # trial 0 trains the base settings and is never pruned
    best_step = results.best.steps
    qtbot.waitUntil(panel.continue_button.isEnabled)  # the report's job has ended

    set_spin(qtbot, panel.extra_steps, 4)
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, panel.continue_button)
        qtbot.waitUntil(window.is_training, timeout=LOAD_TIMEOUT_MS)
        assert not panel.start_button.isEnabled() and panel.problem_label.text() == ONE_LONG_JOB
    assert window.session.run_path == results.best.run_path
    assert window.session.run_step == best_step + 4


def test_a_damaged_sweep_folder_is_one_sentence_and_start_waits_for_the_data(qtbot, sweep_window, tmp_path,
                                                                             monkeypatch):
    window, panel = sweep_window, sweep_window.sweep_panel
    monkeypatch.setattr(panel, "ask_new_folder", lambda: tmp_path / "new")
    click(qtbot, panel.new_button)
    assert panel.start_button.isEnabled()
    with qtbot.waitSignal(window.dataset_loaded, timeout=LOAD_TIMEOUT_MS):
        window.load_dataset(DataConfig(demo_images=80, resolution=16))
        assert not panel.start_button.isEnabled() and panel.problem_label.text() == NO_DATA
    assert panel.start_button.isEnabled() and "80 images at 16 px" in panel.budget_box.dataset_label.text()

    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "sweep.json").write_text(json.dumps({"format": "gan-studio-sweep/1", "space": "everything"}))
    monkeypatch.setattr(panel, "ask_sweep_folder", lambda: folder)
    with qtbot.waitSignal(panel.failed, timeout=LOAD_TIMEOUT_MS) as failed:
        click(qtbot, panel.open_button)
    sentence = failed.args[0]
    assert "damaged" in sentence and "\n" not in sentence and sentence.endswith(".")
    assert panel.problem_label.text() == sentence and panel.problem_label.isVisible()
    assert panel.spec is None and panel.folder == tmp_path / "new"  # the new sweep chosen before stays
