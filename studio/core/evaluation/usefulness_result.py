"""What the usefulness check found, as plain data: the figures of every way, the verdict in words, and the
file a run keeps them in. No torch here, so the panels and the report read a saved result at once."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from studio.core.config import MAX_STEPS
from studio.core.errors import StudioError
from studio.core.validation import Fields, damaged, is_nan, is_number, read_json, shown

WAYS = {"real": "Real only", "synthetic": "Synthetic only (CAS)", "mixed": "Real + synthetic",
        "oversampled": "Real, rare classes repeated", "flip_crop": "Real with flip/crop"}
SHORT_NAMES = {"real": "Real", "synthetic": "Synthetic", "mixed": "Real + synthetic", "oversampled": "Repeated",
               "flip_crop": "Flip/crop"}  # for chart axes
PROBE_STEPS = 500
RARE_SHARE = 0.5  # a class with fewer images than this share of the largest class's is rare
FEW_TEST_IMAGES = 20  # below this many test images of a rare class, its recall is called rough
RESULT_FILE = "usefulness.json"
REQUIRED_WAYS = ("real", "synthetic", "mixed", "oversampled")  # the ways the verdict and the report compare
MAX_SEEDS = 20
MAX_CLASSES = 100_000
MAX_IMAGES = 10**12
FORMAT = "gan-studio-usefulness/1"


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
        """Recall per class, averaged over the seeds that measured it: NaN for a class absent from the test
        images (no seed measured it, so there is nothing to average)."""
        if not self.recall:
            return []
        recall = np.array(self.recall, dtype=float)
        measured = ~np.isnan(recall)
        seeds, totals = measured.sum(axis=0), np.where(measured, recall, 0.0).sum(axis=0)
        return [float(total / count) if count else math.nan for total, count in zip(totals, seeds)]


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
    gates: str = ""  # the quality gates the synthetic images passed, in words

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
    def from_dict(cls, raw: object, path: Path) -> UsefulnessResult:
        """A saved result, checked through the gate: every list has the length the classes and seeds give it,
        every figure is a share from 0 to 1, and the ways the verdict compares are there; anything else is one
        sentence naming the file and the field."""
        fields = Fields(raw, path)
        fields.text("format", choices=(FORMAT,))
        class_names = fields.texts("class_names", max_items=MAX_CLASSES, max_length=1000)
        classes = len(class_names)
        seeds = fields.integer("seeds", 1, MAX_SEEDS)
        counts = [_counts(fields, key, classes) for key in ("train_counts", "test_counts", "synthetic_added")]
        ways = [_way(way, classes, seeds) for way in fields.each("ways", max_items=len(WAYS))]
        names = [way.way for way in ways]
        missing = [name for name in REQUIRED_WAYS if name not in names]
        if missing or len(set(names)) != len(names):
            raise damaged(path, "ways", f"expected each of {', '.join(REQUIRED_WAYS)} once, not {shown(names)}.")
        return cls(class_names, *counts, seeds, ways, fields.text("test_source"), fields.number("seconds", 0, 1e9),
                   fields.integer("checkpoint_step", 0, MAX_STEPS, default=0), fields.text("gates", default=""))


def _counts(fields: Fields, key: str, classes: int) -> list[int]:
    values = fields.numbers(key, length=classes, low=0, high=MAX_IMAGES)
    if not all(value.is_integer() for value in values):
        raise fields.problem(key, f"a list of {classes:,} whole numbers", fields.raw[key])
    return [int(value) for value in values]


def _way(fields: Fields, classes: int, seeds: int) -> WayResult:
    """One way's figures: ``seeds`` accuracies and macro-F1s, and per seed a recall for every class (None or
    NaN for a class without test images)."""
    recall = fields.value("recall")
    if not (isinstance(recall, list) and len(recall) == seeds):
        raise fields.problem("recall", f"{seeds:,} lists of recall per class", recall)
    rows = [_recall_row(row, fields.path, f"{fields.name('recall')}[{seed}]", classes) for seed, row in enumerate(recall)]
    return WayResult(fields.text("way", choices=tuple(WAYS)), fields.numbers("accuracy", length=seeds, low=0, high=1),
                     fields.numbers("macro_f1", length=seeds, low=0, high=1), rows)


def _recall_row(row: object, path: Path, field: str, classes: int) -> list[float]:
    if not (isinstance(row, list) and len(row) == classes
            and all(value is None or (is_number(value) and (is_nan(value) or 0 <= value <= 1)) for value in row)):
        raise damaged(path, field, f"expected {classes:,} recalls from 0 to 1 (null for a class without test images), "
                                   f"not {shown(row)}.")
    return [math.nan if value is None else float(value) for value in row]


def saved_usefulness(run) -> UsefulnessResult | None:
    """The run's last usefulness result, or None when the check has not been run (or its file is damaged)."""
    try:
        return read_usefulness(run)
    except StudioError:
        return None


def read_usefulness(run) -> UsefulnessResult | None:
    """The run's last usefulness result, None when the check has not been run; a damaged file is one sentence."""
    path = Path(run.path) / RESULT_FILE
    try:
        return UsefulnessResult.from_dict(read_json(path), path)
    except FileNotFoundError:
        return None


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
        few = min(result.test_counts[c] for c in rare)
        rough = (f" (from only {few} test image{'s' if few != 1 else ''} of {'that class' if len(rare) == 1 else 'some of them'}, "
                 "so a rough figure)") if few < FEW_TEST_IMAGES else ""
        if after - before > noise:
            helped = True
            compare = (f", more than repeating its images did ({repeated:.0%})" if after > repeated
                       else f", though repeating its images did as well ({repeated:.0%})")
            sentences.append(f"Adding synthetic images raised the recall of the rare class{'es' if len(rare) > 1 else ''} "
                             f"{names} from {before:.0%} to {after:.0%}{rough}{compare}.")
        elif before - after > noise:
            sentences.append(f"Adding synthetic images lowered the recall of the rare class{'es' if len(rare) > 1 else ''} "
                             f"{names} from {before:.0%} to {after:.0%}{rough}.")
        else:
            sentences.append(f"Adding synthetic images made no clear difference to the rare class"
                             f"{'es' if len(rare) > 1 else ''} {names} (recall {before:.0%} → {after:.0%}){rough}.")
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
