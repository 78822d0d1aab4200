"""Does adding synthetic images help a downstream classifier? Train-synthetic-test-real, measured.

The same small CNN (fixed architecture, schedule and seeds) is trained five ways and tested each time on
real images no model has seen (the run's held-out split, or a folder the analyst names):

* real only, the baseline;
* synthetic only, as many per class as the real set has: the Classification Accuracy Score (Ravuri &
  Vinyals, 2019), how much of what tells the classes apart the generator has learnt;
* real plus synthetic, the rare classes topped up to the largest (or, on balanced data, as many
  synthetic images as real ones);
* real with the rare classes repeated (oversampling), and real with flip/crop augmentation: the two
  things an analyst would try without a GAN, so the synthetic images must beat them to be worth it.

Every way trains for the same number of steps, so a bigger set is not favoured by more updates.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from studio.core.data.dataset import ImageDataset
from studio.core.errors import StudioError
from studio.core.evaluation.features import SmallClassifier
from studio.core.evaluation.usefulness_result import MAX_SEEDS, PROBE_STEPS, RESULT_FILE, UsefulnessResult, WayResult
from studio.core.files import write_text_atomic
from studio.core.tasks import TaskState, quiet

PROBE_WIDTHS = (16, 32, 64)
PROBE_BATCH = 64
PROBE_LR = 2e-2
CROP_PAD = 4
_SEED_BASE = 7_000


def compare_training_sets(
    training: ImageDataset,
    test: ImageDataset,
    synthetic_for: Callable[[int, int], np.ndarray],
    added: list[int],
    seeds: int = 3,
    task: TaskState | None = None,
    steps: int = PROBE_STEPS,
) -> list[WayResult]:
    """Train the probe each way ``seeds`` times and test it on ``test``.

    ``synthetic_for(class_index, n)`` gives up to ``n`` synthetic images ``(n, H, W, 3)`` uint8 of a class
    (fewer when the quality gates let fewer through: the synthetic ways then use what there is);
    ``added[c]`` is how many the real + synthetic way adds to class ``c``.
    """
    task = task or quiet()
    classes = len(training.class_names)
    counts = np.bincount(training.labels.numpy(), minlength=classes)
    synthetic = {c: _nchw(synthetic_for(c, max(int(counts[c]), added[c]))) for c in range(classes)}
    cas = _stack([synthetic[c][: counts[c]] for c in range(classes)])
    extra = _stack([synthetic[c][: added[c]] for c in range(classes)])
    sets = {
        "real": (training.images, training.labels, False),
        "synthetic": (*cas, False),
        "mixed": (torch.cat([training.images, extra[0]]), torch.cat([training.labels, extra[1]]), False),
        "oversampled": (*_oversampled(training, counts), False),
        "flip_crop": (training.images, training.labels, True),
    }
    total, done = len(sets) * seeds * steps, 0
    results = []
    for way, (images, labels, augment) in sets.items():
        result = WayResult(way, [], [], [])
        for seed in range(seeds):
            def progress(step: int, before: int = done) -> None:
                task.progress(before + step, total)

            model = _train_probe(images, labels, classes, _SEED_BASE + seed, augment, steps, task, progress)
            accuracy, f1, recall = _scores(model, test, classes)
            result.accuracy.append(accuracy)
            result.macro_f1.append(f1)
            result.recall.append(recall)
            done += steps
        results.append(result)
    task.progress(total, total)
    return results


def _nchw(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).contiguous()


def _stack(parts: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.cat([torch.full((len(part),), c, dtype=torch.int64) for c, part in enumerate(parts)])
    return torch.cat(parts), labels


def _oversampled(training: ImageDataset, counts: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Every class's images repeated until it is as large as the largest class."""
    largest = int(counts.max())
    labels = training.labels.numpy()
    order = np.concatenate([np.resize(np.flatnonzero(labels == c), largest) for c in range(len(counts)) if counts[c]])
    index = torch.from_numpy(order)
    return training.images[index], training.labels[index]


