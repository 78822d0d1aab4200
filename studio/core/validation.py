"""One gate for the JSON files of a run folder: sizes, nesting, types and ranges, checked before use.

A run folder may come from someone else, so anything in it (``run.json``, checkpoint sidecars,
``metrics.jsonl``, favourites, cached directions) can have been edited. Readers go through here:

- a file's size is checked from ``stat`` before a byte is read;
- JSON nested deeper than :data:`MAX_DEPTH`, or holding a number Python refuses to hold, is refused;
- :class:`Fields` hands out each value only after checking its type and range.

Every refusal is one :class:`StudioError` sentence naming the file and the field, e.g.
``'…/run.json' is damaged at config.model.latent_dim: Latent size must be at least 2, not -5.``

The size limits are generous for anything the studio writes itself and can be raised through
environment variables for unusual runs: ``GAN_STUDIO_MAX_JSON_MB`` (one JSON file, default 16 MiB),
``GAN_STUDIO_MAX_METRICS_MB`` (``metrics.jsonl``, default 256 MiB, about a million logged steps) and
``GAN_STUDIO_MAX_CHECKPOINT_MB`` (a checkpoint's weights, default 16 GiB: the largest model the
configuration allows, with its optimizer state) and ``GAN_STUDIO_MAX_GRID_MB`` (a sample grid or other
picture the studio saved into a run, default 256 MiB).
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.core.errors import StudioError

MAX_DEPTH = 20
JSON_LIMIT = ("GAN_STUDIO_MAX_JSON_MB", 16)
METRICS_LIMIT = ("GAN_STUDIO_MAX_METRICS_MB", 256)
CHECKPOINT_LIMIT = ("GAN_STUDIO_MAX_CHECKPOINT_MB", 16 * 1024)
IMAGE_LIMIT = ("GAN_STUDIO_MAX_GRID_MB", 256)
MIB = 1024**2
_MISSING: Any = object()
_LARGEST_FLOAT = 2**1023
# Opening a file from a stranger's folder: never through a link, never waiting for a pipe's writer.
SAFE_OPEN = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def limit_bytes(limit: tuple[str, int]) -> int:
    """A limit in bytes: its environment variable (in MiB) when set, else its default."""
    variable, default = limit
    text = os.environ.get(variable, "").strip()
    if not text:
        return default * MIB
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 2**40:
        raise StudioError(f"{variable} must be a positive number of MiB, not '{text}'.")
    return int(value * MIB)


def damaged(path: Path, field: str, problem: str) -> StudioError:
    """The one sentence for a bad value: ``problem`` is a sentence of its own (e.g. from the config's bounds)."""
    return StudioError(f"'{path}' is damaged at {field}: {problem}")


def check_size(path: Path, limit: tuple[str, int]) -> int:
    """The file's size from ``stat``; refused above ``limit``, or when not a regular file (a pipe would
    block the reader forever), before anything is read."""
    try:
        status = Path(path).stat()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise StudioError(f"'{path}' could not be read ({error.strerror}).") from None
    if not stat.S_ISREG(status.st_mode):
        raise StudioError(f"'{path}' is not a regular file.")
    _check_limit(path, status.st_size, limit)
    return status.st_size


def _check_limit(path: Path, size: int, limit: tuple[str, int]) -> None:
    most = limit_bytes(limit)
    if size > most:
        raise StudioError(f"'{path}' is {size / MIB:,.1f} MiB, over the limit of {most / MIB:,.1f} MiB for such a file "
                          f"({limit[0]}).")


def read_regular_file(path: Path, limit: tuple[str, int], inside: Path | None = None) -> bytes:
    """The bytes of ``path`` when it is a regular file within ``limit``, checked on the opened file itself:
    never through a symbolic link, never waiting on a pipe or a device, never more than its size; with
    ``inside`` (a run folder), never from outside that folder by a linked folder on the way.

    A missing file raises ``FileNotFoundError`` so that each reader decides what absence means.
    """
    path = Path(path)
    if inside is not None and not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(inside)):
        raise StudioError(f"'{path}' lies outside '{inside}' through a link; it was not read.")
    try:
        fd = os.open(path, os.O_RDONLY | SAFE_OPEN)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO) or os.path.islink(path):
            raise StudioError(f"'{path}' is a link or a special file, not a regular file; it was not read.") from None
        raise StudioError(f"'{path}' could not be read ({error.strerror}).") from None
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise StudioError(f"'{path}' is not a regular file.")
        _check_limit(path, status.st_size, limit)
        return handle.read(status.st_size)


