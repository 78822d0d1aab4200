"""Style transfer against a known answer: how close do the translations come to the true ones for the
same wall-clock time? Figures, not assertions.

Run from the repository root (a script, not a test):

    .venv/bin/python tests/benchmarks/bench_translation.py --budgets 120,300 --resolution 32
    .venv/bin/python tests/benchmarks/bench_translation.py --budgets 30 --methods cut,reference --json out.json

The domains: the demo set's scenes (source) and the same scenes in a second palette and line style
(target: colours rotated and inverted, outlines drawn dark), so every source image has a known true
translation. Training is unpaired: the source and target sets hold different scenes. Each method trains
for each budget (seconds of wall clock), then translates held-out source scenes, which are compared with
their true translations (PSNR in dB, SSIM), beside two floors: the source unchanged, and the mean target
image; and the look-alikes, the true style with the colour channels in another order, which unpaired sets
cannot tell from the true one (the demo palette looks nearly the same in any channel order: channel means
within 3 levels, equal correlations), so a perfect unpaired translator may score anywhere from about 15 dB
up (at 32 px). Methods: the studio's cut, fastcut and cyclegan (their default settings), and 'reference', a
CycleGAN trained the usual way (tests/benchmarks/reference_cyclegan.py). Also times translating one
64 px image with a trained translator on the CPU (median of 50).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from studio.core.data.dataset import ImageDataset  # noqa: E402
from studio.core.data.demo import make_demo_dataset  # noqa: E402
from studio.core.translation.apply import Translator  # noqa: E402
from studio.core.translation.config import TranslationConfig, choose_model  # noqa: E402
from studio.core.translation.data import ImagePair, new_translation_run  # noqa: E402
from studio.core.translation.quality import true_answer_scores  # noqa: E402
from studio.core.translation.trainer import TranslationTrainer  # noqa: E402
from tests.benchmarks.reference_cyclegan import train_reference_cyclegan  # noqa: E402

TRAIN_IMAGES, TEST_IMAGES = 400, 64
STUDIO_METHODS = ("cut", "fastcut", "cyclegan")


TRUE_ORDER = (2, 0, 1)


def restyle(images: np.ndarray, order: tuple[int, ...] = TRUE_ORDER) -> np.ndarray:
    """The true translation: colours rotated and inverted, and every outline drawn dark (``order``: the
    channel order; any other gives the look-alikes of :func:`look_alike_scores`)."""
    pixels = images.astype(np.float32)
    styled = 255 - pixels[..., list(order)]
    luma = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    gy, gx = np.gradient(luma, axis=(1, 2))
    styled[np.hypot(gx, gy) > 24] = 30
    return styled.clip(0, 255).astype(np.uint8)


def domains(resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(source scenes, target scenes (other scenes, restyled), held-out source scenes, their true translations)."""
    demo = make_demo_dataset(2 * TRAIN_IMAGES + TEST_IMAGES, resolution).images.permute(0, 2, 3, 1).numpy()
    source, other, test = demo[:TRAIN_IMAGES], demo[TRAIN_IMAGES : 2 * TRAIN_IMAGES], demo[2 * TRAIN_IMAGES :]
    return source, restyle(other), test, restyle(test)


def look_alike_scores(test: np.ndarray, truths: np.ndarray) -> list[tuple[float, float]]:
    """Scores of the true style with the colour channels in each other order. The demo palette looks the
    same in any channel order, so no unpaired learner can tell these from the true translation: they show
    how far a perfect translator may land from the true answer."""
    return [true_answer_scores(restyle(test, order), truths) for order in itertools.permutations(range(3)) if order != TRUE_ORDER]


def _dataset(images: np.ndarray, name: str) -> ImageDataset:
    return ImageDataset(torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.zeros(len(images), dtype=torch.long),
                        [name], name, names=[f"#{index}" for index in range(len(images))])


def train_studio(model: str, source, target, seconds: float, root: Path, resolution: int):
    """A studio run with the model's defaults, stopped after ``seconds``; returns (its translator, steps)."""
    config = TranslationConfig()
    config.data.source, config.data.target, config.data.resolution, config.data.held_out = "source", "target", resolution, 0.0
    choose_model(config, model)
    config.train.steps, config.train.checkpoint_every, config.train.sample_every, config.train.log_every = 10**7, 10**6, 10**6, 50
    config.train.device = "cpu"
    pair = ImagePair(_dataset(source, "source"), _dataset(target, "target"))
    run = new_translation_run(root, config, pair, name=f"{model}-{seconds:g}")
    trainer = TranslationTrainer(run, pair)
    timer = threading.Timer(seconds, trainer.stop)
    timer.start()
    trainer.run()
    timer.cancel()
    translator = Translator(run)
    return translator, translator.step


