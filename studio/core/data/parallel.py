"""Decode many image files on every core, straight into one shared uint8 array.

The output array lives in an anonymous shared memory map created before the worker processes
are forked, so workers write pixels in place and send back only a few bytes per file (reason,
size, digest): no pickled images, and the finished array is the dataset's tensor without a copy.
Where ``fork`` does not exist the same chunks are decoded in this process.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from studio.core.data.decode import Unreadable, decode_bytes
from studio.core.data.preprocess import Preprocess
from studio.core.errors import Cancelled

CHUNK = 128
PARALLEL_FROM = 512  # below this, starting processes costs more than it saves
MAX_WORKERS = 8

Outcome = tuple[str | None, tuple[int, int], str]  # (skip reason or None, original size, digest)
_job: tuple[np.ndarray, Callable[[str], bytes], Preprocess] | None = None


def worker_count() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def decode_all(
    refs: Sequence[str],
    read: Callable[[str], bytes],
    prep: Preprocess,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, list[Outcome]]:
    """``(N, 3, R, R)`` pixels (rows of skipped files left zero) and one outcome per ref."""
    global _job
    count, side = len(refs), prep.resolution
    size = count * 3 * side * side
    buffer = mmap.mmap(-1, max(size, 1))
    out = np.frombuffer(buffer, dtype=np.uint8, count=size).reshape(count, 3, side, side)
    chunks = [(start, list(refs[start : start + CHUNK])) for start in range(0, count, CHUNK)]
    outcomes: list[Any] = [None] * count
    done = 0
    _job = (out, read, prep)
    try:
        for start, results in _results(chunks, count):
            if cancelled and cancelled():
                raise Cancelled("Loading the dataset was cancelled.")
            outcomes[start : start + len(results)] = results
            done += len(results)
            if progress:
                progress(done, count)
    finally:
        _job = None
    return out, outcomes


def _results(chunks: list[tuple[int, list[str]]], count: int):
    workers = worker_count()
    if count < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_decode_chunk, chunks)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap_unordered(_decode_chunk, chunks)


def _decode_chunk(chunk: tuple[int, list[str]]) -> tuple[int, list[Outcome]]:
    start, refs = chunk
    out, read, prep = _job
    results: list[Outcome] = []
    for offset, ref in enumerate(refs):
        try:
            decoded = decode_bytes(read(ref), prep)
        except Unreadable as problem:
            results.append((str(problem), (0, 0), ""))
            continue
        out[start + offset] = decoded.pixels
        results.append((None, decoded.size, decoded.digest))
    return start, results
