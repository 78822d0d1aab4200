"""The sweep runner with a fast fake trial (no GAN is trained): pruning, budgets, stopping, resuming."""

import math
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from studio.core.config import DataConfig
from studio.core.errors import StudioError
from studio.core.sweep.events import COMPLETE, FAIL, PRUNED, SweepFinished, TrialFinished, TrialStarted
from studio.core.sweep.jobs import create_sweep, plan_sweep, sweep_results, widen_budget
from studio.core.sweep.runner import SweepRunner, TrialCannotResume, TrialOutcome
from studio.core.sweep.spec import read_spec

LABELLED = SimpleNamespace(class_names=["a", "b"])


def make_sweep(folder: Path, trials=6, steps=60, eval_every=10, **settings) -> Path:
    spec = plan_sweep(DataConfig(demo_images=64, resolution=16), LABELLED, trials=trials, steps=steps,
                      eval_every=eval_every, seed=3, **settings)
    create_sweep(folder, spec)
    return folder


def fd_of(params: dict, step: int) -> float:
    """A noiseless objective: best near lr_g = 1e-3, improving with steps."""
    return abs(math.log10(params["lr_g"]) + 3) + 10 / step


class FakeTrainer:
    """Stands in for the Trainer: 'trains' in eval_every chunks, reports FD, honours stop()."""

    def __init__(self, fail_numbers=(), stop_after=None):
        self.calls = []  # (number, resumed, start)
        self.fail_numbers = set(fail_numbers)
        self.stop_after = stop_after  # (runner, number, step): stop the sweep there
        self.stopped = False

    def stop(self):
        self.stopped = True

    def pause(self):
        pass

    def resume(self):
        pass

    def __call__(self, job, hooks):
        train = job.config.train
        start = 0
        progress = job.run_path / "progress.txt"
        if job.resumed:
            if not progress.exists():
                raise TrialCannotResume(f"Trial {job.number} has no run to continue.")
            start = int(progress.read_text())
        job.run_path.mkdir(parents=True, exist_ok=True)
        self.calls.append((job.number, job.resumed, start))
        self.stopped = False
        hooks.attach(self)
        if job.number in self.fail_numbers:
            return TrialOutcome(0, "The device ran out of memory.")
        step = start
        while step < train.steps:
            if self.stopped:
                break
            step += train.eval_every
            progress.write_text(str(step))
            if self.stop_after and (job.number, step) == self.stop_after[1:]:
                self.stop_after[0].stop()
            if hooks.report(step, fd_of(job.params, step)):
                break
        return TrialOutcome(step)


def run_sweep(folder, fake, events=None, changed=None):
    runner = SweepRunner(folder, dataset=None, on_event=(events.append if events is not None else lambda e: None),
                         train_trial=fake, changed=changed)
    if fake.stop_after:
        fake.stop_after = (runner, *fake.stop_after)
    return runner.run()


def test_trials_prune_and_the_best_is_found(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=10)
    events = []
    finished = run_sweep(folder, FakeTrainer(), events)
    assert finished.reason == "trials"
    ended = [e for e in events if isinstance(e, TrialFinished)]
    assert [e.number for e in ended] == list(range(10))
    assert {e.state for e in ended} <= {COMPLETE, PRUNED}
    assert any(e.state == PRUNED for e in ended), "some trial worse than the median should be pruned"
    assert all(e.steps == 60 for e in ended if e.state == COMPLETE)
    results = sweep_results(folder)
    assert results.best is not None and results.best.number == finished.best_number
    assert results.best.value == min(r.value for r in results.trials if r.state == COMPLETE)
    assert results.best_so_far[-1][1] == results.best.value
    assert all(r.curve and r.curve[0][0] == 10 for r in results.trials)
    assert set(results.importances) <= {"lr_g", "lr_d", "beta1", "batch_size", "g_width", "d_width", "loss", "diffaugment"}
    assert results.importances and abs(sum(results.importances.values()) - 1) < 1e-6
    assert (results.best.run_path.parent == folder / "trials")