def evaluate(translate, test: np.ndarray, truths: np.ndarray) -> tuple[float, float]:
    return true_answer_scores(translate(torch.from_numpy(test).permute(0, 3, 1, 2).contiguous()), truths)


def reference_translate(generator):
    @torch.no_grad()
    def translate(images: torch.Tensor) -> np.ndarray:
        out = generator(images.float() / 127.5 - 1)
        return ((out.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()

    return translate


def time_one_image(root: Path, source, target) -> float:
    """Median milliseconds to translate one 64 px image with the studio's default CUT translator on the CPU."""
    translator, _ = train_studio("cut", source, target, 1.0, root, 64)
    image = torch.from_numpy(source[:1]).permute(0, 3, 1, 2).contiguous()
    times = []
    for _ in range(55):
        began = time.perf_counter()
        translator.translate(image)
        times.append(time.perf_counter() - began)
    return 1000 * float(np.median(times[5:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budgets", default="120,300", help="comma-separated seconds of training per method")
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--methods", default="cut,fastcut,cyclegan,reference")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--no-timing", action="store_true", help="skip timing one 64 px translation")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    budgets = [float(value) for value in args.budgets.split(",")]
    methods = args.methods.split(",")
    source, target, test, truths = domains(args.resolution)
    unchanged = true_answer_scores(test, truths)
    mean_target = np.broadcast_to(target.astype(np.float64).mean(0).round().astype(np.uint8), truths.shape)
    mean_floor = true_answer_scores(np.ascontiguousarray(mean_target), truths)
    best_floor = max(unchanged[0], mean_floor[0])
    look_alikes = look_alike_scores(test, truths)
    print(f"{args.resolution} px, {TRAIN_IMAGES} source and {TRAIN_IMAGES} target scenes (unpaired), {TEST_IMAGES} held-out; "
          f"torch threads {torch.get_num_threads()}")
    print(f"{'method':>22} {'budget s':>8} {'steps':>7} {'PSNR dB':>8} {'SSIM':>6} {'dB over floor':>13}")
    print(f"{'floor: source unchanged':>22} {'':>8} {'':>7} {unchanged[0]:8.2f} {unchanged[1]:6.3f}")
    print(f"{'floor: mean target':>22} {'':>8} {'':>7} {mean_floor[0]:8.2f} {mean_floor[1]:6.3f}")
    psnrs, ssims = [score[0] for score in look_alikes], [score[1] for score in look_alikes]
    print(f"{'look-alikes (channels)':>22} {'':>8} {'':>7} {min(psnrs):5.1f}-{max(psnrs):<4.1f} {min(ssims):.2f}-{max(ssims):.2f}"
          "  (the true style in another channel order: unpaired sets cannot tell it from the true one)")
    figures = {"resolution": args.resolution, "threads": torch.get_num_threads(),
               "floors": {"unchanged": unchanged, "mean_target": mean_floor},
               "look_alikes": look_alikes, "results": []}
    with tempfile.TemporaryDirectory() as folder:
        for budget in budgets:
            for method in methods:
                if method == "reference":
                    generator, steps = train_reference_cyclegan(source, target, budget)
                    scores = evaluate(reference_translate(generator), test, truths)
                else:
                    translator, steps = train_studio(method, source, target, budget, Path(folder), args.resolution)
                    scores = evaluate(translator.translate, test, truths)
                print(f"{method:>22} {budget:8.0f} {steps:7d} {scores[0]:8.2f} {scores[1]:6.3f} {scores[0] - best_floor:13.2f}",
                      flush=True)
                figures["results"].append({"method": method, "budget_s": budget, "steps": steps, "psnr": scores[0],
                                           "ssim": scores[1], "over_floor_db": scores[0] - best_floor})
        if not args.no_timing:
            source64, target64, _, _ = domains(64)
            figures["translate_64px_ms"] = time_one_image(Path(folder), source64[:16], target64[:16])
            print(f"translating one 64 px image on the CPU: {figures['translate_64px_ms']:.1f} ms (median of 50)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
