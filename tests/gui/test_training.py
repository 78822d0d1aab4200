"""Training from the window: curves and samples appear, Pause holds, Stop and closing save a checkpoint."""

import numpy as np

from tests.gui.helpers import TRAIN_TIMEOUT_MS, click, tiny_run_config


def checkpoints(window):
    return sorted((window.session.run_path / "checkpoints").glob("step-*.safetensors"))


def test_train_draws_curves_and_a_changing_sample_grid(window, qtbot):
    panel = window.training_panel
    grids = []
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        with qtbot.waitSignal(window.samples_panel.samples_shown, timeout=TRAIN_TIMEOUT_MS):
            click(qtbot, panel.train_button)
        grids.append(window.samples_panel.view.image_array().copy())
    grids.append(window.samples_panel.view.image_array().copy())

    assert window.curves_panel.point_count() == 15
    qtbot.waitUntil(lambda: window.curves_panel.curve_data("g_loss")[0].size == 15)
    steps, g_loss = window.curves_panel.curve_data("g_loss")
    assert steps[-1] == 30 and np.isfinite(g_loss).all()
    assert grids[0].shape == grids[1].shape and not np.array_equal(grids[0], grids[1])
    assert "step 30/30" in window.status_line.text()
    assert panel.progress_bar.value() == 30
    assert panel.message_label.text() == "Finished at step 30."
    assert checkpoints(window)[-1].name == "step-000030.safetensors"
    assert panel.train_action.text() == "Resume run"


def test_pause_holds_training_and_stop_saves_a_checkpoint(qtbot, open_window):
    window = open_window(tiny_run_config(steps=100_000))
    panel = window.training_panel
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: window.curves_panel.point_count() >= 3, timeout=TRAIN_TIMEOUT_MS)

    with qtbot.waitSignal(window.training_paused, timeout=TRAIN_TIMEOUT_MS):  # the trainer says it holds
        click(qtbot, panel.pause_button)
    assert panel.pause_action.text() == "Resume"
    assert "paused" in window.status_line.text()

    held = window.curves_panel.point_count()
    click(qtbot, panel.pause_button)
    assert panel.pause_action.text() == "Pause"
    qtbot.waitUntil(lambda: window.curves_panel.point_count() > held + 2, timeout=TRAIN_TIMEOUT_MS)

    with qtbot.waitSignal(window.training_paused, timeout=TRAIN_TIMEOUT_MS) as paused:
        click(qtbot, panel.pause_button)
    assert panel.message_label.text() == f"Paused at step {paused.args[0]:,}."
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, panel.stop_button)
    assert panel.message_label.text().startswith("Stopped at step ")
    stopped_at = int(panel.message_label.text().split()[3].rstrip(";").replace(",", ""))
    assert stopped_at == paused.args[0]  # not one step was trained while paused
    assert checkpoints(window)[-1].name == f"step-{stopped_at:06d}.safetensors"
    assert panel.train_button.isEnabled()


def test_closing_while_training_stops_and_saves_first(qtbot, open_window):
    window = open_window(tiny_run_config(steps=100_000))
    click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: window.curves_panel.point_count() >= 2, timeout=TRAIN_TIMEOUT_MS)
    run_path = window.session.run_path

    window.close()
    assert window.isVisible(), "the window must wait for the checkpoint, not vanish mid-save"
    assert "Stopping" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TRAIN_TIMEOUT_MS)
    assert list((run_path / "checkpoints").glob("step-*.safetensors"))
