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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from studio.core.data.dataset import ImageDataset
from studio.core.errors import StudioError
from studio.core.evaluation.features import SmallClassifier
from studio.core.files import write_text_atomic
from studio.core.tasks import TaskState, quiet
from studio.core.validation import read_json

WAYS = {"real": "Real only", "synthetic": "Synthetic only (CAS)", "mixed": "Real + synthetic",
        "oversampled": "Real, rare classes repeated", "flip_crop": "Real with flip/crop"}
PROBE_WIDTHS = (16, 32, 64)
PROBE_STEPS = 500
PROBE_BATCH = 64
PROBE_LR = 2e-2
CROP_PAD = 4
RARE_SHARE = 0.5  # a class with fewer images than this share of the largest class's is rare
RESULT_FILE = "usefulness.json"
FORMAT = "gan-studio-usefulness/1"
_SEED_BASE = 7_000


@dataclass
class WayResult:
    way: str
    accuracy: list[float]
    macro_f1: list[float]
    recall: list[list[float]]  # per seed, per class

    @property
    def label(self) -> str:
        return WAYS[self.way]

    @property
    def accuracy_mean(self) -> float:
        return float(np.mean(self.accuracy))

    @property
    def accuracy_std(self) -> float:
        return float(np.std(self.accuracy))

    @property
    def f1_mean(self) -> float:
        return float(np.mean(self.macro_f1))

    @property
    def f1_std(self) -> float:
        return float(np.std(self.macro_f1))

    def class_recall(self) -> list[float]:
        """Recall per class, averaged over the seeds (NaN for a class absent from the test images)."""
        return np.nanmean(np.array(self.recall, dtype=float), axis=0).tolist() if self.recall else []


