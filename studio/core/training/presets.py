"""Named starting points for the training form and the CLI, instead of raw numbers only.

Each preset changes a few model and training settings over the current ones; the data settings
and everything else the analyst chose stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.config import RunConfig


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    model: dict
    train: dict


PRESETS: dict[str, Preset] = {
    "fast-cpu": Preset(
        "Fast on CPU (the defaults)",
        "A small DCGAN, class-conditional on labelled data, with quick Adam settings (learning rates 1e-3, "
        "β 0/0.99, batch 32): recognisable samples within a few minutes on a laptop CPU.",
        {"name": "dcgan", "conditional": "auto", "latent_dim": 64, "g_width": 32, "d_width": 32},
        {"steps": 5000, "batch_size": 32, "loss": "bce", "lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.0, "beta2": 0.99,
         "ema_decay": 0.999, "diffaugment": "off", "r1_gamma": 0.0, "precision": "auto", "compile": "off"},
    ),
    "quality-gpu": Preset(
        "Quality on GPU",
        "An SNGAN ResNet with the hinge loss and bf16 mixed precision where the GPU has it; for a CUDA GPU and tens "
        "of thousands of steps.",
        {"name": "sngan", "latent_dim": 128, "g_width": 64, "d_width": 64},
        {"steps": 50_000, "batch_size": 128, "loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.0, "beta2": 0.9,
         "ema_decay": 0.9999, "diffaugment": "off", "r1_gamma": 0.0, "precision": "auto", "compile": "off"},
    ),
    "small-data": Preset(
        "Small dataset",
        "The fast DCGAN with DiffAugment, which keeps the discriminator from memorising a few hundred to a few "
        "thousand images; it learns more slowly at first, so it trains for more steps.",
        {"name": "dcgan", "latent_dim": 64, "g_width": 32, "d_width": 32},
        {"steps": 10_000, "batch_size": 32, "loss": "bce", "lr_g": 1e-3, "lr_d": 1e-3, "beta1": 0.0, "beta2": 0.99,
         "ema_decay": 0.999, "diffaugment": "on", "r1_gamma": 0.0, "precision": "auto", "compile": "off"},
    ),
}


def apply_preset(config: RunConfig, name: str) -> RunConfig:
    """A copy of ``config`` with the preset's model and training settings."""
    preset = PRESETS[name]
    raw = config.to_dict()
    raw["model"].update(preset.model)
    raw["train"].update(preset.train)
    return RunConfig.from_dict(raw)
