"""The projection's first guess: a network that maps an image straight to a latent.

A VAE run has one already (its encoder; the mean is the guess). For a GAN, a small CNN is trained once
per checkpoint on pairs ``(z, G(z))`` drawn fresh every step, so it never sees an analyst's image and
needs no data; it is cached in ``<run>/projection/encoder-<checkpoint>.safetensors``. The guess only
starts the search: the projection keeps whichever of it and the best random latent draws the image
more closely.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save as save_safetensors

from studio.core.config import AUTOENCODER
from studio.core.evaluation.features import SmallClassifier
from studio.core.files import write_bytes_atomic
from studio.core.errors import StudioError
from studio.core.notes import note
from studio.core.runs import Run
from studio.core.sampling import Sampler
from studio.core.tasks import TaskState, quiet
from studio.core.weights_file import read_weights, unusable_weights

ENCODER_STEPS = 600
ENCODER_BATCH = 64
ENCODER_SEED = 31_337
CACHE_DIR = "projection"

Encoder = Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]  # pixels in [-1, 1], labels -> latents


def latent_encoder(run: Run, sampler: Sampler, checkpoint: Path, task: TaskState | None = None,
                   steps: int = ENCODER_STEPS) -> Encoder:
    """The encoder for the sampler's checkpoint: the VAE's own, or one trained (and cached) for a GAN."""
    task = task or quiet()
    if run.config.model.kind == AUTOENCODER:
        return _vae_encoder(run, sampler, checkpoint)
    path = run.path / CACHE_DIR / f"encoder-{sampler.fingerprint[:16]}-{steps}.safetensors"
    model = SmallClassifier(sampler.latent_dim)
    try:
        model.load_state_dict(read_weights(path, inside=run.path))
    except (FileNotFoundError, StudioError, RuntimeError) as problem:  # none yet, or damaged: train it again
        if not isinstance(problem, FileNotFoundError):
            note(f"The cached encoder '{path.name}' is trained again: {unusable_weights(problem)}")
        _train(model, sampler, steps, task)
        write_bytes_atomic(path, save_safetensors({k: v.contiguous() for k, v in model.state_dict().items()}))
    model.eval()
    return lambda pixels, labels: model(pixels)


def _vae_encoder(run: Run, sampler: Sampler, checkpoint: Path) -> Encoder:
    from studio.core.models import build_models
    from studio.core.training.checkpoints import load_checkpoint, restore_modules

    tensors, _ = load_checkpoint(checkpoint)
    _, encoder = build_models(run.config.model, run.config.data.resolution, sampler.num_classes)
    restore_modules({"encoder": encoder}, tensors)
    encoder.to(sampler.device).eval()
    return lambda pixels, labels: encoder(pixels, labels)[0]


def _train(model: SmallClassifier, sampler: Sampler, steps: int, task: TaskState) -> None:
    generator = torch.Generator().manual_seed(ENCODER_SEED)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for step in range(1, steps + 1):
        if step % 20 == 0:
            task.check("Training the projection's encoder")
        z = torch.randn(ENCODER_BATCH, sampler.latent_dim, generator=generator)
        labels = (torch.randint(sampler.num_classes, (ENCODER_BATCH,), generator=generator)
                  if sampler.num_classes else None)
        with torch.no_grad():
            images = sampler.generator(z.to(sampler.device), None if labels is None else labels.to(sampler.device)).cpu()
        loss = F.mse_loss(model(images), z)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        task.progress(step, steps)
