"""Dataset loads as the GUI runs them (background tasks on their own threads): cancelling and restarting at once, as the dataset
panel does when the source changes, never fails or mixes loads, and a load from a QThread
finishes while other threads import modules and compute."""

import importlib
import sys
import threading

import numpy as np
import pytest
from studio.core.config import DataConfig
from studio.core.data.jobs import load_for_training
from studio.gui.tasks import Task, ThreadHost
from tests.data_files import png_bytes
from tests.gui.helpers import LOAD_TIMEOUT_MS


class Outcomes:
    """Collects every load's outcome (the task's signals arrive on the GUI thread)."""

    def __init__(self) -> None:
        self.failures, self.loaded = [], []


def _folder(root, count: int, red: int):
    """``count`` images whose green and blue channels spell out their index; red tells the folders apart."""
    root.mkdir()
    for index in range(count):
        (root / f"{index:04d}.png").write_bytes(png_bytes((red, index % 256, index // 256), size=(16, 16)))
    return root


def _start(host: ThreadHost, outcomes: Outcomes, source) -> Task:
    task = host.run(load_for_training, DataConfig(source=str(source), resolution=16), doing="Loading the dataset",
                    on_error=outcomes.failures.append)
    task.returned.connect(lambda loaded: outcomes.loaded.append((task, loaded[0])))
    return task


def _rows_are(dataset, count: int, red: int) -> None:
    pixels = dataset.images.numpy()
    assert pixels.shape == (count, 3, 16, 16)
    assert np.all(pixels[:, 0] == red)
    assert np.array_equal(pixels[:, 1, 0, 0].astype(int) + 256 * pixels[:, 2, 0, 0].astype(int), np.arange(count))


@pytest.fixture
def host(qtbot):
    threads = ThreadHost()
    yield threads
    threads.shutdown()


def test_fifty_cancel_and_restarts_then_one_load_with_the_right_rows(tmp_path, qtbot, host):
    sources = {red: _folder(tmp_path / f"set-{red}", 300, red) for red in (0, 255)}
    outcomes = Outcomes()
    worker = None
    for attempt in range(50):
        if worker is not None:
            worker.cancel()
        worker = _start(host, outcomes, sources[255 * (attempt % 2)])
    worker.cancel()
    last = _start(host, outcomes, sources[0])
    qtbot.waitUntil(lambda: any(sender is last for sender, _ in outcomes.loaded), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: host.running() == 0, timeout=LOAD_TIMEOUT_MS)
    assert outcomes.failures == []
    for _, dataset in outcomes.loaded:  # a load that finished before its cancel arrived is whole and unmixed
        red = int(dataset.images[0, 0, 0, 0])
        assert red in sources
        _rows_are(dataset, 300, red)
    _rows_are(next(dataset for sender, dataset in outcomes.loaded if sender is last), 300, 0)


def test_a_600_file_load_from_a_qthread_finishes_while_other_threads_import_and_compute(tmp_path, qtbot, host):
    source = _folder(tmp_path / "set", 600, 90)
    outcomes = Outcomes()
    stop = threading.Event()

    import PIL.Image

    PIL.Image.init()
    plugins = sorted(name for name in sys.modules if name.startswith("PIL.") and name.endswith("ImagePlugin"))

    def import_plugins(share: int) -> None:
        while not stop.is_set():
            for name in plugins[share::2]:
                importlib.reload(sys.modules[name])  # holds that module's import lock while it runs

    def compute() -> None:
        matrix = np.random.default_rng(0).random((200, 200))
        while not stop.is_set():
            matrix = np.linalg.inv(matrix @ matrix.T + np.eye(200))

    busy = [threading.Thread(target=import_plugins, args=(share,), daemon=True) for share in (0, 1)]
    busy.append(threading.Thread(target=compute, daemon=True))
    for thread in busy:
        thread.start()
    try:
        worker = _start(host, outcomes, source)
        qtbot.waitUntil(lambda: bool(outcomes.loaded) or bool(outcomes.failures), timeout=LOAD_TIMEOUT_MS)
    finally:
        stop.set()
        for thread in busy:
            thread.join()
    assert outcomes.failures == []
    sender, dataset = outcomes.loaded[0]
    assert sender is worker
    _rows_are(dataset, 600, 90)
