"""Measuring a run: a checkpoint against its real data (``evaluate``), and the evaluator the Trainer
calls every ``eval_every`` steps. Every record names its feature space and its sample counts.

Evaluation noise comes from its own seed, so evaluating never touches the training random state and
a resumed run stays bit-identical. Results are kept in ``<run>/eval/``:

    step-001500-random.json          the numbers, feature space, counts, memorisation check
    step-001500-random-pairs.png     the closest generated/training pairs, side by side
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from studio.core.data.dataset import ImageDataset
from studio.core.errors import StudioError
from studio.core.evaluation.features import FeatureSpace, feature_space
from studio.core.evaluation.metrics import (NEAR_COPY_FRACTION, PR_NEIGHBOURS, duplicate_rate, frechet_distance,
                                 kernel_distance, mean_pairwise_distance, nearest_training_images, precision_recall,
                                 typical_training_gap)
from studio.core.evaluation.vocabulary import Evaluation, logged_evaluations
from studio.core.files import write_text_atomic
from studio.core.imaging import make_grid, save_png
from studio.core.runs import Run
from studio.core.tasks import TaskState, quiet
from studio.core.sampling import latents, to_uint8_images
from studio.core.validation import read_json

EVAL_DIR = "eval"
EVAL_SEED = 424_242
MEMORISATION_SAMPLES = 256
CLOSEST_PAIRS = 8
DIVERSITY_SAMPLES = 1000
CPU_BUDGET = 0.10
_BATCH = 128
MIN_QUALITY_IMAGES = PR_NEIGHBOURS + 1  # precision/recall's neighbour radius (FD and KID need only two)


def quality_values(real: np.ndarray, fake: np.ndarray) -> dict:
    """Every distribution metric between two feature arrays (KID in units of 1e-3); refused in one sentence
    with fewer than :data:`MIN_QUALITY_IMAGES` real images (a spread of one image is undefined)."""
    if len(real) < MIN_QUALITY_IMAGES:
        raise StudioError(f"Measuring quality needs at least {MIN_QUALITY_IMAGES} real images; the dataset has "
                          f"{len(real)}.")
    kid, kid_std = kernel_distance(real, fake)
    precision, recall = precision_recall(real, fake)
    duplicates, duplicates_real, _ = duplicate_rate(fake, real)
    return {
        "fd": frechet_distance(real, fake),
        "kid": kid * 1000,
        "kid_std": kid_std * 1000,
        "precision": precision,
        "recall": recall,
        "diversity": mean_pairwise_distance(fake[:DIVERSITY_SAMPLES]) / max(mean_pairwise_distance(real[:DIVERSITY_SAMPLES]), 1e-12),
        "duplicate_rate": duplicates,
        "duplicate_rate_real": duplicates_real,
    }


def real_subset(dataset: ImageDataset, n: int, seed: int = EVAL_SEED) -> torch.Tensor:
    """A seeded choice of ``n`` real images (all of them when there are fewer)."""
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed))
    return dataset.images[order[: min(n, len(dataset))]]


@torch.no_grad()
def generate(generator: torch.nn.Module, latent_dim: int, n: int, device: torch.device | str = "cpu",
             task: TaskState | None = None) -> torch.Tensor:
    """``n`` images ``(N, 3, H, W)`` uint8 from the evaluation noise (every class in turn for a
    conditional generator); the generator is left as it was."""
    task = task or quiet()
    was_training = generator.training
    generator.eval()
    noise = latents(EVAL_SEED, n, latent_dim)
    parts = []
    try:
        for start in range(0, n, _BATCH):
            task.check("The evaluation")
            chunk = noise[start : start + _BATCH]
            labels = (torch.arange(start, start + len(chunk)) % generator.num_classes).to(device) if generator.num_classes else None
            images = to_uint8_images(generator(chunk.to(device), labels))
            parts.append(torch.from_numpy(images).permute(0, 3, 1, 2))
            task.progress(min(start + _BATCH, n), n)
    finally:
        generator.train(was_training)
    return torch.cat(parts)


def memorisation(fake: torch.Tensor, dataset: ImageDataset, space: FeatureSpace) -> tuple[dict, np.ndarray]:
    """Nearest training image of each generated one, and a picture of the closest pairs."""
    fake = fake[:MEMORISATION_SAMPLES]
    train_pixels = dataset.images.reshape(len(dataset), -1).numpy()
    neighbours = nearest_training_images(fake.reshape(len(fake), -1).numpy(), train_pixels)
    sample = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(EVAL_SEED))[:MEMORISATION_SAMPLES].numpy()
    gap = typical_training_gap(train_pixels[sample], sample, train_pixels) if len(dataset) > 1 else float("nan")
    nearest = dataset.images[torch.from_numpy(neighbours.index)]
    feature_distance = np.linalg.norm(space(fake) - space(nearest), axis=1)
    order = np.argsort(neighbours.pixel_distance)[:CLOSEST_PAIRS]
    pairs = np.stack([image for i in order for image in (fake[i], nearest[i])]).transpose(0, 2, 3, 1)
    summary = {
        "samples": len(fake),
        "training_images": len(dataset),
        "pixel_rmse_median": float(np.median(neighbours.pixel_distance)),
        "pixel_rmse_min": float(neighbours.pixel_distance.min()),
        "feature_distance_median": float(np.median(feature_distance)),
        "typical_training_gap": gap,
        "near_copy_rate": float((neighbours.pixel_distance < NEAR_COPY_FRACTION * gap).mean()),
        "closest": [{"sample": int(i), "training_index": int(neighbours.index[i]),
                     "pixel_rmse": float(neighbours.pixel_distance[i]), "feature_distance": float(feature_distance[i])}
                    for i in order],
    }
    return summary, make_grid(np.ascontiguousarray(pairs), nrow=min(8, len(pairs)))


def checkpoint_for(run: Run, which: str) -> Path:
    """``last``, ``best`` or a step number to the checkpoint file it names."""
    if which == "last":
        path = run.latest_checkpoint()
        if path is None:
            raise StudioError(f"The run '{run.name}' has no checkpoint to evaluate yet.")
        return path
    if which == "best":
        path = run.checkpoint_dir / "best.safetensors"
        if not path.exists():
            raise StudioError(f"The run '{run.name}' has no best checkpoint; it was trained without evaluations.")
        return path
    if not which.isdigit() or not run.checkpoint_path(int(which)).exists():
        steps = ", ".join(str(step) for step, _ in run.checkpoints()) or "none"
        raise StudioError(f"Checkpoint must be last, best or a saved step ({steps}), not '{which}'.")
    return run.checkpoint_path(int(which))


def evaluate(run: Run, dataset: ImageDataset, checkpoint: str = "last", n: int = 1000, features: str = "random",
             inception_weights: Path | None = None, task: TaskState | None = None) -> dict:
    """Measure one checkpoint against the real data and save the record into the run's ``eval`` folder."""
    from studio.core.sampling import Sampler

    if n < 10:
        raise StudioError(f"The number of samples must be at least 10, not {n}.")
    sampler = Sampler.from_run(run, checkpoint_for(run, checkpoint))
    fake = generate(sampler.generator, sampler.latent_dim, n, sampler.device, task)
    space = feature_space(features, dataset, run.path / EVAL_DIR, inception_weights)
    real = real_subset(dataset, n)
    values = quality_values(space(real, task), space(fake, task))
    memo, pairs = memorisation(fake, dataset, space)
    stem = f"step-{sampler.step:06d}-{space.kind}"
    save_png(pairs, run.path / EVAL_DIR / f"{stem}-pairs.png")
    record = {
        "step": sampler.step, "checkpoint": checkpoint, "features": space.kind, "feature_label": space.label,
        "classifier_accuracy": space.accuracy, "n_real": len(real), "n_fake": len(fake), **values,
        "memorisation": memo, "pairs_image": f"{stem}-pairs.png", "evaluated_at": time.time(),
    }
    write_text_atomic(run.path / EVAL_DIR / f"{stem}.json", json.dumps(record, indent=2))
    return record


