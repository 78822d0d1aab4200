"""What the training panel says before and during a run: the time to a first recognisable grid,
then speed, time left and quality."""

from tests.gui.helpers import LOAD_TIMEOUT_MS, TRAIN_TIMEOUT_MS, click, tiny_run_config, type_into


def test_the_panel_estimates_the_time_to_a_recognisable_grid_and_updates_it(window, qtbot):
    label = window.training_panel.outlook_label
    qtbot.waitUntil(lambda: label.text().startswith("First recognisable grid in about"), timeout=LOAD_TIMEOUT_MS)
    assert label.isVisible() and "steps/s measured here" in label.text()

    type_into(qtbot, window.training_panel.train_form.editor("batch_size"), "8")
    qtbot.waitUntil(lambda: label.text().startswith("Measuring"), timeout=5_000)
    qtbot.waitUntil(lambda: label.text().startswith("First recognisable grid"), timeout=LOAD_TIMEOUT_MS)

    window.training_panel.model_form.editor("name").setCurrentIndex(
        window.training_panel.model_form.editor("name").findData("vae"))
    qtbot.waitUntil(lambda: "no estimate" in label.text(), timeout=LOAD_TIMEOUT_MS)


def test_while_training_the_progress_line_shows_speed_time_left_and_quality(qtbot, open_window):
    config = tiny_run_config(steps=40)
    config.train.eval_every, config.train.eval_samples = 20, 32
    window = open_window(config)
    panel = window.training_panel
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: not panel.outlook_label.isVisible(), timeout=5_000)
    speed = panel.speed_label.text()
    assert "img/s · ETA 0:00 · FD " in speed, speed
    assert "FD " in window.status_line.text()
