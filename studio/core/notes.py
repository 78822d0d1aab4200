"""Sentences the engine tells the analyst without stopping the work, e.g. that a damaged cache was rebuilt.

They go to the ``studio.notes`` logger: the CLI prints them on stderr as ``note: …``; anywhere else
Python's last-resort handler shows them on stderr too.
"""

from __future__ import annotations

import logging

LOGGER = logging.getLogger("studio.notes")


def note(sentence: str) -> None:
    LOGGER.warning(sentence)
