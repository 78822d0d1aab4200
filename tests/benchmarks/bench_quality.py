"""Quality per minute: what the studio's defaults, its CPU presets and a common DCGAN loop reach in equal wall time.

Run from the repository root (a script, not a test). The digits sets need scikit-learn
(`pip install scikit-learn`, or `pip install -e .[bench]`):

    .venv/bin/python tests/benchmarks/bench_quality.py                 # budgets of 60 and 180 s
    .venv/bin/python tests/benchmarks/bench_quality.py --long          # and 600 s
    .venv/bin/python tests/benchmarks/bench_quality.py --budgets 5,10 --datasets demo --models default,reference

Every model trains on the CPU once, for the longest budget, and is snapshotted at each shorter one
(its state at 60 s is what a 60 s budget gives); the clock starts before the models are built.
  default     the studio's defaults for the dataset: RunConfig() with the dataset's source, as the
              training form and `train --data` build them, trained by the studio's Trainer with
              everything a user's run does (evaluations, sample grids, checkpoints) inside the clock
  <preset>    each preset not meant for a GPU (today fast-cpu and small-data) over those defaults
  reference   a DCGAN trained the common way (reference_dcgan.py: Pillow decoding in a DataLoader
              every epoch, BCE, Adam 2e-4/0.5, fp32, latent 100, widths 64, batch 64)
A studio model whose own step count ends before a budget is scored as it ended (see "wall s").

Datasets (--datasets):
  demo               the built-in shapes (4 classes, 8,000 colour images at 32 px)
  digits             scikit-learn's 1,797 handwritten digits (8×8, 10 classes), upscaled to 32 px and
                     written as class folders under --cache when missing
  digits-unlabelled  the same images in one folder: what an analyst's unlabelled folder gets; scored
                     with the digits classifier

Every model is scored the same way, on 1,000 samples (for a conditional model, every class in turn),
with a small CNN classifier trained on 80% of the labelled real images (its accuracy on the other
20% is printed with each table; --classifier-steps trains it longer, once, then it is cached). Columns:
  steps, wall s  steps done and seconds since the start, at the snapshot
  img/s          training images per second of wall time (evaluations and sample grids included)
  FD, KID        Fréchet and kernel (×1000) distances between the samples and all real images in the
                 classifier's 128-d penultimate-layer features; lower is better
  conf           the classifier's mean top-class probability: recognisable samples score high
  cover          entropy of the predicted-class histogram ÷ log K: 1 when every class is equally present
  copies         share of samples closer (pixel RMSE) to a training image than the 5th percentile of
                 the real images' distances to their nearest other real image
  asked          conditional models only: share of samples classified as the class asked for
The row "real" scores 1,000 real images the same way: what this classifier gives real data.
Grids of samples go to <out>/<dataset>/<model>-<budget>s.png (and real.png) for a person to look at.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs
import torch
from PIL import Image
from quality_scores import Scorer, save_grid
from reference_dcgan import BATCH, LATENT, ReferenceDCGAN, tutorial_samples, write_images

from studio.core.config import DataConfig, RunConfig, check
from studio.core.data import load_dataset
from studio.core.data.dataset import ImageDataset
from studio.core.evaluation.evaluate import EVAL_SEED, generate
from studio.core.runs import Run, sidecar_path
from studio.core.sampling import Sampler, latents
from studio.core.training.events import CheckpointSaved, Failed, Finished
from studio.core.training.presets import PRESETS, apply_preset
from studio.core.training.trainer import Trainer

SAMPLES = 1000
SCORING_CLASSIFIER_STEPS = 2000  # 96% held-out accuracy on the demo shapes, 99% on the digits (400 gave 81% on the shapes)
DIGITS_COUNT, DIGITS_SIZE = 1797, 32
CPU_PRESETS = [name for name in PRESETS if "gpu" not in name]
MODELS = ["default", *CPU_PRESETS, "reference"]
DATASETS = ["demo", "digits", "digits-unlabelled"]
COLUMNS = [("model", 12, ""), ("budget", 6, ""), ("steps", 6, ""), ("wall s", 6, ".1f"), ("img/s", 6, ".0f"),
           ("FD", 8, ".2f"), ("KID", 7, ".2f"), ("conf", 5, ".2f"), ("cover", 5, ".2f"), ("copies", 6, ".1%"), ("asked", 6, ".1%")]


@dataclass
class Snapshot:
    """A model as it stood at one budget, and how to draw samples from it."""

    budget: int
    steps: int
    seconds: float
    images_per_sec: float
    draw: Callable[[int], tuple[torch.Tensor, list[str]]]  # n -> (uint8 images, the class names asked in turn, or [])


# ------------------------------------------------------------------ datasets
def digits_folder(cache: Path, labelled: bool) -> Path:
    """scikit-learn's digits as 32 px PNGs (white on black): class folders 0-9, or one flat folder."""
    folder = cache / ("digits" if labelled else "digits-unlabelled")
    if len(list(folder.rglob("*.png"))) == DIGITS_COUNT:
        return folder
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("The digits datasets are made from scikit-learn's copy of them: pip install scikit-learn")
    digits = load_digits()
    staging = cache / f".{folder.name}-{time.time_ns()}"
    for index, (pixels, label) in enumerate(zip(digits.images, digits.target)):
        image = Image.fromarray(np.round(pixels * 255 / 16).astype(np.uint8))
        path = staging / str(label) / f"{index:04d}.png" if labelled else staging / f"{index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.resize((DIGITS_SIZE, DIGITS_SIZE), Image.Resampling.BICUBIC).save(path)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def content_key(dataset: ImageDataset) -> str:
    """A short hash of the pixels, so what is cached for a dataset is remade when its images change."""
    return hashlib.sha1(dataset.images.numpy().tobytes()).hexdigest()[:12]


