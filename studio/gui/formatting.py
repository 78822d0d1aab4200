"""How numbers read in the UI: durations, rates, the status line."""

import math


def format_duration(seconds: float) -> str:
    """``252`` -> ``"4:12"``, ``3723`` -> ``"1:02:03"``; unknown -> ``"–"``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_age(seconds: float) -> str:
    """How long ago something happened, for the status line."""
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"
