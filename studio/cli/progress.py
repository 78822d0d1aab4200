"""The terminal progress bar every long command draws on stderr; a ``TaskState`` reports to ``update``."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_S = 1.0  # a log gets a line at least this often while the work advances (and at every tenth)


class ProgressBar:
    """A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (a log file, a pipe)
    a plain line at every tenth of the work and at least once a second while it advances, so a long
    run shows it is alive without filling the log with every step."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.label = label
        self.note = ""
        self._stream = stream or sys.stderr
        self._clock = clock
        self.started = clock()
        self.tty = self._stream.isatty()
        self._last_tenth = -1
        self._last_line_at = float("-inf")
        self._last_done: int | None = None
        self._drawn = False

    def update(self, done: int, total: int, detail: str = "", eta_s: float | None = None) -> None:
        """Draw ``done`` of ``total``; the time left is ``eta_s`` when the caller knows it better than the bar."""
        fraction = done / max(total, 1)
        now = self._clock()
        elapsed = now - self.started
        eta = eta_s if eta_s is not None else (elapsed / fraction - elapsed if fraction > 0 else 0)
        filled = int(fraction * self.WIDTH)
        line = f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {detail} ETA {_clock(eta)} {self.note}"
        if self.tty:
            self._stream.write("\r" + line.ljust(110)[:110])
            self._drawn = True
        elif int(fraction * 10) != self._last_tenth or (done != self._last_done and now - self._last_line_at >= REDRAW_S):
            self._last_tenth, self._last_line_at, self._last_done = int(fraction * 10), now, done
            self._stream.write(line.rstrip() + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