def test_failed_trials_are_recorded_and_end_a_failing_sweep(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=8)
    events = []
    finished = run_sweep(folder, FakeTrainer(fail_numbers={1, 2, 3}), events)
    assert finished.reason == "failing"
    rows = sweep_results(folder).trials
    assert [r.state for r in rows] == [COMPLETE, FAIL, FAIL, FAIL]
    assert rows[1].message == "The device ran out of memory."


def test_a_stopped_sweep_continues_its_trial_and_never_repeats_a_finished_one(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=4)
    fake = FakeTrainer(stop_after=(2, 30))
    assert run_sweep(folder, fake).reason == "stopped"
    rows = sweep_results(folder).trials
    assert [r.state for r in rows][:2] != ["RUNNING"] and rows[2].state == "RUNNING"
    again = FakeTrainer()
    events = []
    assert run_sweep(folder, again, events).reason == "trials"
    assert again.calls[0] == (2, True, 30), "the interrupted trial continues from its last step"
    assert [number for number, _, _ in again.calls] == [2, 3]
    rows = sweep_results(folder).trials
    assert [r.number for r in rows] == [0, 1, 2, 3] and all(r.state in (COMPLETE, PRUNED) for r in rows)
    assert dict(rows[2].curve)[30] == fd_of(rows[2].params, 30)

    more = FakeTrainer()
    run_sweep(folder, more, changed=widen_budget(read_spec(folder), trials=6))
    assert [number for number, _, _ in more.calls] == [4, 5]


def test_an_interrupted_trial_that_cannot_continue_is_retried_with_its_settings(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=3)
    fake = FakeTrainer(stop_after=(1, 20))
    run_sweep(folder, fake)
    params = sweep_results(folder).trials[1].params
    (folder / "trials" / "trial-001" / "progress.txt").unlink()  # as if the process died before its first checkpoint
    again = FakeTrainer()
    run_sweep(folder, again)
    rows = sweep_results(folder).trials
    assert rows[1].state == FAIL and rows[1].retried and "tried again" in rows[1].message
    assert rows[2].params == params and rows[2].state in (COMPLETE, PRUNED)
    results = sweep_results(folder)
    assert results.counted == 3 and len(rows) == 4


def test_a_second_process_is_refused_while_one_runs_the_sweep(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=2)
    inside = threading.Event()
    release = threading.Event()
    errors = []

    def slow(job, hooks):
        inside.set()
        release.wait(10)
        hooks.report(10, 1.0)
        return TrialOutcome(job.config.train.steps)

    worker = threading.Thread(target=lambda: SweepRunner(folder, None, train_trial=slow).run())
    worker.start()
    try:
        assert inside.wait(10)
        with pytest.raises(StudioError, match="being run by process"):
            SweepRunner(folder, None, train_trial=slow).run()
    finally:
        release.set()
        worker.join(10)
    assert not errors


