"""Latent noise and turning generator output into images; a Sampler for a saved run."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from studio.core.training.checkpoints import load_checkpoint, restore_modules
from studio.core.training.devices import resolve_device
from studio.core.errors import StudioError
from studio.core.models import build_models
from studio.core.runs import Run


def latents(seed: int, n: int, dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """``(n, dim)`` standard normal noise from ``seed``, drawn on the CPU so every device sees the same values."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, dim, generator=generator).to(device)


def per_seed_latents(seeds: list[int], dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """One latent per seed: image ``i`` of an export depends only on its own seed."""
    return torch.cat([latents(seed, 1, dim) for seed in seeds]).to(device)


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """The truncation trick around the latent mean: ``psi * z``.

    The prior is a standard Gaussian fed straight to the generator (no mapping network), so the
    latent mean is exactly 0: ψ < 1 trades variety for typical images, ψ > 1 the reverse.
    """
    return z if psi == 1.0 else z * psi


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation from ``a`` (t = 0) to ``b`` (t = 1), row by row; linear when they are parallel."""
    a_unit = a / a.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    b_unit = b / b.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    omega = torch.arccos((a_unit * b_unit).sum(-1, keepdim=True).clamp(-1.0, 1.0))
    sin = torch.sin(omega)
    if float(sin.abs().min()) < 1e-6:
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / sin


def to_uint8_images(batch: torch.Tensor) -> np.ndarray:
    """``(N, C, H, W)`` values in [-1, 1] to ``(N, H, W, 3)`` uint8."""
    pixels = ((batch.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).contiguous().cpu().numpy()


class Sampler:
    """A run's generator (its EMA weights when the run keeps them), loaded once, in eval mode, ready to render."""

    def __init__(
        self,
        generator: torch.nn.Module,
        device: torch.device,
        step: int,
        fingerprint: str,
        class_names: list[str] | None = None,
    ):
        self.generator = generator
        self.latent_dim = generator.latent_dim
        self.num_classes = generator.num_classes
        self.class_names = class_names or []
        self.device = device
        self.step = step
        self.fingerprint = fingerprint

    @classmethod
    def from_run(cls, run: Run, checkpoint: Path | None = None, device: str = "cpu") -> Sampler:
        checkpoint = checkpoint or run.latest_checkpoint()
        if checkpoint is None:
            raise StudioError(f"The run '{run.path.name}' has no checkpoint to sample from yet.")
        tensors, sidecar = load_checkpoint(checkpoint)
        class_names = sidecar.get("class_names", [])
        generator, _ = build_models(run.config.model, run.config.data.resolution, len(class_names))
        weights = "generator_ema" if any(key.startswith("generator_ema.") for key in tensors) else "generator"
        restore_modules({weights: generator}, tensors)
        target = resolve_device(device)
        generator.to(target).eval()
        return cls(generator, target, sidecar["step"], sidecar["weights_sha256"], class_names)

    @cached_property
    def resolution(self) -> int:
        """The side of the images the generator draws (found by drawing one: any generator can tell it so)."""
        return self.render(torch.zeros(1, self.latent_dim), self.labels_for(1, 0 if self.num_classes else None)).shape[1]

    def labels_for(self, n: int, class_index: int | None = None) -> torch.Tensor | None:
        """Labels for ``n`` samples: all ``class_index``, or every class in turn; None when unconditional."""
        if not self.num_classes:
            return None
        if class_index is None:
            return torch.arange(n) % self.num_classes
        if not 0 <= class_index < self.num_classes:
            raise StudioError(f"Class {class_index} does not exist; this model has classes 0 to {self.num_classes - 1}.")
        return torch.full((n,), class_index, dtype=torch.long)

    @torch.inference_mode()
    def render(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> np.ndarray:
        if self.num_classes and labels is None:
            labels = self.labels_for(z.shape[0])
        labels = None if labels is None else labels.to(self.device)
        return to_uint8_images(self.generator(z.to(self.device), labels))

    def generate(self, seed: int, n: int, class_index: int | None = None) -> np.ndarray:
        """``n`` images from the noise of one ``seed`` (the grid a seed names), of one class or of all in turn."""
        return self.render(latents(seed, n, self.latent_dim), self.labels_for(n, class_index))
