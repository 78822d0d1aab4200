"""Training from the window leaves one core to the GUI thread, and gives it back when it ends."""

import threading

import torch

from tests.gui.helpers import TRAIN_TIMEOUT_MS, click


def threads_of_a_new_thread() -> int:
    """The intra-op threads torch gives work started on a thread that begins now."""
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    return seen[0]


def test_training_uses_one_core_fewer_and_gives_it_back(window, qtbot):
    qtbot.waitUntil(lambda: "CPU" in window.device_label.text(), timeout=TRAIN_TIMEOUT_MS)
    torch.set_num_threads(3)  # as on a three-core machine (the suite itself trains on one thread)
    try:
        with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
            click(qtbot, window.training_panel.train_button)
        assert window.device_label.text().startswith("Device: CPU (2 threads) · ")
        assert threads_of_a_new_thread() == 3
    finally:
        torch.set_num_threads(1)
