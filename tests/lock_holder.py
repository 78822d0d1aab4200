"""Another process that trains a run, as far as the run's lock can tell: it holds the lock until killed.

    with lock_held_elsewhere(run_path) as holder:   # holder.pid is the process the sentences name
        ...
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

_HOLD = (
    "import sys\n"
    "from studio.core.run_lock import RunLock\n"
    "RunLock(sys.argv[1]).acquire()\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)


def start_holder(run_path: Path) -> subprocess.Popen:
    """A process that holds ``run_path``'s lock; returns once it does."""
    process = subprocess.Popen([sys.executable, "-c", _HOLD, str(run_path)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if line.strip() != "holding":
        process.kill()
        raise AssertionError(f"the lock holder did not start: {process.communicate()[1]}")
    return process


def kill_hard(process: subprocess.Popen) -> None:
    """``kill -9``: the process gets no chance to release anything itself."""
    process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@contextmanager
def lock_held_elsewhere(run_path: Path):
    process = start_holder(run_path)
    try:
        yield process
    finally:
        if process.poll() is None:
            kill_hard(process)
