"""The progress bar in a log (not a terminal) shows a long job is alive: a line at least once a
second while the work advances, one at every tenth, and none while nothing changes."""

from __future__ import annotations

import io

from studio.cli.progress import ProgressBar


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_million_step_run_gets_a_line_every_second_in_a_log():
    clock, log = FakeClock(), io.StringIO()
    bar = ProgressBar("training", stream=log, clock=clock)
    for step in range(0, 4_800, 10):  # under 1% of the run, a logged step every 1/8 s: a minute
        clock.now += 0.125
        bar.update(step, 1_000_000)
    lines = log.getvalue().splitlines()
    assert len(lines) == 60, len(lines)
    assert lines[-1].startswith("training [") and "/1000000" in lines[-1]


def test_a_quick_job_gets_a_line_per_tenth_and_a_stalled_one_repeats_nothing():
    clock, log = FakeClock(), io.StringIO()
    bar = ProgressBar("loading data", stream=log, clock=clock)
    for done in range(101):
        clock.now += 0.001
        bar.update(done, 100)
    assert len(log.getvalue().splitlines()) == 11  # 0%, 10%, ..., 100%
    for _ in range(50):
        clock.now += 5.0
        bar.update(100, 100)
    assert len(log.getvalue().splitlines()) == 11