def check_inside(path: Path, folder: Path) -> None:
    """Refuse ``path`` when a symbolic link takes it out of ``folder``: a folder from someone else may link
    one of its files to the reader's own, which a reader would then read and a writer overwrite."""
    try:
        inside = Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, an unreadable folder
        inside = False
    if not inside:
        raise StudioError(f"'{path}' is a link to a file outside '{folder}', so it is not read.")


def check_line_lengths(path: Path, most: int) -> None:
    """Refuse a text file with a line over ``most`` bytes, reading one bounded line at a time (a single
    line of garbage as large as the file is never held whole)."""
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(iter(lambda: handle.readline(most + 1), b""), start=1):
                if len(line) > most:
                    raise damaged(path, f"line {number:,}", f"it is longer than {most / MIB:g} MiB, so it was not "
                                  "written by the studio.")
    except OSError as error:
        raise StudioError(f"'{path}' could not be read ({error.strerror}).") from None


def read_json(path: Path) -> Any:
    """A JSON file's value, refused in one sentence when too large, malformed or nested too deeply.

    A missing file raises ``FileNotFoundError`` so that each reader decides what absence means.
    """
    path = Path(path)
    check_size(path, JSON_LIMIT)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise StudioError(f"'{path}' could not be read ({error.strerror}).") from None
    return parse_json(text, path)