def demo_files(dataset: ImageDataset, cache: Path) -> list[Path]:
    """The demo set as PNG files, for the reference loop to decode as it would an analyst's folder."""
    folder = cache / f"demo-files-{content_key(dataset)}"
    files = sorted(folder.glob("*.png"))
    return files if len(files) == len(dataset) else write_images(dataset.preview(len(dataset)), folder)


def prepare(name: str, cache: Path) -> tuple[ImageDataset, ImageDataset, list[Path]]:
    """(the dataset the studio trains on, the labelled one the scores come from, the files the reference decodes)."""
    if name == "demo":
        dataset = load_dataset(DataConfig())
        return dataset, dataset, demo_files(dataset, cache)
    labelled = load_dataset(DataConfig(source=str(digits_folder(cache, labelled=True))))
    train_folder = digits_folder(cache, labelled=name == "digits")
    trained = labelled if name == "digits" else load_dataset(DataConfig(source=str(train_folder)))
    return trained, labelled, sorted(train_folder.rglob("*.png"))


# ------------------------------------------------------------------ training
def studio_config(dataset: ImageDataset, preset: str | None) -> RunConfig:
    """The config a new run gets for this dataset (the form's defaults), with a preset over it if named."""
    config = RunConfig(data=DataConfig(source=dataset.source))
    config.train.device = "cpu"
    config = apply_preset(config, preset) if preset else config
    check(config)
    return config


def train_studio(config: RunConfig, dataset: ImageDataset, budgets: list[int], root: Path, name: str) -> list[Snapshot]:
    """Train with the studio's Trainer; at each budget ask for a checkpoint and keep a copy of it, stop at the last."""
    run = Run.create(root, config, dataset.summary(), name=name)
    pending: list[int] = []
    taken: dict[int, tuple[int, float, Path]] = {}
    ended: list = []
    began = time.perf_counter()

    def keep(budget: int, step: int, seconds: float, checkpoint: Path) -> None:
        kept = root / f"{name}-{budget}s.safetensors"
        shutil.copyfile(checkpoint, kept)
        shutil.copyfile(sidecar_path(checkpoint), sidecar_path(kept))
        taken[budget] = (step, seconds, kept)

    def on_event(event) -> None:
        if isinstance(event, CheckpointSaved) and pending:
            keep(pending.pop(0), event.step, time.perf_counter() - began, event.path)
        elif isinstance(event, (Finished, Failed)):
            ended.append((event, time.perf_counter() - began))

    trainer = Trainer(run, dataset, on_event)

    def mark(budget: int) -> None:
        pending.append(budget)
        if budget == budgets[-1]:
            trainer.stop()
        else:
            trainer.request_checkpoint()

    timers = [threading.Timer(budget, mark, (budget,)) for budget in budgets]
    for timer in timers:
        timer.start()
    trainer.run()
    for timer in timers:
        timer.cancel()
        timer.join()
    event, seconds = ended[-1]
    if isinstance(event, Failed) or run.latest_checkpoint() is None:
        print(f"  {name} left nothing to score: {getattr(event, 'message', 'no step was finished')}")
        return []
    for budget in budgets:  # ended before this budget, or stopped right after a periodic checkpoint
        if budget not in taken:
            keep(budget, event.step, seconds, run.latest_checkpoint())
    return [Snapshot(budget, step, seconds, step * config.train.batch_size / seconds, _studio_draw(run, path))
            for budget, (step, seconds, path) in sorted(taken.items())]


def _studio_draw(run: Run, checkpoint: Path) -> Callable[[int], tuple[torch.Tensor, list[str]]]:
    def draw(n: int) -> tuple[torch.Tensor, list[str]]:
        sampler = Sampler.from_run(run, checkpoint)
        return generate(sampler.generator, sampler.latent_dim, n), sampler.class_names if sampler.num_classes else []
    return draw


