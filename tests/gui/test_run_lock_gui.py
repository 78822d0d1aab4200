"""The window refuses to resume a run that another process trains, names that process, and resumes
once it is gone; opening the run meanwhile works."""

import re

from PySide6.QtWidgets import QFileDialog

from studio.core.run_lock import holder
from tests.gui.helpers import TRAIN_TIMEOUT_MS, click, train_to_end, type_into
from tests.lock_holder import kill_hard, lock_held_elsewhere


def test_resume_is_refused_while_another_process_trains_the_run(open_window, qtbot, monkeypatch):
    first = open_window()
    run_path = train_to_end(first, qtbot)
    first.close()

    window = open_window()
    panel = window.training_panel
    with lock_held_elsewhere(run_path) as other:
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(run_path))
        with qtbot.waitSignal(window.run_opened, timeout=30_000):
            click(qtbot, window.toolbar.widgetForAction(window.open_run_action))
        assert panel.message_label.text() == "Opened {} at step 30.".format(run_path.name)

        type_into(qtbot, panel.train_form.editor("steps"), "50")
        qtbot.waitUntil(panel.train_button.isEnabled, timeout=30_000)
        with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
            click(qtbot, panel.train_button)
        assert re.fullmatch(rf"This run is being trained by process {other.pid} since \d{{1,2}}:\d{{2}}; .+\.",
                            panel.message_label.text())
        assert window.statusBar().currentMessage() == panel.message_label.text()
        assert not (run_path / "checkpoints" / "step-000040.safetensors").exists()
        assert '"steps": 30' in (run_path / "run.json").read_text(), "the run's config was left alone"

        kill_hard(other)
        assert holder(run_path) is None
        qtbot.waitUntil(panel.train_button.isEnabled, timeout=30_000)
        train_to_end(window, qtbot)
    assert panel.message_label.text() == "Finished at step 50."
    assert (run_path / "checkpoints" / "step-000050.safetensors").exists()
