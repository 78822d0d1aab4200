"""One writer per run: a second trainer is refused with a sentence naming the holder, the lock
dies with its process, and reading a run never needs it."""

import os
import re

import pytest

from studio.core.data import load_dataset
from studio.core.errors import StudioError
from studio.core.run_lock import LOCK_FILE, RunLock, holder
from studio.core.runs import Run
from studio.core.training.events import Failed, Finished
from studio.core.training.trainer import Trainer
from tests.lock_holder import kill_hard, lock_held_elsewhere

HOLDER_SENTENCE = re.compile(r"^This run is being trained by process (\d+) since \d{1,2}:\d{2}; [^\n]+\.$")


def test_a_second_lock_is_refused_with_the_holders_pid_and_time(tmp_path):
    with RunLock(tmp_path):
        assert holder(tmp_path).pid == os.getpid()
        with pytest.raises(StudioError) as refused:
            RunLock(tmp_path).acquire()
        match = HOLDER_SENTENCE.match(str(refused.value))
        assert match and int(match.group(1)) == os.getpid()
    assert holder(tmp_path) is None
    with RunLock(tmp_path):
        pass


def test_a_lock_file_from_elsewhere_is_only_a_hint(tmp_path):
    (tmp_path / LOCK_FILE).write_text('{"pid": "rm -rf", "since": 1e300}')
    assert holder(tmp_path) is None, "a lock file alone, held by nobody, means nothing"
    with RunLock(tmp_path):
        (tmp_path / LOCK_FILE).write_text("[" * 10_000)
        with pytest.raises(StudioError, match="being trained by another process;"):
            RunLock(tmp_path).acquire()


def test_a_run_trained_elsewhere_is_refused_until_that_process_is_killed(tmp_path, tiny_config):
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    with lock_held_elsewhere(run.path) as other:
        events = []
        Trainer(run, dataset, events.append).run()
        assert len(events) == 1 and isinstance(events[0], Failed)
        assert HOLDER_SENTENCE.match(events[0].message).group(1) == str(other.pid)
        assert not run.checkpoint_dir.exists() and run.read_metrics() == []
        assert Run.open(run.path).config == run.config, "reading the run stays possible"
        kill_hard(other)
        assert holder(run.path) is None, "the system released the lock of the killed process"
        events = []
        Trainer(run, dataset, events.append).run()
    assert isinstance(events[-1], Finished) and run.last_step() == tiny_config.train.steps
    assert holder(run.path) is None, "the trainer let go of the lock when it finished"


def test_reading_needs_no_write_access_to_the_lock(tmp_path):
    assert holder(tmp_path / "missing") is None
    assert not (tmp_path / LOCK_FILE).exists()
    assert holder(tmp_path) is None and not (tmp_path / LOCK_FILE).exists(), "checking creates nothing"


def test_a_run_whose_folder_cannot_take_the_lock_is_one_sentence(tmp_path, tiny_config):
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    (run.path / LOCK_FILE).mkdir()
    events = []
    Trainer(run, dataset, events.append).run()
    assert [type(event) for event in events] == [Failed]
    assert events[0].message.startswith(f"The run folder '{run.path}' cannot be written (")
    assert events[0].message.endswith("so it cannot be trained here.")
