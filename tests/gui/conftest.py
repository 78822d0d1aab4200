"""Fixtures for GUI tests: offscreen Qt and a window set up for a tiny run (the private studio
home comes from tests/conftest.py).

The tiny run (128 demo images, 8-channel DCGAN, batch 16) trains 30 steps in about a second on
two CPU cores, so the tests exercise the real workers, trainer and files without waiting.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QRect  # noqa: E402

from studio.core.config import RunConfig  # noqa: E402
from tests.gui.helpers import LOAD_TIMEOUT_MS, TRAIN_TIMEOUT_MS, tiny_run_config  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny models gain nothing from intra-op threads, and on a busy two-core laptop two OpenMP
    threads that wait on each other made a 30-step run take 25 s instead of 2 s."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


TEST_SCREEN = QRect(0, 0, 1366, 768)


@pytest.fixture
def open_window(qtbot):
    """Opens MainWindows that start on a given config (written as last-used settings), data loaded.

    The fixture keeps each window alive until teardown (qtbot only holds a weak reference), then
    stops any training and closes it, so its threads always end before the window is destroyed.
    """
    from studio.gui.main_window import MainWindow
    from studio.gui.settings import StudioSettings

    windows = []

    def open_(config: RunConfig | None = None) -> MainWindow:
        settings = StudioSettings()
        settings.set_run_config(config or tiny_run_config())
        settings.sync()
        window = MainWindow()
        windows.append(window)
        qtbot.addWidget(window, before_close_func=_stop_training)
        window.show()
        window.window_layout.fit_to_screen(TEST_SCREEN)  # a laptop's screen, not the offscreen 800×800
        with qtbot.waitSignal(window.dataset_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start()
        return window

    yield open_
    for window in windows:
        _stop_training(window)
        window.close()


def _stop_training(window) -> None:
    """Teardown: a test that leaves training running gets it stopped (checkpoint saved) first."""
    from PySide6.QtCore import QEventLoop, QTimer

    if not window.is_training():
        return
    loop = QEventLoop()
    window.training_ended.connect(loop.quit)
    QTimer.singleShot(TRAIN_TIMEOUT_MS, loop.quit)
    window.stop_training()
    loop.exec()


@pytest.fixture
def window(open_window):
    return open_window()
