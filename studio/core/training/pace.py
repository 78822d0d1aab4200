"""The speed an analyst sees: images per second and time left, by the wall clock.

Every second since training (re)started counts, whether it went to steps, evaluations, sample
grids or checkpoints, except the seconds spent paused; so the time left that the progress line shows
is the time the analyst will wait.
"""

from __future__ import annotations

import math
import time


class Pace:
    def __init__(self, start_step: int, images_per_step: int, clock=time.perf_counter):
        self.start_step, self.images_per_step, self._clock = start_step, images_per_step, clock
        self._began = clock()
        self._paused_at: float | None = None
        self._paused_for = 0.0

    def pause_began(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._clock()

    def pause_ended(self) -> None:
        if self._paused_at is not None:
            self._paused_for += self._clock() - self._paused_at
            self._paused_at = None

    def active_seconds(self) -> float:
        paused = self._paused_for + (self._clock() - self._paused_at if self._paused_at is not None else 0.0)
        return max(self._clock() - self._began - paused, 1e-9)

    def at(self, step: int, total_steps: int) -> tuple[float, float, float]:
        """(images per second, active seconds, seconds left) at ``step``, from one reading of the clock."""
        active, done = self.active_seconds(), step - self.start_step
        left = max(0, total_steps - step) * active / done if done > 0 else math.inf
        return done * self.images_per_step / active, active, left