def saved_evaluations(run: Run) -> list[Evaluation]:
    """Every saved evaluation of a run, oldest step first (damaged or tampered files are skipped)."""
    evaluations = []
    for path in sorted((run.path / EVAL_DIR).glob("step-*.json")):
        try:
            evaluations.append(Evaluation.from_record(read_json(path), f"'{path.name}'"))
        except StudioError:
            continue
    return sorted(evaluations, key=lambda evaluation: (evaluation.step, evaluation.evaluated_at))


@dataclass(frozen=True)
class EvalOutcome:
    record: dict
    improved: bool
    stop_reason: str = ""


class TrainingEvaluator:
    """The Trainer's hook: call :meth:`due` each step and the evaluator when it says so.

    Measures FD (and the rest) of the live generator in one feature space against a fixed real
    subset, tracks the best value for the best checkpoint, and says when to stop early. On the
    CPU it stretches its own interval so evaluating never costs more than 10% of training time.
    A resumed run continues the best value and patience from the evaluations already logged.
    With ``fixed_spacing`` it measures at every ``eval_every`` steps whatever it costs (a sweep
    compares its trials at the same steps).
    """

    def __init__(self, run: Run, dataset: ImageDataset, device: torch.device, start_step: int = 0,
                 fixed_spacing: bool = False):
        train = run.config.train
        self.fixed_spacing = fixed_spacing
        self.run, self.dataset, self.device = run, dataset, device
        self.every, self.n, self.kind, self.patience = train.eval_every, train.eval_samples, train.eval_features, train.early_stop_patience
        self._space: FeatureSpace | None = None
        self._real: np.ndarray | None = None
        self._next_step = 0
        self._clock, self._clock_step = time.perf_counter(), start_step
        self.best, self.best_step, self.since_best = math.inf, 0, 0
        for evaluation in logged_evaluations(run.read_metrics()):
            if evaluation.step <= start_step:
                self._track(evaluation)

    def due(self, step: int) -> bool:
        return self.every > 0 and step % self.every == 0 and step >= self._next_step

    def _track(self, evaluation: Evaluation) -> bool:
        if evaluation.fd < self.best:
            self.best, self.best_step, self.since_best = evaluation.fd, evaluation.step, 0
            return True
        self.since_best += 1
        return False

    def __call__(self, step: int, generator: torch.nn.Module, latent_dim: int) -> EvalOutcome:
        if self._space is None:
            self._space = feature_space(self.kind, self.dataset, self.run.path / EVAL_DIR)
            self._real = self._space(real_subset(self.dataset, self.n))
        began = time.perf_counter()
        fake = self._space(generate(generator, latent_dim, self.n, self.device))
        values = quality_values(self._real, fake)
        seconds = time.perf_counter() - began
        record = {"step": step, "kind": "eval", "features": self._space.kind, "feature_label": self._space.label,
                  "n_real": len(self._real), "n_fake": len(fake), **values, "eval_seconds": seconds}
        improved = self._track(Evaluation.from_record(record))
        self._budget(step, began, seconds)
        stop = ""
        if self.patience and self.since_best >= self.patience:
            stop = (f"Stopped early: the Fréchet distance has not improved for {self.since_best} evaluations "
                    f"(best {self.best:.3g} at step {self.best_step}).")
        return EvalOutcome(record, improved, stop)

    def _budget(self, step: int, began: float, seconds: float) -> None:
        """On the CPU, evaluate less often when an evaluation costs over 10% of the training between two."""
        train_seconds = began - self._clock
        steps = max(step - self._clock_step, 1)
        if not self.fixed_spacing and self.device.type == "cpu" and train_seconds > 0 and seconds > CPU_BUDGET * train_seconds:
            needed = seconds / (CPU_BUDGET * train_seconds / steps)
            self._next_step = step + int(math.ceil(needed / self.every)) * self.every
        self._clock, self._clock_step = time.perf_counter(), step
