"""Named starting points for the training form and the CLI, instead of raw numbers only.

A preset sets the model and training settings that shape speed and quality (``GOVERNED``): the
config's defaults, with the preset's own differences from them. The data settings and everything
else the analyst chose stay as they are. The defaults themselves are the fast CPU preset.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from studio.core.config import ModelConfig, RunConfig, TrainConfig

GOVERNED = {
    "model": ("name", "conditional", "latent_dim", "g_width", "d_width"),
    "train": ("steps", "batch_size", "loss", "lr_g", "lr_d", "beta1", "beta2", "ema_decay", "diffaugment", "r1_gamma",
              "precision", "compile"),
}


def _governed(defaults: object, part: str, changes: dict) -> dict:
    values = asdict(defaults)
    return {name: changes.get(name, values[name]) for name in GOVERNED[part]}


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    model_changes: dict = field(default_factory=dict)  # differences from ModelConfig's defaults
    train_changes: dict = field(default_factory=dict)  # differences from TrainConfig's defaults

    @property
    def model(self) -> dict:
        """Every governed model setting the preset gives."""
        return _governed(ModelConfig(), "model", self.model_changes)

    @property
    def train(self) -> dict:
        """Every governed training setting the preset gives."""
        return _governed(TrainConfig(), "train", self.train_changes)


PRESETS: dict[str, Preset] = {
    "fast-cpu": Preset(
        "Fast on CPU (the defaults)",
        "A small DCGAN, class-conditional on labelled data, with quick Adam settings (learning rates 1e-3, "
        "β 0/0.99, batch 32): recognisable samples within a few minutes on a laptop CPU.",
    ),
    "quality-gpu": Preset(
        "Quality on GPU",
        "An SNGAN ResNet with the hinge loss and bf16 mixed precision where the GPU has it; for a CUDA GPU and tens "
        "of thousands of steps.",
        {"name": "sngan", "latent_dim": 128, "g_width": 64, "d_width": 64},
        {"steps": 50_000, "batch_size": 128, "loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta2": 0.9,
         "ema_decay": 0.9999},
    ),
    "small-data": Preset(
        "Small dataset",
        "The fast DCGAN with DiffAugment, which keeps the discriminator from memorising a few hundred to a few "
        "thousand images; it learns more slowly at first, so it trains for more steps.",
        {},
        {"steps": 10_000, "diffaugment": "on"},
    ),
}


def apply_preset(config: RunConfig, name: str) -> RunConfig:
    """A copy of ``config`` with the preset's model and training settings."""
    preset = PRESETS[name]
    raw = config.to_dict()
    raw["model"].update(preset.model)
    raw["train"].update(preset.train)
    return RunConfig.from_dict(raw)
