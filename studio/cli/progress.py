"""The terminal progress bar every long command draws on stderr; a ``TaskState`` reports to ``update``."""

from __future__ import annotations

import math
import sys
import time


class ProgressBar:
    """A one-line terminal progress bar on stderr (plain lines every 10% when not a terminal)."""

    WIDTH = 30

    def __init__(self, label: str):
        self.label = label
        self.note = ""
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last_tenth = -1
        self._drawn = False

    def update(self, done: int, total: int, detail: str = "", eta_s: float | None = None) -> None:
        """Draw ``done`` of ``total``; the time left is ``eta_s`` when the caller knows it better than the bar."""
        fraction = done / max(total, 1)
        elapsed = time.monotonic() - self.started
        eta = eta_s if eta_s is not None else (elapsed / fraction - elapsed if fraction > 0 else 0)
        filled = int(fraction * self.WIDTH)
        line = f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {detail} ETA {_clock(eta)} {self.note}"
        if self.tty:
            sys.stderr.write("\r" + line.ljust(110)[:110])
            self._drawn = True
        elif int(fraction * 10) != self._last_tenth:
            self._last_tenth = int(fraction * 10)
            sys.stderr.write(line.rstrip() + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