def parse_json(text: bytes | str, path: Path) -> Any:
    """``text`` parsed, with every way it can fail turned into a sentence naming ``path``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise StudioError(f"'{path}' is damaged: it is nested more than {MAX_DEPTH} levels deep.") from None
    except UnicodeDecodeError:
        raise StudioError(f"'{path}' is damaged: it is not UTF-8 text.") from None
    except ValueError as error:  # malformed JSON, or an integer with more digits than Python converts
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "a number is too long"
        raise StudioError(f"'{path}' is damaged: it is not valid JSON ({reason}).") from None
    if _depth_exceeds(value, MAX_DEPTH):
        raise StudioError(f"'{path}' is damaged: it is nested more than {MAX_DEPTH} levels deep.")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def shown(value: Any) -> str:
    """A value as it appears in a sentence, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def is_number(value: Any) -> bool:
    """An int or float from JSON (``true``/``false`` are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value: int | float) -> bool:
    """A number a float can hold: an integer of hundreds of digits is not (it would overflow on conversion)."""
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= _LARGEST_FLOAT


def is_nan(value: int | float) -> bool:
    return isinstance(value, float) and math.isnan(value)


class Fields:
    """One JSON object of a file, handing out each value only after checking its type and range.

    ``where`` is the object's own place in the file (``"config"``, ``"favourites[3]"``) so that a
    sentence can name the exact field.
    """

    def __init__(self, raw: Any, path: Path, where: str = ""):
        if not isinstance(raw, dict):
            raise damaged(path, where or "the top level", f"expected a JSON object, not {shown(raw)}.")
        self.raw, self.path, self.where = raw, Path(path), where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def problem(self, key: str, expected: str, value: Any) -> StudioError:
        return damaged(self.path, self.name(key), f"expected {expected}, not {shown(value)}.")

    def value(self, key: str) -> Any:
        if key not in self.raw:
            raise damaged(self.path, self.name(key), "this required field is missing.")
        return self.raw[key]

    def integer(self, key: str, low: int, high: int, default: Any = _MISSING) -> int:
        if default is not _MISSING and key not in self.raw:
            return default
        value = self.value(key)
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            raise self.problem(key, f"a whole number from {low:,} to {high:,}", value)
        return value

    def number(self, key: str, low: float = -math.inf, high: float = math.inf, default: Any = _MISSING,
               finite: bool = True) -> float:
        """A number within ``[low, high]``; with ``finite=False`` NaN and infinities pass too (a diverged loss)."""
        if default is not _MISSING and key not in self.raw:
            return default
        value = self.value(key)
        if not is_number(value) or not (is_nan(value) or low <= value <= high) \
                or (finite and not is_finite(value)):
            raise self.problem(key, f"a {'finite ' if finite else ''}number{_bounds(low, high)}", value)
        return float(value)

    def text(self, key: str, default: Any = _MISSING, max_length: int = 4096, choices: tuple[str, ...] = ()) -> str:
        if default is not _MISSING and key not in self.raw:
            return default
        value = self.value(key)
        if not isinstance(value, str) or len(value) > max_length:
            raise self.problem(key, f"text of at most {max_length:,} characters", value)
        if choices and value not in choices:
            raise self.problem(key, "one of " + ", ".join(choices), value)
        return value

    def texts(self, key: str, default: Any = _MISSING, max_items: int = 100_000, max_length: int = 4096) -> list[str]:
        if default is not _MISSING and key not in self.raw:
            return default
        value = self.value(key)
        if not (isinstance(value, list) and len(value) <= max_items
                and all(isinstance(item, str) and len(item) <= max_length for item in value)):
            raise self.problem(key, f"a list of at most {max_items:,} texts", value)
        return value

    def numbers(self, key: str, default: Any = _MISSING, max_items: int = 100_000, length: int | None = None,
                low: float = -math.inf, high: float = math.inf) -> list[float]:
        """A list of finite numbers within ``[low, high]`` (of exactly ``length`` items when given)."""
        if default is not _MISSING and key not in self.raw:
            return default
        return numbers(self.value(key), self.path, self.name(key), max_items, length, low, high)

    def fields(self, key: str, default: Any = _MISSING) -> Fields:
        """A nested object; an absent one reads as ``default`` (e.g. ``{}``) when given."""
        raw = default if default is not _MISSING and key not in self.raw else self.value(key)
        return Fields(raw, self.path, self.name(key))

    def each(self, key: str, max_items: int = 100_000) -> Iterator[Fields]:
        """The objects of a list field, each checked to be an object."""
        value = self.value(key)
        if not isinstance(value, list) or len(value) > max_items:
            raise self.problem(key, f"a list of at most {max_items:,} objects", value)
        for index, item in enumerate(value):
            yield Fields(item, self.path, f"{self.name(key)}[{index}]")

    def index_map(self, key: str, high: int, low_value: float, high_value: float) -> dict[int, float]:
        """An object whose keys are whole numbers from 0 to ``high`` written as text, and whose values are finite numbers."""
        mapping = self.fields(key, {})
        result = {}
        for name in mapping.raw:
            if not (name.isascii() and name.isdigit() and len(name) <= 9 and int(name) <= high):
                raise damaged(self.path, mapping.name(name), f"expected a key from 0 to {high:,}, not {shown(name)}.")
            result[int(name)] = mapping.number(name, low_value, high_value)
        return result


def numbers(value: Any, path: Path, field: str, max_items: int = 100_000, length: int | None = None,
            low: float = -math.inf, high: float = math.inf) -> list[float]:
    """``value`` checked to be a list of finite numbers within ``[low, high]`` (of exactly ``length`` items when given)."""
    count = f"{length:,}" if length is not None else f"at most {max_items:,}"
    if not (isinstance(value, list) and len(value) <= max_items and (length is None or len(value) == length)
            and all(is_number(item) and is_finite(item) and low <= item <= high for item in value)):
        raise damaged(path, field, f"expected a list of {count} finite numbers{_bounds(low, high)}, not {shown(value)}.")
    return [float(item) for item in value]


def _bounds(low: float, high: float) -> str:
    return "" if (low, high) == (-math.inf, math.inf) else f" from {low:g} to {high:g}"