def train_reference(files: list[Path], resolution: int, budgets: list[int]) -> list[Snapshot]:
    """Train the common way; at each budget keep a copy of the generator, stop at the last."""
    began = time.perf_counter()
    reference = ReferenceDCGAN(files, resolution)
    snapshots: list[Snapshot] = []

    def until(done: int) -> bool:
        seconds = time.perf_counter() - began
        while len(snapshots) < len(budgets) and seconds >= budgets[len(snapshots)]:
            draw = _reference_draw(copy.deepcopy(reference.generator))
            snapshots.append(Snapshot(budgets[len(snapshots)], done, seconds, done * BATCH / seconds, draw))
        return len(snapshots) == len(budgets)

    reference.train(until)
    return snapshots


def _reference_draw(generator: torch.nn.Module) -> Callable[[int], tuple[torch.Tensor, list[str]]]:
    return lambda n: (tutorial_samples(generator, latents(EVAL_SEED, n, LATENT)), [])


# ------------------------------------------------------------------ table
def print_table(title: str, rows: list[dict]) -> None:
    """The model name left-aligned, the figures right-aligned, "-" where a column does not apply."""
    def line(texts: list[str]) -> str:
        widths = [width for _, width, _ in COLUMNS]
        return "  ".join([texts[0].ljust(widths[0]), *(text.rjust(width) for text, width in zip(texts[1:], widths[1:]))])

    print(f"\n{title}")
    print(line([label for label, _, _ in COLUMNS]))
    for row in rows:
        print(line(["-" if row.get(label) is None else format(row[label], spec) for label, _, spec in COLUMNS]))


def bench_dataset(name: str, args: argparse.Namespace) -> None:
    trained, labelled, files = prepare(name, args.cache)
    scorer = Scorer.for_dataset(labelled, args.cache / f"classifier-{content_key(labelled)}", args.classifier_steps)
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    print(f"\n== {name}: {len(trained)} training images, {len(trained.class_names)} class(es); "
          f"{scorer.space.label}; copies below pixel RMSE {scorer.copy_threshold:.1f}")
    real = labelled.images[torch.randperm(len(labelled), generator=torch.Generator().manual_seed(EVAL_SEED))[:SAMPLES]]
    rows = [{"model": "real", **scorer.score(real, check_copies=False)}]
    save_grid(real, 0, out / "real.png")
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        for model in args.models:
            if model == "reference":
                print(f"  training {model} for {args.budgets[-1]} s ...", flush=True)
                snapshots = train_reference(files, trained.resolution, args.budgets)
            else:
                config = studio_config(trained, None if model == "default" else model)
                if model != "default" and config == studio_config(trained, None):
                    print(f"  {model} has the same settings as the defaults: see the default rows")
                    continue
                print(f"  training {model} for {args.budgets[-1]} s ...", flush=True)
                snapshots = train_studio(config, trained, args.budgets, Path(tmp), model)
            for snapshot in snapshots:
                images, classes = snapshot.draw(SAMPLES)
                asked = scorer.asked_indices(classes, len(images)) if classes else None
                save_grid(images, len(classes), out / f"{model}-{snapshot.budget}s.png")
                rows.append({"model": model, "budget": f"{snapshot.budget}s", "steps": snapshot.steps,
                             "wall s": snapshot.seconds, "img/s": snapshot.images_per_sec, **scorer.score(images, asked)})
    print_table(f"{name}: {SAMPLES} samples per model, classifier accuracy {scorer.space.accuracy:.1%} "
                f"(grids in {out})", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Quality reached per minute of CPU training (see the module docstring).")
    parser.add_argument("--budgets", help="comma-separated seconds (default 60,180)")
    parser.add_argument("--long", action="store_true", help="add a 600 s budget")
    parser.add_argument("--datasets", default=",".join(DATASETS), help=f"comma-separated, from {', '.join(DATASETS)}")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    parser.add_argument("--classifier-steps", type=int, default=SCORING_CLASSIFIER_STEPS,
                        help="training steps of the scoring classifier (it is trained once and cached)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_quality"), help="where the grids go")
    parser.add_argument("--cache", type=Path, default=Path(platformdirs.user_cache_dir("gan-studio")) / "bench",
                        help="where the digits folders, the demo files and the classifiers are kept")
    args = parser.parse_args()
    budgets = {int(text) for text in (args.budgets or "60,180").split(",")} | ({600} if args.long else set())
    args.budgets = sorted(budgets)
    args.models, datasets = args.models.split(","), args.datasets.split(",")
    unknown = sorted(set(args.models) - set(MODELS)) + sorted(set(datasets) - set(DATASETS))
    if unknown:
        parser.error(f"unknown model or dataset: {', '.join(unknown)}")
    print(f"Budgets {', '.join(f'{b} s' for b in args.budgets)} on the CPU ({torch.get_num_threads()} threads, "
          f"torch {torch.__version__}); models: {', '.join(args.models)}")
    for name in datasets:
        bench_dataset(name, args)


if __name__ == "__main__":
    main()
