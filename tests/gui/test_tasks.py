"""The task runner's promises: results, progress and errors arrive on the GUI thread; cancel is silent."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject, Signal

from studio.core.errors import StudioError
from studio.core.tasks import TaskState
from studio.gui.mailbox import Mailbox
from studio.gui.tasks import JobSlots, ThreadHost

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
    qtbot.waitUntil(lambda: host.running() == 0, timeout=10_000)  # a result or an error would have come before
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


def test_the_host_keeps_a_task_until_every_done_slot_has_run(qtbot, host):
    task = host.run(count_to, 3, doing="Counting")
    alive = weakref.ref(task)
    seen = []
    task.done.connect(lambda: (gc.collect(), seen.append(alive() is not None)))  # connected after the host's slot
    del task
    qtbot.waitUntil(lambda: host.running() == 0, timeout=10_000)
    assert seen == [True]


def test_job_slots_hear_only_the_latest_job_of_a_key_and_free_the_key_first(qtbot, host):
    slots = JobSlots(host)
    started = threading.Event()
    heard, busy_when_answered = [], []
    slots.start("count", wait_for_cancel, started, doing="Waiting", on_result=heard.append, on_error=heard.append,
                on_done=lambda cancelled: heard.append(("first done", cancelled)))
    assert started.wait(10) and slots.busy("count")
    slots.start("count", count_to, 5, doing="Counting", on_done=lambda cancelled: heard.append(("done", cancelled)),
                on_result=lambda value: (heard.append(value), busy_when_answered.append(slots.busy("count"))))
    qtbot.waitUntil(lambda: host.running() == 0, timeout=10_000)
    assert heard == [("done", False), 5]  # the replaced job was cancelled and never heard from
    assert busy_when_answered == [False]


def test_job_slots_say_a_cancelled_job_ended_cancelled_and_drop_its_answer(qtbot, host):
    slots = JobSlots(host)
    started = threading.Event()
    heard = []
    slots.start("wait", wait_for_cancel, started, doing="Waiting", on_result=heard.append, on_error=heard.append,
                on_done=lambda cancelled: heard.append(("done", cancelled)))
    assert started.wait(10)
    slots.cancel("wait")
    qtbot.waitUntil(lambda: not slots.busy("wait"), timeout=10_000)
    assert heard == [("done", True)]


class Receiver(QObject):
    got = Signal(dict)


def test_a_mailbox_delivers_only_the_newest_value_of_each_kind_on_its_thread(qtbot):
    mailbox, receiver, threads = Mailbox(), Receiver(), set()
    mailbox.arrived.connect(lambda waiting: (threads.add(threading.get_ident()), receiver.got.emit(waiting)))

    def post() -> None:
        for frame in range(100):
            mailbox.put("frame", frame)
        mailbox.put("source", "image")

    with qtbot.waitSignal(receiver.got, timeout=10_000) as delivered:
        poster = threading.Thread(target=post)
        poster.start()
        poster.join()
    assert delivered.args[0] == {"frame": 99, "source": "image"} and threads == {GUI_THREAD}


def test_a_closed_mailbox_delivers_nothing_that_waited(qtbot):
    closed, marker, heard = Mailbox(), Mailbox(), []
    closed.arrived.connect(heard.append)
    closed.put("frame", 1)  # its delivery is queued now, before the marker's
    closed.close()
    with qtbot.waitSignal(marker.arrived, timeout=10_000):
        marker.put("frame", 2)
    assert heard == []
