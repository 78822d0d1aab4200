"""The one exception type an analyst is meant to read."""


class StudioError(Exception):
    """An error the user caused or can fix; ``str(error)`` is one clear sentence."""


class Cancelled(StudioError):
    """The user cancelled a long operation; nothing it would have written was left half-done."""
