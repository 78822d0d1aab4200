"""The task runner's promises: results, progress and errors arrive on the GUI thread; cancel is silent."""

from __future__ import annotations

import threading

import pytest

from studio.core.errors import StudioError
from studio.core.tasks import TaskState
from studio.gui.tasks import ThreadHost

GUI_THREAD = threading.get_ident()


def count_to(n: int, task: TaskState) -> int:
    for done in range(1, n + 1):
        task.check("Counting")
        task.progress(done, n)
    return n


def wait_for_cancel(started: threading.Event, task: TaskState) -> None:
    started.set()
    while True:
        task.check("Waiting")
        threading.Event().wait(0.005)


def refuse() -> None:
    raise StudioError("The folder holds no images.")


def crash() -> None:
    raise KeyError("size")


@pytest.fixture
def host():
    host = ThreadHost()
    yield host
    host.shutdown()


def test_result_and_progress_arrive_on_the_gui_thread(qtbot, host):
    seen = {"progress": [], "threads": set()}

    def on_progress(done, total):
        seen["progress"].append((done, total))
        seen["threads"].add(threading.get_ident())

    task = host.run(count_to, 200, doing="Counting", on_progress=on_progress,
                    on_result=lambda value: seen["threads"].add(threading.get_ident()))
    with qtbot.waitSignal(task.returned, timeout=10_000) as result:
        pass
    qtbot.waitUntil(lambda: host.running() == 0, timeout=10_000)
    assert result.args == [200]
    assert seen["progress"][-1] == (200, 200)
    assert seen["threads"] == {GUI_THREAD}


def test_a_studio_error_is_its_own_sentence_and_a_bug_names_the_action(qtbot, host):
    refused = host.run(refuse, doing="Loading the dataset")
    with qtbot.waitSignal(refused.failed, timeout=10_000) as sentence:
        pass
    assert sentence.args == ["The folder holds no images."]
    crashed = host.run(crash, doing="Loading the dataset")
    with qtbot.waitSignal(crashed.failed, timeout=10_000) as sentence:
        pass
    assert sentence.args[0].startswith("Loading the dataset failed unexpectedly (KeyError")


def test_a_cancelled_task_ends_without_a_result_or_an_error(qtbot, host):
    started = threading.Event()
    outcomes = []
    task = host.run(wait_for_cancel, started, doing="Waiting", on_result=outcomes.append, on_error=outcomes.append)
    assert started.wait(10)
    with qtbot.waitSignal(task.done, timeout=10_000):
        task.cancel()
    qtbot.wait(50)
    assert outcomes == [] and task.is_cancelled()


def test_shutdown_cancels_running_tasks_and_waits_for_their_threads(qtbot):
    host = ThreadHost()
    started = threading.Event()
    host.run(wait_for_cancel, started, doing="Waiting")
    assert started.wait(10)
    host.shutdown()
    assert host.running() == 0


def test_task_state_reports_the_last_step_even_when_throttled():
    reports = []
    state = TaskState(lambda done, total: reports.append((done, total)), interval_s=3600)
    for done in range(1, 101):
        state.progress(done, 100)
    assert reports == [(1, 100), (100, 100)]
