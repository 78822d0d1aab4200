#!/usr/bin/env python3
"""Time from starting the studio to its main window being shown, offscreen.

    packaging/measure_startup.py dist/gan-studio/gan-studio [--runs 3]
    packaging/measure_startup.py .venv/bin/gan-studio

Starts the executable with ``--quit-when-shown`` (it prints the wall-clock time at which the window was
first shown, then quits) and reports shown-time minus start-time for each run; the first run is the
cold one (files not yet in the page cache, unless something read them before).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def measure(executable: str) -> float:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GAN_STUDIO_HOME=home)
        began = time.time()
        result = subprocess.run([executable, "--quit-when-shown"], env=env, capture_output=True, text=True, timeout=300)
    shown = [line for line in result.stdout.splitlines() if line.startswith("window shown at ")]
    if result.returncode != 0 or not shown:
        raise SystemExit(f"{executable} did not show its window (status {result.returncode}): {result.stderr[-2000:]}")
    return float(shown[-1].rsplit(" ", 1)[1]) - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executable")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = [measure(args.executable) for _ in range(args.runs)]
    print(f"window shown after: first {times[0]:.2f} s; "
          f"then {', '.join(f'{t:.2f} s' for t in times[1:]) or 'no further runs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
