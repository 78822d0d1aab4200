"""Dataset loading benchmark (a script, not a test): ``python tests/benchmarks/bench_data.py [N]``.

Builds (once, under /tmp) a synthetic folder of N JPEG photos (96×72, two classes) and prints,
in one run: images/s of a plain sequential Pillow loop (open, convert, centre-crop, resize to
32 px, stack) against the studio's loader cold and from its cache, and the loader's peak memory
against the raw uint8 payload. Targets: cold ≥ 2× the loop on a two-core laptop, cache ≥ 50×,
peak ≤ 1.5× the payload. Each studio measurement runs in a fresh process with an empty studio
home, so no figure borrows another's warm state.

``--workers`` instead compares ways to run the decoders on the same files, each in a fresh
process: the studio's pool (fork server, one pool per load; a session's first load also starts
the fork server), a thread pool (does Pillow release
the interpreter lock enough?), and a pool forked from the calling process (fast, but it hangs when
another thread holds a lock at the fork); images/s and the ratio against the forked pool, on small
96×72 JPEGs and on 640×480 photos. Run it under ``taskset -c 0,1`` to measure two cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

RESOLUTION = 32
MEASURE = r"""
import json, sys, time
from studio.core.config import DataConfig
from studio.core.data import load_dataset

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

config = DataConfig(source=sys.argv[1], resolution=int(sys.argv[2]))
base = status("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")  # restart the peak (VmHWM) from here
start = time.perf_counter()
cold = load_dataset(config)
cold_s = time.perf_counter() - start
peak = status("VmHWM:") - base
payload = cold.images.numel()
del cold
start = time.perf_counter()
cached = load_dataset(config)
print(json.dumps({"cold_s": cold_s, "cache_s": time.perf_counter() - start, "n": len(cached),
                  "peak": peak, "payload": payload}))
"""


def build(count: int) -> Path:
    root = Path(tempfile.gettempdir()) / f"studio-bench-data-{count}"
    if (root / "done").exists():
        return root
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (64, 72, 96, 3), dtype=np.uint8)
    for index in range(count):
        folder = root / ("a" if index % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        image = np.roll(base[index % 64], index % 50, axis=1)
        Image.fromarray(image).save(folder / f"{index:06d}.jpg", quality=90)
    (root / "done").write_text("ok")
    return root


def sequential_loop(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    images = []
    for path in sorted(root.rglob("*.jpg")):
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        side = min(rgb.size)
        left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
        square = rgb.crop((left, top, left + side, top + side)).resize((RESOLUTION, RESOLUTION), Image.Resampling.LANCZOS)
        images.append(np.asarray(square))
    stacked = np.stack(images)
    return time.perf_counter() - start, len(stacked)


def studio_loader(root: Path) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "GAN_STUDIO_HOME": home}
        result = subprocess.run([sys.executable, "-c", MEASURE, str(root), str(RESOLUTION)], capture_output=True,
                                text=True, env=env, check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(result.stdout.strip().splitlines()[-1])


WORKERS = r"""
import json, multiprocessing, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from studio.core.data import parallel
from studio.core.data.decode import decode_bytes
from studio.core.data.preprocess import Preprocess
from studio.core.data.readers import FolderReader

root, way = Path(sys.argv[1]), sys.argv[2]
names = sorted(str(path.relative_to(root)) for path in root.rglob("*.jpg"))
read, prep = FolderReader(root, 2**30), Preprocess(resolution=int(sys.argv[3]))
chunks = [names[start : start + 64] for start in range(0, len(names), 64)]

def chunk(refs):
    return [decode_bytes(read(ref), prep).pixels for ref in refs]

start = time.perf_counter()
if way == "studio":
    parallel.decode_all(names, read, prep)
    print(json.dumps({"rate": len(names) / (time.perf_counter() - start)}))
    start = time.perf_counter()
    parallel.decode_all(names, read, prep)  # the fork server is up now, as for every load after a session's first
elif way == "threads":
    with ThreadPoolExecutor(parallel.worker_count()) as pool:
        list(pool.map(chunk, chunks))
else:
    with multiprocessing.get_context("fork").Pool(parallel.worker_count()) as pool:
        list(pool.imap_unordered(chunk, chunks))
print(json.dumps({"rate": len(names) / (time.perf_counter() - start)}))
"""


def build_photos(count: int) -> Path:
    root = Path(tempfile.gettempdir()) / f"studio-bench-photos-{count}"
    if (root / "done").exists():
        return root
    rng = np.random.default_rng(1)
    base = (rng.random((8, 60, 80, 3)) * 255).astype(np.uint8)
    for index in range(count):
        folder = root / ("a" if index % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        photo = Image.fromarray(base[index % 8]).resize((640, 480), Image.Resampling.BICUBIC)
        photo.save(folder / f"{index:06d}.jpg", quality=90)
    (root / "done").write_text("ok")
    return root


def compare_workers(count: int) -> None:
    """Images/s of each way to run the decoders, best of three fresh processes each."""
    cwd = Path(__file__).resolve().parents[2]
    print(f"decoding workers, {len(os.sched_getaffinity(0))} CPUs usable, best of 3 runs each")
    for label, root in ((f"{count:,} JPEGs 96×72", build(count)), (f"{count // 10:,} photos 640×480", build_photos(count // 10))):
        rates = {}
        for way in ("fork", "threads", "studio"):
            runs = [subprocess.run([sys.executable, "-c", WORKERS, str(root), way, str(RESOLUTION)], capture_output=True,
                                   text=True, check=True, cwd=cwd).stdout.strip().splitlines() for _ in range(3)]
            rates[way] = max(json.loads(lines[-1])["rate"] for lines in runs)
            if way == "studio":
                rates["first"] = max(json.loads(lines[-2])["rate"] for lines in runs)
        for way, name in (("fork", "pool forked from the caller (before)"), ("threads", "thread pool"),
                          ("first", "studio, a session's first load"), ("studio", "studio, later loads")):
            print(f"{label:22s} {name:38s}: {rates[way]:8,.0f} img/s  {rates[way] / rates['fork']:5.2f}x the forked pool")


def main() -> None:
    if "--workers" in sys.argv:
        numbers = [arg for arg in sys.argv[1:] if arg != "--workers"]
        compare_workers(int(numbers[0]) if numbers else 5_000)
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    root = build(count)
    loop_s, n = sequential_loop(root)
    studio = studio_loader(root)
    loop_rate = n / loop_s
    cold_rate, cache_rate = studio["n"] / studio["cold_s"], studio["n"] / studio["cache_s"]
    print(f"{n:,} JPEG files (96×72) -> {RESOLUTION} px, {os.cpu_count()} CPUs")
    print(f"sequential Pillow loop : {loop_rate:10,.0f} img/s  ({loop_s:.2f} s)")
    print(f"studio loader, cold    : {cold_rate:10,.0f} img/s  ({studio['cold_s']:.2f} s)  {cold_rate / loop_rate:6.1f}x  (target >= 2x)")
    print(f"studio loader, cached  : {cache_rate:10,.0f} img/s  ({studio['cache_s']:.3f} s)  {cache_rate / loop_rate:6.1f}x  (target >= 50x)")
    print(f"peak memory while loading: {studio['peak'] / 2**20:.0f} MiB for a {studio['payload'] / 2**20:.0f} MiB payload "
          f"= {studio['peak'] / studio['payload']:.2f}x  (target <= 1.5x; worker processes not counted)")


if __name__ == "__main__":
    main()