@dataclass
class UsefulnessResult:
    class_names: list[str]
    train_counts: list[int]
    test_counts: list[int]
    synthetic_added: list[int]
    seeds: int
    ways: list[WayResult]
    test_source: str
    seconds: float
    checkpoint_step: int = 0

    def way(self, name: str) -> WayResult:
        return next(result for result in self.ways if result.way == name)

    @property
    def rare_classes(self) -> list[int]:
        largest = max(self.train_counts, default=0)
        return [i for i, count in enumerate(self.train_counts) if count < RARE_SHARE * largest and self.test_counts[i]]

    def verdict(self) -> str:
        return _verdict(self)

    def table(self) -> list[list[str]]:
        """One row per way: accuracy and macro-F1 as mean ± std over the seeds."""
        return [[result.label, f"{result.accuracy_mean:.1%} ± {result.accuracy_std:.1%}",
                 f"{result.f1_mean:.3f} ± {result.f1_std:.3f}"] for result in self.ways]

    def to_dict(self) -> dict:
        return {"format": FORMAT, **asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_dict(cls, raw: object, where: str) -> UsefulnessResult:
        """A saved result, checked: a damaged or foreign file is one sentence."""
        try:
            if not isinstance(raw, dict) or raw.get("format") != FORMAT:
                raise ValueError
            ways = [WayResult(str(w["way"]), _floats(w["accuracy"]), _floats(w["macro_f1"]),
                              [_floats(row) for row in w["recall"]]) for w in raw["ways"]]
            if any(w.way not in WAYS for w in ways):
                raise ValueError
            return cls([str(n) for n in raw["class_names"]], _ints(raw["train_counts"]), _ints(raw["test_counts"]),
                       _ints(raw["synthetic_added"]), int(raw["seeds"]), ways, str(raw["test_source"]),
                       float(raw["seconds"]), int(raw.get("checkpoint_step", 0)))
        except (ValueError, TypeError, KeyError):
            raise StudioError(f"{where} is not a usefulness result this studio wrote.") from None


def _floats(values) -> list[float]:
    if not isinstance(values, list):
        raise ValueError
    return [float(v) if v is not None else math.nan for v in values]


def _ints(values) -> list[int]:
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError
    return list(values)


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

    ``synthetic_for(class_index, n)`` gives ``n`` synthetic images ``(n, H, W, 3)`` uint8 of a class;
    ``added[c]`` is how many the real + synthetic way adds to class ``c``.
    """
    task = task or quiet()
    classes = len(training.class_names)
    counts = np.bincount(training.labels.numpy(), minlength=classes)
    synthetic = {c: _nchw(synthetic_for(c, max(int(counts[c]), added[c]))) for c in range(classes)}
    cas = _stack([synthetic[c][: counts[c]] for c in range(classes)], range(classes), counts)
    extra = _stack([synthetic[c][: added[c]] for c in range(classes)], range(classes), added)
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


def _stack(parts: list[torch.Tensor], classes, counts) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.cat([torch.full((len(part),), c, dtype=torch.int64) for part, c in zip(parts, classes)])
    for part, count, c in zip(parts, counts, classes):
        if len(part) < count:
            raise StudioError(f"Only {len(part):,} synthetic images of class {c} passed the gates; {int(count):,} were needed.")
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
    if not 1 <= seeds <= 20:
        raise StudioError(f"The number of seeds must be from 1 to 20, not {seeds}.")
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
        [added[name] for name in training.class_names], seeds, ways, test_source, time.perf_counter() - began,
        sampler.step)
    write_text_atomic(run.path / RESULT_FILE, json.dumps(result.to_dict(), indent=2))
    return result


def saved_usefulness(run) -> UsefulnessResult | None:
    """The run's last usefulness result, or None when the check has not been run (or its file is damaged)."""
    path = Path(run.path) / RESULT_FILE
    try:
        return UsefulnessResult.from_dict(read_json(path), f"'{path}'")
    except (FileNotFoundError, StudioError):
        return None


def _matched(test: ImageDataset, class_names: list[str]) -> ImageDataset:
    """``test`` with its labels renumbered to the run's classes; a class the run does not know is refused."""
    unknown = [name for name in test.class_names if name not in class_names]
    if unknown:
        raise StudioError(f"The test images have a class the run does not know: '{unknown[0]}' (the run has "
                          f"{', '.join(class_names)}).")
    remap = torch.tensor([class_names.index(name) for name in test.class_names], dtype=torch.int64)
    return ImageDataset(images=test.images, labels=remap[test.labels], class_names=list(class_names), source=test.source,
                        names=list(test.names))


def _verdict(result: UsefulnessResult) -> str:
    real, mixed, cas = result.way("real"), result.way("mixed"), result.way("synthetic")
    oversampled = result.way("oversampled")
    sentences = []
    helped = False
    rare = result.rare_classes
    if rare:
        names = ", ".join(f"'{result.class_names[c]}'" for c in rare)
        before, after, repeated = (_rare_recall(way, rare) for way in (real, mixed, oversampled))
        noise = _noise(real, mixed, rare)
        if after - before > noise:
            helped = True
            compare = (f", more than repeating its images did ({repeated:.0%})" if after > repeated
                       else f", though repeating its images did as well ({repeated:.0%})")
            sentences.append(f"Adding synthetic images raised the recall of the rare class{'es' if len(rare) > 1 else ''} "
                             f"{names} from {before:.0%} to {after:.0%}{compare}.")
        elif before - after > noise:
            sentences.append(f"Adding synthetic images lowered the recall of the rare class{'es' if len(rare) > 1 else ''} "
                             f"{names} from {before:.0%} to {after:.0%}.")
        else:
            sentences.append(f"Adding synthetic images made no clear difference to the rare class"
                             f"{'es' if len(rare) > 1 else ''} {names} (recall {before:.0%} → {after:.0%}).")
    gap = mixed.accuracy_mean - real.accuracy_mean
    noise = max(0.01, math.hypot(real.accuracy_std, mixed.accuracy_std))
    if gap > noise:
        helped = True
        sentences.append(f"Overall accuracy rose from {real.accuracy_mean:.1%} to {mixed.accuracy_mean:.1%}.")
    elif -gap > noise:
        sentences.append(f"Overall accuracy fell from {real.accuracy_mean:.1%} to {mixed.accuracy_mean:.1%}.")
    else:
        sentences.append(f"Overall accuracy stayed at about {real.accuracy_mean:.1%}.")
    share = cas.accuracy_mean / max(real.accuracy_mean, 1e-9)
    sentences.append(f"A classifier trained on synthetic images alone reaches {cas.accuracy_mean:.1%} on real test images "
                     f"({share:.0%} of the real-data classifier's {real.accuracy_mean:.1%})"
                     + (": the synthetic images carry most of what tells the classes apart." if share >= 0.9 else "."))
    if not helped:
        sentences.insert(0, "Synthetic images did not help" + ("; the model is not good enough yet." if share < 0.9 else "."))
    return " ".join(sentences)


def _rare_recall(way: WayResult, rare: list[int]) -> float:
    recall = way.class_recall()
    return float(np.mean([recall[c] for c in rare]))


def _noise(a: WayResult, b: WayResult, rare: list[int]) -> float:
    """How much two ways' rare-class recall differs by chance: the spread over seeds, at least 2 points."""
    def spread(way: WayResult) -> float:
        return float(np.std([np.mean([row[c] for c in rare]) for row in way.recall]))

    return max(0.02, math.hypot(spread(a), spread(b)))
