"""Dataset loading benchmark (a script, not a test): ``python tests/benchmarks/bench_data.py [N]``.

Builds (once, under /tmp) a synthetic folder of N JPEG photos (96×72, two classes) and prints,
in one run: images/s of a plain sequential Pillow loop (open, convert, centre-crop, resize to
32 px, stack) against the studio's loader cold and from its cache, and the loader's peak memory
against the raw uint8 payload. Targets: cold ≥ 2× the loop on a two-core laptop, cache ≥ 50×,
peak ≤ 1.5× the payload. Each studio measurement runs in a fresh process with an empty studio
home, so no figure borrows another's warm state.
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


def main() -> None:
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