def _train_probe(images, labels, classes, seed, augment, steps, task, progress) -> SmallClassifier:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SmallClassifier(classes, PROBE_WIDTHS)
        optimizer = torch.optim.Adam(model.parameters(), lr=PROBE_LR)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=PROBE_LR, total_steps=steps)
        draw = torch.Generator().manual_seed(seed)
        model.train()
        for step in range(steps):
            if step % 25 == 0:
                task.check("The usefulness check")
                progress(step)
            batch = torch.randint(len(images), (PROBE_BATCH,), generator=draw)
            pixels = images[batch].float().div_(127.5).sub_(1)
            if augment:
                pixels = _flip_crop(pixels, draw)
            loss = F.cross_entropy(model(pixels), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return model


def _flip_crop(pixels: torch.Tensor, draw: torch.Generator) -> torch.Tensor:
    """Mirror a random half and shift every image by up to ``CROP_PAD`` pixels (reflected borders)."""
    n, _, height, width = pixels.shape
    flip = torch.rand(n, generator=draw) < 0.5
    pixels = torch.where(flip[:, None, None, None], pixels.flip(3), pixels)
    padded = F.pad(pixels, (CROP_PAD,) * 4, mode="reflect")
    dx, dy = torch.randint(0, 2 * CROP_PAD + 1, (2, n), generator=draw)
    rows = (dy[:, None] + torch.arange(height))[:, None, :, None]
    columns = (dx[:, None] + torch.arange(width))[:, None, None, :]
    return padded[torch.arange(n)[:, None, None, None], torch.arange(pixels.shape[1])[None, :, None, None], rows, columns]


@torch.no_grad()
def _scores(model: SmallClassifier, test: ImageDataset, classes: int) -> tuple[float, float, list[float]]:
    predicted = torch.cat([model(test.images[i : i + 512].float().div(127.5).sub(1)).argmax(1)
                           for i in range(0, len(test), 512)]).numpy()
    truth = test.labels.numpy()
    recall, f1 = [], []
    for c in range(classes):
        true_positive = float(np.sum((predicted == c) & (truth == c)))
        actual, guessed = float(np.sum(truth == c)), float(np.sum(predicted == c))
        recall.append(true_positive / actual if actual else math.nan)
        if actual:
            f1.append(2 * true_positive / (actual + guessed))
    return float(np.mean(predicted == truth)), float(np.mean(f1)), recall


def usefulness_check(run, dataset: ImageDataset, seeds: int = 3, gates=None, test_data: ImageDataset | None = None,
                     task: TaskState | None = None, steps: int = PROBE_STEPS) -> UsefulnessResult:
    """Run the check for ``run`` on its dataset and save the result into the run (``usefulness.json``)."""
    from studio.core.augment.export import CACHE_DIR
    from studio.core.augment.gates import Gates, Judge
    from studio.core.augment.synthesis import synthesize
    from studio.core.augment.targets import Target, synthetic_targets
    from studio.core.evaluation.evaluate import checkpoint_for
    from studio.core.sampling import Sampler

    task = task or quiet()
    began = time.perf_counter()
    if not 1 <= seeds <= MAX_SEEDS:
        raise StudioError(f"The number of seeds must be from 1 to {MAX_SEEDS}, not {seeds}.")
    training, test = run.split(dataset)
    if len(training.class_names) < 2:
        raise StudioError("The usefulness check needs labelled data with at least two classes (sub-folders).")
    test_source = "the run's held-out test images"
    if test_data is not None:
        test, test_source = _matched(test_data, training.class_names), test_data.source
    elif test is None or not len(test):
        reason = ("it was made before the studio kept test images apart" if test is None
                  else "its held-out test share is 0")
        raise StudioError(f"This run has no untouched test images ({reason}); choose a folder of real images it has "
                          "never seen to test on.")
    sampler = Sampler.from_run(run, checkpoint_for(run, "last"))
    if not sampler.num_classes:
        raise StudioError("The usefulness check needs a model that knows the classes; train one with Conditional "
                          "'auto' or 'on'.")
    gates = gates or Gates()
    real_counts = training.class_counts()
    added = synthetic_targets(real_counts, Target("balance"))
    if not any(added.values()):  # balanced data: as many synthetic images as real ones
        added = dict(real_counts)
    wanted = {name: max(real_counts[name], added[name]) for name in training.class_names}
    judge = Judge(training, run.path / CACHE_DIR, classify=bool(gates.min_confidence), copies=gates.drop_copies)
    synthetic = synthesize(sampler, judge, gates, wanted, training.class_names, task=task.phase(0.0, 0.15))
    ways = compare_training_sets(training, test, synthetic.of_class, [added[name] for name in training.class_names],
                                 seeds, task.phase(0.15, 1.0), steps)
    result = UsefulnessResult(
        list(training.class_names), list(real_counts.values()),
        np.bincount(test.labels.numpy(), minlength=len(training.class_names)).tolist(),
        [min(added[name], tally.kept) for name, tally in synthetic.tallies.items()], seeds, ways, test_source,
        time.perf_counter() - began, sampler.step, " ".join([gates.describe(), *_shortfalls(synthetic.tallies)]))
    write_text_atomic(run.path / RESULT_FILE, json.dumps(result.to_dict(), indent=2))
    return result


def _shortfalls(tallies: dict) -> list[str]:
    """A sentence per class whose synthetic images the gates thinned out below what was asked for."""
    return [f"The gates let through only {tally.kept:,} of the {tally.asked:,} synthetic '{name}' images asked for "
            f"(of {tally.generated:,} generated); the synthetic training sets use those." for name, tally in tallies.items()
            if tally.short]


def _matched(test: ImageDataset, class_names: list[str]) -> ImageDataset:
    """``test`` with its labels renumbered to the run's classes; a class the run does not know is refused."""
    unknown = [name for name in test.class_names if name not in class_names]
    if unknown:
        raise StudioError(f"The test images have a class the run does not know: '{unknown[0]}' (the run has "
                          f"{', '.join(class_names)}).")
    remap = torch.tensor([class_names.index(name) for name in test.class_names], dtype=torch.int64)
    return ImageDataset(images=test.images, labels=remap[test.labels], class_names=list(class_names), source=test.source,
                        names=list(test.names))
