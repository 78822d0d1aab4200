"""Two-process exit check (a script, not a test): ``python tests/benchmarks/ddp_exit_loop.py [N]``.

Runs the same two-process CPU training as the DDP test (``torchrun --standalone``, gloo, 12 steps
on tiny demo data) N times in a row (default 100), each into a fresh run folder, and counts the
runs that did not end cleanly: a non-zero exit status, a missing "Finished" line, or an abort such
as "terminate called without an active exception" anywhere in the output. A rare abort at exit
needs many runs to show; each failure is printed with the last lines of its stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = 12
TINY = ["--demo-images", "64", "--latent-dim", "16", "--g-width", "8", "--d-width", "8", "--batch-size", "8", "--device", "cpu"]
ABORT_MARKERS = ("terminate called", "Aborted", "core dumped", "Traceback")
TAIL_LINES = 15


def one_run(folder: Path) -> tuple[bool, subprocess.CompletedProcess]:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "studio", "train", "--out", str(folder), "--steps", str(STEPS), *TINY]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    clean = (result.returncode == 0 and result.stdout.count(f"Finished {STEPS} steps") == 1
             and not any(marker in output for marker in ABORT_MARKERS))
    return clean, result


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    failures: list[tuple[int, subprocess.CompletedProcess]] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ddp-exit-") as scratch:
        for index in range(1, runs + 1):
            clean, result = one_run(Path(scratch) / f"run-{index:03d}")
            if not clean:
                failures.append((index, result))
                print(f"run {index}: FAILED with exit status {result.returncode}", flush=True)
                lines = result.stderr.strip().splitlines()
                causes = [line for line in lines[:-TAIL_LINES] if any(marker in line for marker in ABORT_MARKERS)]
                for line in [*causes, *lines[-TAIL_LINES:]]:
                    print(f"    {line}", flush=True)
            elif index % 10 == 0:
                print(f"{index} runs, {len(failures)} failed, {time.perf_counter() - began:.0f} s", flush=True)
    print(f"{len(failures)} of {runs} failed ({time.perf_counter() - began:.0f} s in all, "
          f"{(time.perf_counter() - began) / runs:.1f} s per run)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
