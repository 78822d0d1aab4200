"""Finding rules: plain sentences about a run, each with the evidence it rests on.

Every rule reads plain data (the logged losses, the training-time evaluations, the latest saved
evaluation, the dataset summary) and either returns one :class:`Finding` or ``None``, so a test can
craft a run that shows one problem and check that exactly that rule speaks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from studio.core.config import ADVERSARIAL, AUTOENCODER
from studio.core.evaluation.vocabulary import SCORES, Evaluation, curves, finite

DOMINANT_D_FAKE = 0.05
DIVERGENCE_GROWTH = 3.0
DIVERGENCE_FLOOR = 5.0
DUPLICATE_LIMIT = 0.10
DIVERSITY_LIMIT = 0.6
NEAR_COPY_LIMIT = 0.05
SMALL_DATASET = 1000


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "red", "amber" or "green"
    sentence: str
    evidence: str


@dataclass
class Facts:
    """What the rules read; built from a run folder by ``studio.core.evaluation.report``."""

    losses: list[dict]
    evaluations: list[Evaluation] = field(default_factory=list)
    latest: Evaluation | None = None
    dataset: dict = field(default_factory=dict)
    kind: str = ADVERSARIAL  # a VAE logs reconstruction and KL, and has no discriminator


def divergence(facts: Facts) -> Finding | None:
    for record in facts.losses:
        if not all(finite(record.get(key)) for key in ("g_loss", "d_loss")):
            return Finding("divergence", "red", f"Training diverged: the losses became NaN or infinite at step {record['step']:,}.",
                           f"First non-finite loss record at step {record['step']:,} of {len(facts.losses):,} logged records.")
    if len(facts.losses) < 10:
        return None
    g = [record["g_loss"] for record in facts.losses]
    early = sorted(g[: len(g) // 2])[len(g) // 4]
    late = sum(g[-max(1, len(g) // 5):]) / max(1, len(g) // 5)
    if late > DIVERGENCE_FLOOR and late > DIVERGENCE_GROWTH * early:
        return Finding("divergence", "red", f"Training is diverging: the generator loss grew from about {early:.2f} to {late:.2f}.",
                       f"Median G loss in the first half {early:.3f}; mean over the last fifth {late:.3f} "
                       f"(rule: over {DIVERGENCE_GROWTH:g}× and above {DIVERGENCE_FLOOR:g}).")
    return None


def discriminator_dominates(facts: Facts) -> Finding | None:
    if facts.kind == AUTOENCODER:
        return None
    tail = facts.losses[-max(1, len(facts.losses) // 4):] if len(facts.losses) >= 4 else []
    values = [record["d_fake"] for record in tail if finite(record.get("d_fake"))]
    if not values:
        return None
    mean = sum(values) / len(values)
    if mean >= DOMINANT_D_FAKE:
        return None
    return Finding("discriminator_dominates", "amber",
                   f"The discriminator dominates: it rejects nearly every generated image (D(G(z)) ≈ {mean:.3f}), "
                   "so the generator learns little.",
                   f"Mean D(G(z)) over steps {tail[0]['step']:,}–{tail[-1]['step']:,} is {mean:.4f} (rule: below {DOMINANT_D_FAKE}).")


def mode_collapse(facts: Facts) -> Finding | None:
    latest = facts.latest
    if not latest:
        return None
    duplicates, diversity = latest.duplicate_rate, latest.diversity
    if duplicates <= DUPLICATE_LIMIT and diversity >= DIVERSITY_LIMIT:
        return None
    return Finding("mode_collapse", "red",
                   f"The samples look alike (likely mode collapse): {duplicates:.0%} of generated images have a near-identical "
                   f"twin and their variety is {diversity:.2f}× that of the real images.",
                   f"Duplicate rate {duplicates:.1%} (real images {latest.duplicate_rate_real:.1%}), diversity ratio {diversity:.3f}; "
                   f"{latest.feature_label}, {latest.n_fake} generated vs {latest.n_real} real "
                   f"(rule: duplicates over {DUPLICATE_LIMIT:.0%} or diversity under {DIVERSITY_LIMIT}).")


def no_improvement(facts: Facts) -> Finding | None:
    evaluations = facts.evaluations
    if len(evaluations) < 3:
        return None
    first, last = evaluations[0].fd, evaluations[-1].fd
    best = min(evaluations, key=lambda evaluation: evaluation.fd)
    if best is not evaluations[0] and last < first:
        return None
    return Finding("no_improvement", "amber",
                   f"The quality metric did not improve during training: FD went from {first:.3g} to {last:.3g}.",
                   f"{len(evaluations)} measurements from step {evaluations[0].step:,} to {evaluations[-1].step:,}, "
                   f"best {best.fd:.3g} at step {best.step:,}; {evaluations[-1].describe()}.")


def near_copies(facts: Facts) -> Finding | None:
    memo = facts.latest.memorisation if facts.latest else None
    if not memo or not memo["near_copy_rate"] > NEAR_COPY_LIMIT:
        return None
    return Finding("near_copies", "amber",
                   f"{memo['near_copy_rate']:.0%} of generated images are near-copies of training images; "
                   "check the closest pairs before sharing samples.",
                   f"{memo['samples']} generated images against {memo['training_images']:,} training images: median pixel RMSE "
                   f"{memo['pixel_rmse_median']:.1f}, typical gap between training images {memo['typical_training_gap']:.1f} "
                   f"(rule: closer than half that gap for over {NEAR_COPY_LIMIT:.0%}).")


def too_little_data(facts: Facts) -> Finding | None:
    count = facts.dataset.get("images", 0)
    if count >= SMALL_DATASET:
        return None
    return Finding("too_little_data", "amber",
                   f"Only {count:,} training images: GANs usually need thousands, so expect copies or unstable training.",
                   f"Dataset summary in run.json: {count:,} images (rule: under {SMALL_DATASET:,}).")


RULES: tuple[Callable[[Facts], Finding | None], ...] = (
    divergence, discriminator_dominates, mode_collapse, no_improvement, near_copies, too_little_data,
)


def problems(facts: Facts) -> list[Finding]:
    return [finding for rule in RULES if (finding := rule(facts)) is not None]


def reassurances(facts: Facts) -> list[Finding]:
    """Green findings that state what went right, so a healthy run's summary still says something."""
    found = []
    if facts.losses:
        last = facts.losses[-1]
        shown = [curve for curve in curves(facts.kind) if curve.plot == SCORES] or curves(facts.kind)
        at_end = " and ".join(f"{curve.label} was {_value(last.get(curve.key))}" for curve in shown)
        found.append(Finding("stable", "green",
                             f"Training ran {last['step']:,} steps with finite losses; at the end {at_end}.",
                             f"{len(facts.losses):,} logged records in metrics.jsonl."))
    if facts.latest:
        latest = facts.latest
        found.append(Finding("quality", "green",
                             f"At step {latest.step:,} the generated images reach precision {latest.precision:.2f} "
                             f"and recall {latest.recall:.2f} with FD {latest.fd:.3g}.",
                             f"{latest.feature_label}; {latest.n_fake} generated vs {latest.n_real} real images."))
        memo = latest.memorisation
        if memo:
            found.append(Finding("originality", "green",
                                 f"No sign of copying: {memo['near_copy_rate']:.0%} of generated images are near-copies of training images.",
                                 f"{memo['samples']} generated images checked against {memo['training_images']:,} training images."))
    return found


def _value(value) -> str:
    return f"{value:.2f}" if finite(value) else "not logged"


def status(findings: list[Finding]) -> str:
    severities = {finding.severity for finding in findings}
    return "red" if "red" in severities else "amber" if "amber" in severities else "green"
