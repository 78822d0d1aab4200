"""A translation run's settings: dataclasses that round-trip to JSON, checked against the same bounds as
generation runs (labels, help and bounds in each field's metadata). No torch here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from studio.core.config import (DEMO_SOURCE, MAX_STEPS, ConfigProblem, DataConfig, _bound_problem, _section_from_dict,
                                _spec)
from studio.core.errors import StudioError

KIND = "translation"
MODELS = ("cut", "fastcut", "cyclegan")
NCE_WEIGHTS = {"cut": 1.0, "fastcut": 10.0, "cyclegan": 1.0}  # CUT's published settings; CycleGAN has no NCE loss


@dataclass
class TranslationDataConfig:
    source: str = _spec("", "Source set", "The images to translate from: a folder, .zip, CIFAR, MNIST IDX, .npy or .npz dataset.")
    source_classes: str = _spec("", "Source classes", "Comma-separated classes of the source dataset to use; empty uses every class.")
    target: str = _spec("", "Target set", "The images whose style to learn: a folder, .zip or any dataset the studio reads.")
    target_classes: str = _spec("", "Target classes", "Comma-separated classes of the target dataset to use; empty uses every class.")
    resolution: int = _spec(32, "Resolution", "Both sets are resized to this square size in pixels.", choices=(16, 32, 64, 128, 256))
    max_images: int = _spec(0, "Max images", "Use at most this many images of each set; 0 uses all.", min=0, max=10_000_000)
    held_out: float = _spec(0.1, "Held-out share", "This share of the source images never reaches training; the preview "
                            "and the report translate them.", min=0.0, max=0.5)

    def set_config(self, which: str) -> DataConfig:
        """The loader settings of the ``"source"`` or ``"target"`` set."""
        source, classes = (self.source, self.source_classes) if which == "source" else (self.target, self.target_classes)
        return DataConfig(source=source, resolution=self.resolution, classes=classes, max_images=self.max_images, held_out=0.0)


@dataclass
class TranslatorModelConfig:
    name: str = _spec("cut", "Model", "CUT: one generator kept faithful to the source by a contrastive (PatchNCE) loss. FastCUT: "
                      "CUT without its identity term, faster and bolder. CycleGAN: two generators and a cycle loss.",
                      choices=MODELS)
    g_width: int = _spec(16, "Generator width", "Channels of the generator's first layer; doubled twice on the way down.", min=4, max=128)
    d_width: int = _spec(32, "Discriminator width", "Channels of the patch discriminator's first layer.", min=4, max=128)
    blocks: int = _spec(0, "Residual blocks", "Residual blocks in the generator; 0 sizes them to the resolution.", min=0, max=12)


@dataclass
class TranslationTrainConfig:
    steps: int = _spec(2000, "Steps", "Total optimisation steps.", min=1, max=MAX_STEPS)
    batch_size: int = _spec(4, "Batch size", "Images of each set per step.", min=1, max=256)
    lr: float = _spec(2e-4, "Learning rate", "Adam step size of every network.", min=1e-7, max=1.0)
    lambda_nce: float = _spec(1.0, "NCE weight", "Weight of the PatchNCE loss (CUT, FastCUT); choosing FastCUT sets it to 10.",
                              min=0.0, max=100.0)
    lambda_cycle: float = _spec(10.0, "Cycle weight", "Weight of the cycle loss (CycleGAN).", min=0.0, max=100.0)
    lambda_identity: float = _spec(0.5, "Identity weight", "CycleGAN's identity loss, as a share of the cycle weight.", min=0.0, max=10.0)
    nce_patches: int = _spec(64, "NCE patches", "Patches per image and layer the PatchNCE loss compares.", min=4, max=1024)
    seed: int = _spec(0, "Seed", "Fixes initial weights and batches so a run can be repeated.", min=0, max=2**31 - 1)
    device: str = _spec("auto", "Device", "'auto' uses CUDA when present, else Apple's GPU (mps), else the CPU.",
                        choices=("auto", "cpu", "cuda", "mps"))
    log_every: int = _spec(10, "Log every", "Steps between loss records.", min=1, max=100_000)
    sample_every: int = _spec(100, "Preview every", "Steps between saved before/after rows.", min=1, max=1_000_000)
    checkpoint_every: int = _spec(250, "Checkpoint every", "Steps between saved checkpoints.", min=1, max=1_000_000)
    keep_checkpoints: int = _spec(3, "Checkpoints kept", "Older checkpoints beyond this count are deleted.", min=1, max=1000)


SECTIONS: dict[str, type] = {"data": TranslationDataConfig, "model": TranslatorModelConfig, "train": TranslationTrainConfig}


@dataclass
class TranslationConfig:
    data: TranslationDataConfig = field(default_factory=TranslationDataConfig)
    model: TranslatorModelConfig = field(default_factory=TranslatorModelConfig)
    train: TranslationTrainConfig = field(default_factory=TranslationTrainConfig)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> TranslationConfig:
        if not isinstance(raw, dict):
            raise ConfigProblem("config", "The configuration is not a JSON object.")
        return cls(**{name: _section_from_dict(name, section, raw.get(name, {})) for name, section in SECTIONS.items()})

    def copy(self) -> TranslationConfig:
        return TranslationConfig.from_dict(self.to_dict())


def bound_problems(config: TranslationConfig) -> dict[str, str]:
    """Every value outside its field's bounds as ``{"section.field": sentence}``; looks at no disk."""
    problems = {}
    for name in SECTIONS:
        section = getattr(config, name)
        for spec in fields(section):
            problem = _bound_problem(spec, getattr(section, spec.name))
            if problem:
                problems[f"{name}.{spec.name}"] = problem
    return problems


def check(config: TranslationConfig) -> None:
    """Refuse in one sentence a value out of bounds or a set that does not exist."""
    problems = bound_problems(config)
    for which in ("source", "target"):
        path = getattr(config.data, which)
        if not path:
            problems[f"data.{which}"] = f"Choose the {which} set."
        elif path != DEMO_SOURCE and not Path(path).exists():
            problems[f"data.{which}"] = f"The {which} set '{path}' does not exist."
    if problems:
        raise StudioError(next(iter(problems.values())))


def choose_model(config: TranslationConfig, name: str) -> None:
    """Switch ``config`` to the model ``name`` with that model's NCE weight."""
    config.model.name = name
    config.train.lambda_nce = NCE_WEIGHTS.get(name, config.train.lambda_nce)

