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
        "Fast preview on CPU",
        "A small DCGAN that shows shapes and colours within minutes on a laptop.",
        {"name": "dcgan", "latent_dim": 64, "g_width": 32, "d_width": 32},
        {"steps": 3000, "batch_size": 64, "loss": "bce", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999,
         "ema_decay": 0.999, "diffaugment": "off", "r1_gamma": 0.0, "precision": "fp32", "compile": "off"},
    ),
    "quality-gpu": Preset(
        "Quality on GPU",
        "An SNGAN ResNet with the hinge loss and bf16 mixed precision; for a CUDA GPU and tens of thousands of steps.",
        {"name": "sngan", "latent_dim": 128, "g_width": 64, "d_width": 64},
        {"steps": 50_000, "batch_size": 128, "loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.0, "beta2": 0.9,
         "ema_decay": 0.9999, "diffaugment": "off", "r1_gamma": 0.0, "precision": "bf16", "compile": "off"},
    ),
    "small-data": Preset(
        "Small dataset",
        "DiffAugment and the hinge loss keep the discriminator from memorising a few hundred to a few thousand images.",
        {"name": "sngan", "latent_dim": 128, "g_width": 32, "d_width": 32},
        {"steps": 10_000, "batch_size": 32, "loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.0, "beta2": 0.9,
         "ema_decay": 0.999, "diffaugment": "on", "r1_gamma": 0.0, "precision": "fp32", "compile": "off"},
    ),
}


def apply_preset(config: RunConfig, name: str) -> RunConfig:
    """A copy of ``config`` with the preset's model and training settings."""
    preset = PRESETS[name]
    raw = config.to_dict()
    raw["model"].update(preset.model)
    raw["train"].update(preset.train)
    return RunConfig.from_dict(raw)
