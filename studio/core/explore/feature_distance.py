"""How alike two images look to the run's own networks, for the projection's loss and its report.

Known projectors compare images with LPIPS, a VGG16 downloaded at run time. The studio works offline
with what the run has: its discriminator (trained on the analyst's images, for every checkpoint)
and, when the run has one, the classifier the evaluation or the Augment tab trained on the same data.
As in LPIPS, each chosen layer's activations are unit-normalised across channels at every position;
the distance is their mean squared difference, averaged over positions, then over layers and
networks. 0 means the networks see the same thing; two unrelated images score around 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from studio.core.config import AUTOENCODER
from studio.core.errors import StudioError
from studio.core.notes import note
from studio.core.runs import Run
from studio.core.validation import Fields, read_json
from studio.core.weights_file import read_weights, unusable_weights

Layers = Callable[[torch.Tensor], list[torch.Tensor]]  # pixels in [-1, 1] -> activations to compare
CLASSIFIER_FOLDERS = ("eval", "augment")  # where the evaluation and the Augment tab cache their classifier


class FeatureDistance:
    """``distance(images, reference)`` per image, with the reference's activations computed once."""

    def __init__(self, networks: dict[str, Layers]):
        self.networks = networks

    @property
    def label(self) -> str:
        return " and ".join(self.networks) + " features"

    def reference(self, target: torch.Tensor) -> list[list[torch.Tensor]]:
        with torch.no_grad():
            return [[_unit(layer) for layer in layers(target)] for layers in self.networks.values()]

    def __call__(self, images: torch.Tensor, reference: list[list[torch.Tensor]]) -> torch.Tensor:
        per_network = []
        for layers, wanted in zip(self.networks.values(), reference):
            drawn = layers(images)
            per_network.append(torch.stack([(_unit(a) - b).pow(2).sum(dim=1).mean(dim=(1, 2))
                                            for a, b in zip(drawn, wanted)]).mean(dim=0))
        return torch.stack(per_network).mean(dim=0)


def _unit(activations: torch.Tensor) -> torch.Tensor:
    return activations / (activations.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-8)


def run_feature_distance(run: Run, checkpoint: Path, num_classes: int, device: torch.device) -> FeatureDistance | None:
    """The distance in the checkpoint's discriminator and the run's cached classifier; None for a run
    with neither (a VAE that never trained a classifier)."""
    networks: dict[str, Layers] = {}
    if run.config.model.kind != AUTOENCODER:
        networks["discriminator"] = _discriminator_layers(run, checkpoint, num_classes, device)
    classifier = _classifier_layers(run, device)
    if classifier is not None:
        networks["classifier"] = classifier
    return FeatureDistance(networks) if networks else None


def _discriminator_layers(run: Run, checkpoint: Path, num_classes: int, device: torch.device) -> Layers:
    from studio.core.models import build_models
    from studio.core.training.checkpoints import load_checkpoint, restore_modules

    tensors, _ = load_checkpoint(checkpoint)
    _, discriminator = build_models(run.config.model, run.config.data.resolution, num_classes)
    restore_modules({"discriminator": discriminator}, tensors)
    discriminator.to(device).eval().requires_grad_(False)
    body = getattr(discriminator, "features", None) or discriminator.blocks  # DCGAN's or the ResNet's
    kept = nn.LeakyReLU if any(isinstance(m, nn.LeakyReLU) for m in body) else nn.Module
    return lambda pixels: _outputs(body, pixels, kept)


def _classifier_layers(run: Run, device: torch.device) -> Layers | None:
    """The run's cached evaluation (or Augment) classifier, when one was trained at the run's resolution."""
    from studio.core.evaluation.features import SmallClassifier

    for folder in CLASSIFIER_FOLDERS:
        weights, info = run.path / folder / "classifier.safetensors", run.path / folder / "classifier.json"
        try:
            fingerprint = Fields(read_json(info), info).fields("fingerprint")
            if fingerprint.value("resolution") != run.config.data.resolution:
                continue
            model = SmallClassifier(len(fingerprint.texts("classes", max_items=100_000, max_length=1000)))
            model.load_state_dict(read_weights(weights, inside=run.path))
        except FileNotFoundError:
            continue
        except (StudioError, RuntimeError) as problem:  # RuntimeError: weights of another shape
            note(f"The cached classifier in '{weights.parent}' is not used for projecting: {unusable_weights(problem)}")
            continue
        model.to(device).eval().requires_grad_(False)
        return lambda pixels, body=model.body: _outputs(body, pixels, nn.LeakyReLU)
    return None


def _outputs(body: nn.Sequential, pixels: torch.Tensor, kept: type[nn.Module]) -> list[torch.Tensor]:
    """The outputs of ``body``'s children of type ``kept``, in order (4-d ones only)."""
    found, x = [], pixels
    for module in body:
        x = module(x)
        if isinstance(module, kept) and x.dim() == 4:
            found.append(x)
    return found