def test_pause_is_not_counted_and_pause_and_stop_reach_the_trial(tmp_path, monkeypatch):
    import studio.core.sweep.runner as runner_module

    clock = [0.0]
    monkeypatch.setattr(runner_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    folder = make_sweep(tmp_path / "sweep", trials=3)
    calls = []
    control = SimpleNamespace(pause=lambda: calls.append("pause"), resume=lambda: calls.append("resume"),
                              stop=lambda: calls.append("stop"))

    def pausing(job, hooks):
        hooks.attach(control)
        runner.pause()
        clock[0] += 100  # paused
        runner.resume()
        clock[0] += 10  # training
        hooks.report(10, 1.0)
        if job.number == 1:
            runner.stop()
            return TrialOutcome(10)
        return TrialOutcome(job.config.train.steps)

    events = []
    runner = SweepRunner(folder, None, events.append, train_trial=pausing)
    finished = runner.run()
    assert isinstance(finished, SweepFinished) and finished.reason == "stopped"
    assert [e.number for e in events if isinstance(e, TrialStarted)] == [0, 1]
    assert [e.seconds for e in events if isinstance(e, TrialFinished)] == [10.0]
    assert calls == ["pause", "resume", "pause", "resume", "stop", "resume"]
    assert [row.state for row in sweep_results(folder).trials] == [COMPLETE, "RUNNING"]


class Crash(BaseException):
    """Stands in for the process dying mid-trial: nothing after it runs, the journal keeps what was written."""


def test_a_crashed_sweep_continues_its_running_trial_and_repeats_no_finished_one(tmp_path):
    folder = make_sweep(tmp_path / "sweep", trials=4)

    class Crashing(FakeTrainer):
        def __call__(self, job, hooks):
            original = hooks.report

            def report(step, fd):
                pruned = original(step, fd)
                if (job.number, step) == (2, 40):
                    raise Crash()
                return pruned

            hooks.report = report
            return super().__call__(job, hooks)

    with pytest.raises(Crash):
        run_sweep(folder, Crashing())
    rows = sweep_results(folder).trials
    assert [r.state for r in rows][2] == "RUNNING" and dict(rows[2].curve) == {10: fd_of(rows[2].params, 10),
                                                                             20: fd_of(rows[2].params, 20),
                                                                             30: fd_of(rows[2].params, 30),
                                                                             40: fd_of(rows[2].params, 40)}
    again = FakeTrainer()
    run_sweep(folder, again)
    assert [(number, resumed) for number, resumed, _ in again.calls] == [(2, True), (3, False)]
    assert again.calls[0][2] == 40
    rows = sweep_results(folder).trials
    assert len(rows) == 4 and all(r.state in (COMPLETE, PRUNED) for r in rows)


def test_the_time_limit_starts_no_trial_once_spent_and_counts_across_sessions(tmp_path, monkeypatch):
    import studio.core.sweep.runner as runner_module

    clock = [0.0]
    monkeypatch.setattr(runner_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    folder = make_sweep(tmp_path / "sweep", trials=0, timeout_min=1.5)

    def minute(job, hooks):  # each trial trains for a minute by the runner's clock
        clock[0] += 60
        hooks.report(10, 1.0)
        return TrialOutcome(job.config.train.steps)

    assert SweepRunner(folder, None, train_trial=minute).run().reason == "time"
    assert len(sweep_results(folder).trials) == 2
    assert SweepRunner(folder, None, train_trial=minute).run().reason == "time"
    assert len(sweep_results(folder).trials) == 2
    SweepRunner(folder, None, train_trial=minute, changed=widen_budget(read_spec(folder), timeout_min=3.5)).run()
    assert [row.seconds for row in sweep_results(folder).trials] == [60.0] * 4


def test_the_first_trial_trains_the_settings_a_run_would_use(tmp_path):
    from studio.core.config import RunConfig

    base = RunConfig()
    base.train.lr_g, base.train.batch_size = 5e-4, 64
    spec = plan_sweep(DataConfig(demo_images=64, resolution=16), LABELLED, base=base, trials=2, steps=20, eval_every=10,
                      seed=3)
    spec.space = [p for p in spec.space if p.name != "d_width"] + [
        next(p for p in spec.space if p.name == "d_width")]
    next(p for p in spec.space if p.name == "d_width").choices = (16, 64)  # the base's 32 lies outside: left to Optuna
    folder = tmp_path / "sweep"
    create_sweep(folder, spec)
    fake = FakeTrainer()
    run_sweep(folder, fake)
    first = sweep_results(folder).trials[0].params
    assert first["lr_g"] == 5e-4 and first["batch_size"] == 64 and first["loss"] == base.train.loss
    assert first["beta1"] == base.train.beta1 and first["d_width"] in (16, 64)
    assert sweep_results(folder).trials[1].params != first
