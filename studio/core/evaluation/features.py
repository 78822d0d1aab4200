"""Feature spaces the quality metrics measure in, all working offline.

* ``random``: a fixed convolutional network whose weights come from numpy's PCG64 stream for a
  seed and which runs in float64, so the same seed gives the same features on every machine.
  It knows nothing about images, yet distances in it still separate textures, colours and shapes.
* ``classifier``: a small network the studio trains on the run's labelled real images; its
  held-out accuracy says how much its features can be trusted. Cached in the run's ``eval`` folder
  so every evaluation of a run uses the same features.
* ``inception``: the standard FID Inception-V3, only from a weights file the user points at.

Images go in as ``(N, 3, H, W)`` uint8 tensors; features come out as ``(N, D)`` float64 arrays.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save as save_safetensors
from torch import nn

from studio.core.files import write_bytes_atomic, write_text_atomic
from studio.core.data.dataset import ImageDataset
from studio.core.errors import StudioError
from studio.core.notes import note
from studio.core.validation import Fields, read_json
from studio.core.weights_file import read_weights, unusable_weights
from studio.core.tasks import TaskState, quiet

FEATURE_KINDS = ("random", "classifier", "inception")
RANDOM_WIDTHS = (3, 32, 64, 128, 256)
CLASSIFIER_STEPS = 400
_CHUNK = 256


@dataclass(frozen=True)
class FeatureSpace:
    """A named embedding: ``label`` goes beside every number measured in it.

    A classifier's space also keeps the whole network (``classify``: pixels in [-1, 1] to class logits).
    """

    kind: str
    label: str
    embed: Callable[[torch.Tensor], torch.Tensor]
    accuracy: float | None = None
    classify: Callable[[torch.Tensor], torch.Tensor] | None = None

    def __call__(self, images: torch.Tensor, task: TaskState | None = None) -> np.ndarray:
        task = task or quiet()
        parts = []
        with torch.no_grad():
            for start in range(0, len(images), _CHUNK):
                task.check("The evaluation")
                pixels = images[start : start + _CHUNK].float().div(127.5).sub(1)
                parts.append(self.embed(pixels).double().cpu().numpy())
        return np.concatenate(parts) if parts else np.zeros((0, 1))


def random_features(seed: int = 0) -> FeatureSpace:
    rng = np.random.default_rng(seed)
    weights = [
        torch.from_numpy(rng.standard_normal((c_out, c_in, 3, 3)) * np.sqrt(2.0 / (c_in * 9)))
        for c_in, c_out in zip(RANDOM_WIDTHS, RANDOM_WIDTHS[1:])
    ]

    def embed(pixels: torch.Tensor) -> torch.Tensor:
        x, pooled = pixels.double(), []
        for weight in weights:
            x = F.leaky_relu(F.conv2d(x, weight, stride=2, padding=1), 0.2)
            pooled.append(x.mean(dim=(2, 3)))
        return torch.cat(pooled[1:], dim=1)

    dim = sum(RANDOM_WIDTHS[2:])
    return FeatureSpace("random", f"random conv features (seed {seed}, {dim}-d)", embed)


class SmallClassifier(nn.Module):
    """Three strided convolutions, global pooling and a linear head; pixels in [-1, 1] to class logits."""

    def __init__(self, classes: int, widths: tuple[int, int, int] = (32, 64, 128)):
        super().__init__()
        first, second, third = widths
        self.body = nn.Sequential(
            nn.Conv2d(3, first, 3, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(first, second, 3, 2, 1), nn.BatchNorm2d(second), nn.LeakyReLU(0.2),
            nn.Conv2d(second, third, 3, 2, 1), nn.BatchNorm2d(third), nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Linear(third, classes)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(pixels))


def classifier_features(dataset: ImageDataset, cache_dir: Path, seed: int = 0, steps: int = CLASSIFIER_STEPS) -> FeatureSpace:
    """Train (or reload from ``cache_dir``) a classifier on the labelled images; use its penultimate layer."""
    classes = len(dataset.class_names)
    if classes < 2:
        raise StudioError("The classifier feature space needs labelled data with at least two classes (sub-folders).")
    weights_path, info_path = Path(cache_dir) / "classifier.safetensors", Path(cache_dir) / "classifier.json"
    fingerprint = {"images": len(dataset), "classes": dataset.class_names, "resolution": dataset.resolution, "seed": seed,
                   "steps": steps}
    model = SmallClassifier(classes)
    info = _cached_classifier(model, weights_path, info_path, fingerprint)
    if info is None:
        info = {"fingerprint": fingerprint, "accuracy": _train_classifier(model, dataset, seed, steps)}
        write_bytes_atomic(weights_path, save_safetensors({k: v.contiguous() for k, v in model.state_dict().items()}))
        write_text_atomic(info_path, json.dumps(info, indent=2))
    model.eval()
    accuracy = float(info["accuracy"])
    label = f"classifier features (trained on this data, held-out accuracy {accuracy:.0%}, 128-d)"
    return FeatureSpace("classifier", label, model.body, accuracy=accuracy, classify=model)


def _cached_classifier(model: SmallClassifier, weights_path: Path, info_path: Path, fingerprint: dict) -> dict | None:
    """The cached classifier's description, its weights loaded into ``model``; None when there is none for
    ``fingerprint``. A damaged cache (or a file from elsewhere) is passed over with a note and trained again."""
    try:
        info = read_json(info_path)
        if not (isinstance(info, dict) and info.get("fingerprint") == fingerprint):
            return None
        Fields(info, info_path).number("accuracy", 0, 1)
        model.load_state_dict(read_weights(weights_path, inside=weights_path.parent.parent))
    except FileNotFoundError:
        return None
    except (StudioError, RuntimeError) as problem:  # RuntimeError: weights of another shape
        note(f"The cached classifier in '{weights_path.parent}' is trained again: {unusable_weights(problem)}")
        return None
    return info


def _train_classifier(model: SmallClassifier, dataset: ImageDataset, seed: int, steps: int) -> float:
    """Fit on 80% of the images, return accuracy on the other 20%."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        order = torch.randperm(len(dataset))
        held = max(1, len(dataset) // 5)
        test, train = order[:held], order[held:]
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        model.train()
        for _ in range(steps):
            batch = train[torch.randint(len(train), (64,))]
            pixels = dataset.images[batch].float().div(127.5).sub(1)
            loss = F.cross_entropy(model(pixels), dataset.labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(dataset.images[test[i : i + _CHUNK]].float().div(127.5).sub(1)).argmax(1)
                               for i in range(0, len(test), _CHUNK)])
    return float((predicted == dataset.labels[test]).float().mean())


def inception_features(weights: Path) -> FeatureSpace:
    from studio.core.evaluation.inception import load_fid_inception

    network = load_fid_inception(Path(weights))
    return FeatureSpace("inception", "Inception-V3 pool features (standard FID weights, 2048-d)", network)


def feature_space(kind: str, dataset: ImageDataset, cache_dir: Path, inception_weights: Path | None = None) -> FeatureSpace:
    """The feature space ``kind`` names, ready to embed images."""
    if kind == "random":
        return random_features()
    if kind == "classifier":
        return classifier_features(dataset, cache_dir)
    if kind == "inception":
        if not inception_weights:
            raise StudioError("Inception features need the local weights file (pt_inception-2015-12-05-6726825d.pth or a .safetensors copy).")
        return inception_features(Path(inception_weights))
    raise StudioError(f"Features must be one of {', '.join(FEATURE_KINDS)}, not '{kind}'.")
