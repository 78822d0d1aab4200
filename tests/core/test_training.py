import threading
import time

import torch

from studio.core.training.checkpoints import load_checkpoint
from studio.core.config import RunConfig
from studio.core.data import load_dataset
from studio.core.training.events import CheckpointSaved, Failed, Finished, Paused, SamplesReady, Started, StepLogged
from studio.core.runs import Run
from studio.core.training.trainer import BatchIndices, Trainer


def _train(run, dataset):
    events = []
    Trainer(run, dataset, events.append).run()
    return events


def _weights(run):
    tensors, _ = load_checkpoint(run.latest_checkpoint())
    return tensors


def test_short_run_reports_events_and_moves_the_losses(tmp_path, tiny_config):
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    events = _train(run, dataset)

    assert isinstance(events[0], Started) and events[0].device.startswith("CPU")
    logged = [e for e in events if isinstance(e, StepLogged)]
    assert [e.step for e in logged] == [5, 10, 15, 20]
    assert all(0 < e.d_real < 1 and 0 < e.d_fake < 1 and e.images_per_sec > 0 for e in logged)
    assert logged[0].g_loss != logged[-1].g_loss and logged[0].d_loss != logged[-1].d_loss
    samples = [e for e in events if isinstance(e, SamplesReady)]
    assert samples[0].images.shape == (64, 32, 32, 3) and samples[0].images.dtype.name == "uint8"
    assert (samples[0].images != samples[-1].images).any(), "the sample grid changes as training runs"
    assert [e.step for e in events if isinstance(e, CheckpointSaved)] == [10, 20]
    assert events[-1] == Finished(20, stopped=False)
    assert [r["step"] for r in run.read_metrics()] == [5, 10, 15, 20]
    assert [step for step, _ in run.samples()] == [0, 10, 20]


def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tmp_path, tiny_config):
    dataset = load_dataset(tiny_config.data)
    straight = Run.create(tmp_path, tiny_config, dataset.summary(), name="straight")
    _train(straight, dataset)

    half = RunConfig.from_dict(tiny_config.to_dict())
    half.train.steps = 10
    interrupted = Run.create(tmp_path, half, dataset.summary(), name="interrupted")
    _train(interrupted, dataset)
    reopened = Run.open(interrupted.path)
    reopened.save_config(tiny_config)
    events = _train(reopened, dataset)

    assert events[0].resumed and events[0].start_step == 10
    expected, actual = _weights(straight), _weights(reopened)
    assert expected.keys() == actual.keys()
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key
    assert [r["g_loss"] for r in reopened.read_metrics()] == [r["g_loss"] for r in straight.read_metrics()]


class EventLog:
    """The trainer's events, kept in order; ``wait_for`` blocks until one of a type arrives (with a deadline)."""

    def __init__(self) -> None:
        self.events: list = []
        self._arrived = threading.Condition()

    def append(self, event) -> None:
        with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()

    def wait_for(self, kind, after: int = 0, seconds: float = 30):
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: next((e for e in self.events[after:] if isinstance(e, kind)), None), timeout=seconds)
        assert found is not None, f"no {kind.__name__} within {seconds} s"
        return found


def _training_in_background(tmp_path, config):
    """Start an endless run on a thread and return once it has logged its first step."""
    config.train.steps = 100_000
    dataset = load_dataset(config.data)
    run = Run.create(tmp_path, config, dataset.summary())
    log = EventLog()
    trainer = Trainer(run, dataset, log.append)
    worker = threading.Thread(target=trainer.run)
    worker.start()
    log.wait_for(StepLogged)
    return run, trainer, worker, log


def test_stop_takes_effect_quickly_and_saves_a_checkpoint(tmp_path, tiny_config):
    run, trainer, worker, log = _training_in_background(tmp_path, tiny_config)
    asked = time.monotonic()
    trainer.stop()
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - asked < 1.0
    finished = log.events[-1]
    assert isinstance(finished, Finished) and finished.stopped
    assert run.last_step() == finished.step


def test_pause_holds_training_until_resumed_and_a_stop_while_paused_trains_no_further(tmp_path, tiny_config):
    run, trainer, worker, log = _training_in_background(tmp_path, tiny_config)
    trainer.pause()
    paused = log.wait_for(Paused)
    assert trainer.paused
    trainer.resume()
    after_resume = log.wait_for(StepLogged, after=log.events.index(paused))
    assert after_resume.step > paused.step  # training went on from where it held
    trainer.pause()
    held = log.wait_for(Paused, after=log.events.index(after_resume))
    trainer.stop()
    worker.join(10)
    finished = log.events[-1]
    assert not worker.is_alive() and isinstance(finished, Finished) and finished.stopped
    assert finished.step == held.step == run.last_step()  # not one step while paused


def test_preview_request_renders_samples_from_the_asked_seed(tmp_path, tiny_config):
    tiny_config.train.sample_every = 1000
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    events = []

    def on_event(event):
        events.append(event)
        if isinstance(event, StepLogged) and event.step == 5:
            trainer.request_preview(99)

    trainer = Trainer(run, dataset, on_event)
    trainer.run()
    previews = [e for e in events if isinstance(e, SamplesReady)]
    assert [(e.step, e.seed) for e in previews] == [(0, 0), (5, 99), (20, 99)]


def test_a_bad_device_ends_in_one_failed_event(tmp_path, tiny_config, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    tiny_config.train.device = "cuda"
    dataset = load_dataset(tiny_config.data)
    events = _train(Run.create(tmp_path, tiny_config, dataset.summary()), dataset)
    assert len(events) == 1 and isinstance(events[0], Failed) and "CUDA" in events[0].message


def test_batches_cover_each_epoch_once():
    batches = BatchIndices(count=10, batch_size=4, seed=3)
    seen = torch.cat([batches.for_step(step) for step in range(1, 6)])
    assert sorted(seen[:10].tolist()) == list(range(10))
    assert sorted(seen[10:20].tolist()) == list(range(10))
    assert torch.equal(BatchIndices(10, 4, 3).for_step(3), batches.for_step(3))
