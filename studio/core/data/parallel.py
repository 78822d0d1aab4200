"""Decode many image files in worker processes that each load owns, safely from any thread.

The workers come from a fork server (``spawn`` where there is none): a clean, single-threaded
process started once. Forking the caller instead would copy every lock of every thread as it was
at that instant, and a lock another thread held (an import, a Pillow plugin loading) stays held
forever in the child; the GUI loads from a QThread beside others, so that hang was real.

Each load starts its own pool, handing the reader and options to its workers as they start, so
no two loads share any state. The loop that waits for the workers checks the cancel request and
watches progress: a cancelled load, or one in which no file finished for ``stall_seconds``,
terminates its pool (the workers are killed and reaped) and raises. Workers send each chunk's
pixels back through the pool's pipe (3 KB an image at 32 px), so there is no shared memory to leak.
This module imports no torch, so a worker starts in a fraction of a second.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from studio.core.data.decode import Unreadable, decode_bytes
from studio.core.data.preprocess import Preprocess
from studio.core.errors import StudioError
from studio.core.tasks import TaskState, quiet

MAX_CHUNK = 128
MIN_CHUNK = 8
MAX_WORKERS = 8
POLL_S = 0.05  # how often the waiting loop looks at the cancel request and the workers' progress
STARTUP_S = 30.0  # allowed on top of the stall time for the workers to start (a first fork server imports numpy and Pillow)

Outcome = tuple[str | None, tuple[int, int], str]  # (skip reason or None, original size, digest)

_worker: tuple[Callable[[str], bytes], Preprocess, object] | None = None  # set in each worker process of one load


def worker_count() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def decode_all(
    refs: Sequence[str],
    read: Callable[[str], bytes],
    prep: Preprocess,
    task: TaskState | None = None,
    stall_seconds: float = 60.0,
) -> tuple[np.ndarray, list[Outcome]]:
    """``(N, 3, R, R)`` pixels (rows of skipped files left zero) and one outcome per ref.

    ``read`` must be picklable: it is sent to the worker processes; ``task`` stays in this process.
    """
    task = task or quiet()
    count, side = len(refs), prep.resolution
    out = np.zeros((count, 3, side, side), dtype=np.uint8)
    outcomes: list[Outcome | None] = [None] * count
    if not count:
        return out, []
    task.check("Loading the dataset")  # a load replaced before it began starts no processes
    workers = worker_count()
    size = max(MIN_CHUNK, min(MAX_CHUNK, -(-count // (workers * 4))))
    chunks = [(index, start, list(refs[start : start + size])) for index, start in enumerate(range(0, count, size))]
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["__main__", __name__])
    reached = context.Array("q", len(chunks), lock=False)  # per chunk: 1 + the offset of the file being decoded
    pool = context.Pool(min(workers, len(chunks)), initializer=_begin, initargs=(read, prep, reached))
    try:
        _collect(pool.imap_unordered(_decode_chunk, chunks), chunks, reached, out, outcomes, task, stall_seconds)
        pool.close()
    finally:
        pool.terminate()  # after close() and the last result this only reaps the finished workers
        pool.join()
    return out, outcomes  # type: ignore[return-value]


def _collect(results, chunks, reached, out, outcomes, task: TaskState, stall_seconds) -> None:
    done, pending = 0, len(chunks)
    last_activity, last_seen = time.monotonic() + STARTUP_S, 0
    while pending:
        task.check("Loading the dataset")
        try:
            start, pixels, chunk_outcomes = results.next(timeout=POLL_S)
        except multiprocessing.TimeoutError:
            seen = sum(reached)
            if seen != last_seen:
                last_activity, last_seen = time.monotonic(), seen
            elif time.monotonic() - last_activity > stall_seconds:
                raise StudioError(_stall_sentence(chunks, reached, outcomes, stall_seconds)) from None
            continue
        out[start : start + len(pixels)] = pixels
        outcomes[start : start + len(chunk_outcomes)] = chunk_outcomes
        done += len(chunk_outcomes)
        pending -= 1
        last_activity = time.monotonic()
        task.progress(done, len(outcomes))


def _stall_sentence(chunks, reached, outcomes, stall_seconds: float) -> str:
    stuck = [refs[reached[index] - 1] for index, start, refs in chunks if reached[index] and outcomes[start] is None]
    where = f" while reading '{stuck[0]}'" if stuck else ""
    return (f"Loading the dataset stopped{where}: no file finished in {stall_seconds:g} s "
            f"(GAN_STUDIO_LOAD_STALL_S sets how long to wait).")


def _begin(read: Callable[[str], bytes], prep: Preprocess, reached) -> None:
    """Pool initializer: this worker process serves one load only, so its state is that load's."""
    global _worker
    _worker = (read, prep, reached)


def _decode_chunk(chunk: tuple[int, int, list[str]]) -> tuple[int, np.ndarray, list[Outcome]]:
    index, start, refs = chunk
    read, prep, reached = _worker
    side = prep.resolution
    pixels = np.zeros((len(refs), 3, side, side), dtype=np.uint8)
    results: list[Outcome] = []
    for offset, ref in enumerate(refs):
        reached[index] = offset + 1
        try:
            decoded = decode_bytes(read(ref), prep)
        except Unreadable as problem:
            results.append((str(problem), (0, 0), ""))
            continue
        pixels[offset] = decoded.pixels
        results.append((None, decoded.size, decoded.digest))
    return start, pixels, results
