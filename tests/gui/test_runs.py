"""A finished run can be reopened (curves, samples, weights back), sampled again and resumed."""

import numpy as np
from PySide6.QtWidgets import QFileDialog

from tests.gui.helpers import click, train_to_end, type_into


def test_open_run_restores_it_and_resume_continues_past_its_last_step(open_window, qtbot, monkeypatch):
    first = open_window()
    run_path = train_to_end(first, qtbot)
    first.close()

    window = open_window()
    assert window.curves_panel.point_count() == 0
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(run_path))
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        click(qtbot, window.toolbar.widgetForAction(window.open_run_action))

    assert window.curves_panel.point_count() == 15
    assert window.samples_panel.view.image_array() is not None
    assert run_path.name in window.samples_panel.caption.text()
    panel = window.training_panel
    assert panel.train_action.text() == "Resume run"
    assert panel.block_reason() == "This run is already at step 30; set a step total above it to continue training."
    assert not panel.model_form.editor("g_width").isEnabled()
    assert panel.train_form.editor("steps").isEnabled()

    type_into(qtbot, panel.train_form.editor("steps"), "50")
    qtbot.waitUntil(panel.train_button.isEnabled, timeout=30_000)
    train_to_end(window, qtbot)

    assert window.session.run_path == run_path
    assert panel.message_label.text() == "Finished at step 50."
    steps, _ = window.curves_panel.curve_data("d_loss")
    qtbot.waitUntil(lambda: window.curves_panel.curve_data("d_loss")[0].size == 25)
    steps, _ = window.curves_panel.curve_data("d_loss")
    assert steps[-1] == 50 and np.all(np.diff(steps) > 0)
    assert (run_path / "checkpoints" / "step-000050.safetensors").exists()


def test_recent_runs_menu_reopens_a_run(open_window, qtbot):
    first = open_window()
    run_path = train_to_end(first, qtbot)
    first.close()

    window = open_window()
    window.recent_menu.aboutToShow.emit()
    actions = window.recent_menu.actions()
    assert [action.text() for action in actions] == [run_path.name]
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        actions[0].trigger()
    assert window.session.run_path == run_path


def test_new_noise_after_training_renders_from_the_checkpoint(window, qtbot):
    train_to_end(window, qtbot)
    samples = window.samples_panel
    before = samples.view.image_array().copy()
    with qtbot.waitSignal(samples.samples_shown, timeout=30_000):
        click(qtbot, samples.new_noise_button)
    after = samples.view.image_array()
    assert after.shape == before.shape and not np.array_equal(after, before)
    assert "step 30" in samples.caption.text()

    with qtbot.waitSignal(samples.samples_shown, timeout=30_000):
        samples.grid_size.setCurrentIndex(samples.grid_size.findData(4))
    assert samples.view.image_array().shape[0] < before.shape[0]


def test_opening_a_folder_that_is_not_a_run_says_so(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(tmp_path))
    click(qtbot, window.toolbar.widgetForAction(window.open_run_action))
    qtbot.waitUntil(lambda: "not a GAN Studio run" in window.training_panel.message_label.text(), timeout=30_000)
    assert window.training_panel.train_action.text() == "Train"


def test_new_run_forgets_the_open_run(window, qtbot):
    train_to_end(window, qtbot)
    click(qtbot, window.toolbar.widgetForAction(window.new_run_action))
    assert window.training_panel.train_action.text() == "Train"
    assert window.curves_panel.point_count() == 0
    assert window.samples_panel.view.image_array() is None
    assert window.training_panel.model_form.editor("g_width").isEnabled()
