"""The decoding workers: a cancelled or stalled load stops and leaves no process behind, and
loads running at the same time never mix their images."""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from studio.core.data import parallel
from studio.core.data.preprocess import Preprocess
from studio.core.data.readers import FolderReader
from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState
from tests.data_files import png_bytes


class RecordingReader(FolderReader):
    """Reads like a folder, noting which worker processes did; ``stuck`` is never read to the end."""

    def __init__(self, root: Path, pids: Path, stuck: str = "") -> None:
        super().__init__(root, max_bytes=10**6)
        self.pids, self.stuck = pids, stuck

    def __call__(self, name: str) -> bytes:
        (self.pids / str(os.getpid())).touch()
        if name == self.stuck:
            time.sleep(3600)
        return super().__call__(name)


def _folder(root: Path, count: int, red: int = 0) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (root / f"{index:04d}.png").write_bytes(png_bytes((red, index % 256, index // 256), size=(12, 12)))
    return [f"{index:04d}.png" for index in range(count)]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").exists() is False  # a zombie still answers kill(0) but is reaped here


def test_cancel_stops_the_workers_and_leaves_no_process(tmp_path):
    names = _folder(tmp_path / "set", 200)
    pids = tmp_path / "pids"
    pids.mkdir()
    reader = RecordingReader(tmp_path / "set", pids, stuck=names[150])
    task = TaskState(lambda done, total: task.cancel())  # cancelled once the first files are decoded
    with pytest.raises(Cancelled, match="^Loading the dataset was cancelled.$"):
        parallel.decode_all(names, reader, Preprocess(resolution=8), task)
    workers = [int(path.name) for path in pids.iterdir()]
    assert workers and os.getpid() not in workers
    assert all(_gone(pid) for pid in workers)


def test_a_load_that_stops_progressing_names_the_file_and_ends_its_workers(tmp_path):
    names = _folder(tmp_path / "set", 40)
    pids = tmp_path / "pids"
    pids.mkdir()
    reader = RecordingReader(tmp_path / "set", pids, stuck=names[7])
    with pytest.raises(StudioError, match=r"^Loading the dataset stopped while reading '0007.png': no file finished in 0.5 s"):
        parallel.decode_all(names, reader, Preprocess(resolution=8), stall_seconds=0.5)
    assert all(_gone(int(path.name)) for path in pids.iterdir())


def test_loads_running_at_once_keep_their_own_images_in_their_own_rows(tmp_path):
    folders = {red: tmp_path / f"set-{red}" for red in (0, 255)}
    names = {red: _folder(folder, 120, red) for red, folder in folders.items()}
    results, errors = {}, []

    def run(red: int) -> None:
        try:
            results[red] = parallel.decode_all(names[red], FolderReader(folders[red], 10**6), Preprocess(resolution=8))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(red,)) for red in folders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for red, (pixels, outcomes) in results.items():
        assert all(reason is None for reason, _, _ in outcomes)
        assert np.all(pixels[:, 0] == red)
        assert np.array_equal(pixels[:, 1, 0, 0], np.arange(120) % 256)
