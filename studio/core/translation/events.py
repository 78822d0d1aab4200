"""Events only a translation run reports; it shares Started, CheckpointSaved, Recovered, Finished and Failed
with generation (:mod:`studio.core.training.events`). Plain data only."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class TranslationLogged:
    step: int
    total_steps: int
    g_loss: float
    d_loss: float
    d_real: float
    d_fake: float
    losses: dict[str, float] = field(default_factory=dict)  # adversarial, nce or cycle, identity
    images_per_sec: float = 0.0
    elapsed_s: float = 0.0
    eta_s: float = float("inf")

    def record(self) -> dict:
        """The ``metrics.jsonl`` row: the generation fields, so every reader of the log reads it, plus the named losses."""
        return {"kind": "loss", "step": self.step, "total_steps": self.total_steps, "g_loss": self.g_loss, "d_loss": self.d_loss,
                "d_real": self.d_real, "d_fake": self.d_fake, **self.losses, "images_per_sec": self.images_per_sec,
                "elapsed_s": self.elapsed_s}


@dataclass(frozen=True)
class PreviewReady:
    """The fixed row of held-out source images (``sources``) above their ``translations``, (n, H, W, 3) uint8."""

    step: int
    sources: np.ndarray
    translations: np.ndarray
