"""The speed an analyst sees: images per second and time left, by the wall clock.

Every second since training (re)started counts, whether it went to steps, evaluations, sample
grids or checkpoints, except the seconds spent paused; so the time left that the progress line shows
is the time the analyst will wait.
"""

from __future__ import annotations

import math
import threading
import time


class PausedTime:
    """The seconds spent paused, the current pause included: ``began()`` and ``ended()`` may come
    from different threads and twice in a row (a second call is ignored)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._total = 0.0

    def began(self) -> None:
        with self._lock:
            if self._since is None:
                self._since = self._clock()

    def ended(self) -> None:
        with self._lock:
            if self._since is not None:
                self._total += self._clock() - self._since
                self._since = None

    def seconds(self) -> float:
        with self._lock:
            return self._total + (self._clock() - self._since if self._since is not None else 0.0)


class Pace:
    def __init__(self, start_step: int, images_per_step: int, clock=time.perf_counter):
        self.start_step, self.images_per_step, self._clock = start_step, images_per_step, clock
        self._began = clock()
        self.paused = PausedTime(clock)

    def active_seconds(self) -> float:
        return max(self._clock() - self._began - self.paused.seconds(), 1e-9)

    def at(self, step: int, total_steps: int) -> tuple[float, float, float]:
        """(images per second, active seconds, seconds left) at ``step``, from one reading of the clock."""
        active, done = self.active_seconds(), step - self.start_step
        left = max(0, total_steps - step) * active / done if done > 0 else math.inf
        return done * self.images_per_step / active, active, left
