"""What the usefulness check found, as plain data: the figures of every way, the verdict in words, and the
file a run keeps them in. No torch here, so the panels and the report read a saved result at once."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from studio.core.errors import StudioError
from studio.core.validation import read_json

WAYS = {"real": "Real only", "synthetic": "Synthetic only (CAS)", "mixed": "Real + synthetic",
        "oversampled": "Real, rare classes repeated", "flip_crop": "Real with flip/crop"}
SHORT_NAMES = {"real": "Real", "synthetic": "Synthetic", "mixed": "Real + synthetic", "oversampled": "Repeated",
               "flip_crop": "Flip/crop"}  # for chart axes
PROBE_STEPS = 500
RARE_SHARE = 0.5  # a class with fewer images than this share of the largest class's is rare
FEW_TEST_IMAGES = 20  # below this many test images of a rare class, its recall is called rough
RESULT_FILE = "usefulness.json"
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
                       float(raw["seconds"]), int(raw.get("checkpoint_step", 0)), str(raw.get("gates", "")))
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


def saved_usefulness(run) -> UsefulnessResult | None:
    """The run's last usefulness result, or None when the check has not been run (or its file is damaged)."""
    path = Path(run.path) / RESULT_FILE
    try:
        return UsefulnessResult.from_dict(read_json(path), f"'{path}'")
    except (FileNotFoundError, StudioError):
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
