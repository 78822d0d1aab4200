"""One vocabulary for what a run logs and measures: curve names and colours per model kind, the
typed evaluation record, and the metric table. The GUI's curves, the CLI and the report all read
it from here, so they name the same number the same way.

A GAN logs its generator and discriminator losses and the discriminator's mean outputs on real
and generated images; a VAE logs its reconstruction loss and KL divergence in the same two loss
fields and has no discriminator, so it has no D(x) or D(G(z)) to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.config import ADVERSARIAL, AUTOENCODER
from studio.core.errors import StudioError
from studio.core.evaluation.metrics import EXPLANATIONS

LOSSES, SCORES, QUALITY = "losses", "scores", "quality"


@dataclass(frozen=True)
class Curve:
    key: str  # the field in metrics.jsonl
    label: str  # what the analyst reads
    colour: str
    plot: str  # LOSSES, SCORES or QUALITY


CURVES = {
    ADVERSARIAL: (Curve("g_loss", "G loss", "#e4572e", LOSSES), Curve("d_loss", "D loss", "#2e86ab", LOSSES),
                  Curve("d_real", "D(x)", "#3bb273", SCORES), Curve("d_fake", "D(G(z))", "#a463f2", SCORES)),
    AUTOENCODER: (Curve("g_loss", "Reconstruction", "#e4572e", LOSSES), Curve("d_loss", "KL divergence", "#2e86ab", LOSSES)),
}
FD_CURVE = Curve("fd", "FD", "#f0a202", QUALITY)
PLOT_TITLES = {
    ADVERSARIAL: {LOSSES: "Losses", SCORES: "Discriminator outputs", QUALITY: "Quality"},
    AUTOENCODER: {LOSSES: "Reconstruction and KL", SCORES: "Discriminator outputs (a VAE has none)", QUALITY: "Quality"},
}
DYNAMICS_PROSE = {
    ADVERSARIAL: ("Losses of the generator (G) and discriminator (D), and D's average output on real images, D(x), and "
                  "on generated ones, D(G(z)). In a healthy run neither loss runs away and D(G(z)) stays well above zero."),
    AUTOENCODER: ("The VAE's reconstruction loss (how far its decoded images are from the real ones) and KL divergence "
                  "(how far its codes stray from the prior). Both should settle; a KL near zero means the codes carry "
                  "little about the images."),
}


def curves(kind: str) -> tuple[Curve, ...]:
    """The logged curves of a model kind, in the order they are drawn."""
    return CURVES[kind]


def logged_keys(kind: str) -> tuple[str, ...]:
    return tuple(curve.key for curve in CURVES[kind])


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def quality_note(record: dict, best: bool) -> str:
    """A training-time measurement in a few words for a progress line: 'FD 4.31, best so far'."""
    fd = record.get("fd")
    if not finite(fd):
        return ""
    return f"FD {fd:.3g}{', best so far' if best else ''}"


@dataclass(frozen=True)
class Evaluation:
    """One measurement of a checkpoint's samples against real images, in one feature space."""

    step: int
    fd: float
    kid: float
    kid_std: float
    precision: float
    recall: float
    diversity: float
    duplicate_rate: float
    duplicate_rate_real: float
    feature_label: str
    n_fake: int
    n_real: int
    memorisation: dict | None = None
    pairs_image: str = ""
    evaluated_at: float = 0.0
    record: dict = field(default_factory=dict, compare=False, repr=False)  # everything as saved

    NUMBERS = ("fd", "kid", "kid_std", "precision", "recall", "diversity", "duplicate_rate", "duplicate_rate_real")

    @classmethod
    def from_record(cls, record: Any, where: str = "the evaluation record") -> Evaluation:
        """Check a saved (or logged) record's fields; anything missing or of the wrong type is one sentence."""
        if not isinstance(record, dict):
            raise StudioError(f"{where} is not a JSON object.")
        values: dict[str, Any] = {}
        for name in ("step", "n_fake", "n_real"):
            value = record.get(name, 0 if name == "n_real" else None)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise StudioError(f"{where} has no valid '{name}' (a whole number of at least 0 is needed).")
            values[name] = value
        for name in cls.NUMBERS:
            value = record.get(name, math.nan)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise StudioError(f"{where} has a '{name}' that is not a number.")
            values[name] = float(value)
        label = record.get("feature_label", "")
        memorisation = record.get("memorisation")
        if not isinstance(label, str) or not (memorisation is None or isinstance(memorisation, dict)):
            raise StudioError(f"{where} has a 'feature_label' or 'memorisation' of the wrong type.")
        pairs = record.get("pairs_image", "")
        pairs = pairs if isinstance(pairs, str) and pairs == Path(pairs).name else ""  # a file beside the record only
        when = record.get("evaluated_at", 0.0)
        when = float(when) if finite(when) else 0.0
        return cls(feature_label=label, memorisation=memorisation, pairs_image=pairs, evaluated_at=when,
                   record=dict(record), **values)

    def rows(self) -> list[tuple[str, str, str]]:
        """The metric table: (metric, value, what it means), as the report and the CLI show it."""
        return [
            ("FD", f"{self.fd:.4g}", EXPLANATIONS["fd"]),
            ("KID ×1000", f"{self.kid:.3g} ± {self.kid_std:.2g}", EXPLANATIONS["kid"]),
            ("Precision", f"{self.precision:.3f}", EXPLANATIONS["precision"]),
            ("Recall", f"{self.recall:.3f}", EXPLANATIONS["recall"]),
            ("Diversity", f"{self.diversity:.3f}", EXPLANATIONS["diversity"]),
            ("Duplicate rate", f"{self.duplicate_rate:.1%} (real {self.duplicate_rate_real:.1%})",
             EXPLANATIONS["duplicate_rate"]),
        ]

    def describe(self) -> str:
        """Where and how it was measured: numbers from other feature spaces or counts do not compare."""
        return f"{self.feature_label}, n={self.n_fake}"


def logged_evaluations(records: list[dict]) -> list[Evaluation]:
    """The training-time evaluations in a run's metrics log (records that fail the check are left out)."""
    evaluations = []
    for record in records:
        if record.get("kind") == "eval":
            try:
                evaluations.append(Evaluation.from_record(record))
            except StudioError:
                continue
    return evaluations
