"""Applying a trained translator: images in, translated images out, with a strength from 0 (the source
itself) to 1 (the full translation), and a folder translated into a new folder with its layout kept."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from studio.core.errors import StudioError
from studio.core.training.checkpoints import load_checkpoint, restore_modules
from studio.core.training.devices import resolve_device
from studio.core.translation.objectives import build_generator
from studio.core.translation.run import TranslationRun
from studio.core.translation.trainer import as_model_input, check_translation_checkpoint


def check_strength(strength: float) -> float:
    if not (isinstance(strength, (int, float)) and math.isfinite(strength) and 0.0 <= strength <= 1.0):
        raise StudioError(f"The strength must be between 0 (the source unchanged) and 1 (the full translation), not {strength}.")
    return float(strength)


class Translator:
    """A run's translating generator, loaded once in eval mode: the newest checkpoint, or the one given."""

    def __init__(self, run: TranslationRun, checkpoint: Path | None = None, device: str = "cpu"):
        path = Path(checkpoint) if checkpoint is not None else run.latest_checkpoint()
        if path is None:
            raise StudioError(f"The run '{run.name}' has no checkpoint yet; train it first.")
        tensors, sidecar = load_checkpoint(path)
        check_translation_checkpoint(sidecar, path, run.config.model.name)
        self.device = resolve_device(device)
        self.generator = build_generator(run.config).to(self.device).eval()
        restore_modules({"generator": self.generator}, tensors)
        self.resolution = run.config.data.resolution
        self.step = sidecar["step"]
        self.checkpoint = path
        self.fingerprint = sidecar["weights_sha256"]

    @torch.no_grad()
    def translate(self, images: np.ndarray | torch.Tensor, strength: float = 1.0) -> np.ndarray:
        """``(N, 3, R, R)`` uint8 images at the run's resolution to ``(N, R, R, 3)`` uint8 translations blended
        with the source by ``strength``; at 0 the source comes back exactly."""
        strength = check_strength(strength)
        source = torch.as_tensor(images)
        if source.ndim != 4 or source.shape[1] != 3 or source.shape[-1] != self.resolution:
            raise StudioError(f"The translator takes {self.resolution} px colour images.")
        source = source.to(self.device)
        if strength == 0.0:
            return source.permute(0, 2, 3, 1).contiguous().cpu().numpy()
        x = as_model_input(source)
        blended = x + strength * (self.generator(x) - x)
        pixels = ((blended.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return pixels.permute(0, 2, 3, 1).contiguous().cpu().numpy()
