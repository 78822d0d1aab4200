"""Memory of requests far larger than the work (a script, not a test):
``python tests/benchmarks/bench_memory_bounds.py [SECONDS]``.

Trains a tiny run on the demo set (once, under a temporary studio home), then measures each case in a
fresh process, sampling its resident memory every half second (the folder is removed at the end):

- ``augment --per-class 1000000`` for SECONDS (default 60), then stopped: memory at the first sample
  and at the end (their ratio: 1.0 means it does not grow with the images made) and the images written;
- ``sweep show`` and ``sweep --resume`` of a sweep whose journal ends in a 200 MB line of garbage, and
  ``data inspect`` of a CIFAR ``.tar.gz`` of six 256 MB members: the peak memory before the sentence.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024**2


def studio(*args: object) -> list[str]:
    return [sys.executable, "-m", "studio", *map(str, args)]


def sampled(command: list[str], seconds: float, home: Path) -> tuple[list[int], int, str]:
    """RSS in MiB every half second until the command ends or ``seconds`` pass (then it is killed), its peak (from
    the kernel's account of that one process) and the last line it wrote on stderr."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "GAN_STUDIO_HOME": str(home)}, start_new_session=True)
    samples, began = [], time.monotonic()
    while time.monotonic() - began < seconds and os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        time.sleep(0.5)
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            break
        rss = [int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmRSS")]
        if not rss:  # it has ended
            break
        samples.append(rss[0])
    if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        os.killpg(process.pid, signal.SIGKILL)
    _, _, usage = os.wait4(process.pid, 0)
    err = process.stderr.read().decode(errors="replace").strip().splitlines()
    process.stderr.close()
    return samples, usage.ru_maxrss // 1024, err[-1] if err else ""


def zeros_member(size: int) -> io.BufferedReader:
    class Zeros(io.RawIOBase):
        left = size

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            n = min(len(buffer), self.left)
            buffer[:n] = bytes(n)
            self.left -= n
            return n

    return io.BufferedReader(Zeros())


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    home = work / "home"
    tiny = ["--demo-images", 64, "--resolution", 16, "--device", "cpu", "--latent-dim", 16, "--g-width", 8,
            "--d-width", 8, "--batch-size", 8]
    subprocess.run(studio("train", "--out", work / "run", "--steps", 10, "--conditional", *tiny),
                   cwd=ROOT, check=True, capture_output=True, env={**os.environ, "GAN_STUDIO_HOME": str(home)})

    samples, _, _ = sampled(studio("augment", "--run", work / "run", "--out", work / "augmented", "--per-class", 1_000_000),
                            seconds, home)
    written = sum(1 for _ in work.glob(".augmented.*.partial/*/synthetic-*.png"))
    settled = samples[min(len(samples) - 1, 20)]  # after 10 s: imports done, the generator and gates loaded
    print(f"augment --per-class 1000000, {seconds:g} s: RSS {settled} MiB at 10 s -> {samples[-1]} MiB at the end "
          f"(ratio {samples[-1] / settled:.2f}, peak {max(samples)} MiB), {written:,} synthetic images written")

    sweep = work / "sweep"
    subprocess.run(studio("sweep", *tiny[:6], "--steps", 10, "--eval-every", 10, "--eval-samples", 16, "--features",
                          "random", "--trials", 1, "--out", sweep),
                   cwd=ROOT, check=True, capture_output=True, env={**os.environ, "GAN_STUDIO_HOME": str(home)})
    with open(sweep / "study.journal", "ab") as journal:
        journal.write(b"{")
        for _ in range(200):
            journal.write(b"x" * MIB)
        journal.write(b"\n")
    for command in (["sweep", "show", sweep], ["sweep", "--resume", "--out", sweep]):
        _, peak, last = sampled(studio(*command), 600, home)
        print(f"{' '.join(map(str, command[:2]))} with a 200 MB journal line: peak {peak:,} MiB; {last[:100]}")

    archive = work / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for name in [f"data_batch_{index}" for index in range(1, 6)] + ["test_batch"]:
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = 256 * MIB
            tar.addfile(info, zeros_member(info.size))
    _, peak, last = sampled(studio("data", "inspect", archive), 600, home)
    print(f"data inspect of a CIFAR archive of 6 x 256 MB members: peak {peak:,} MiB; {last[:100]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
