"""Generators and discriminators, looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from studio.core.config import ModelConfig
from studio.core.models.dcgan import DCGANDiscriminator, DCGANGenerator


@dataclass(frozen=True)
class ModelEntry:
    description: str
    build: Callable[[ModelConfig, int], tuple[nn.Module, nn.Module]]


def _build_dcgan(config: ModelConfig, resolution: int) -> tuple[nn.Module, nn.Module]:
    return (
        DCGANGenerator(config.latent_dim, config.g_width, resolution),
        DCGANDiscriminator(config.d_width, resolution),
    )


REGISTRY: dict[str, ModelEntry] = {
    "dcgan": ModelEntry("Deep convolutional GAN: fast, a good first model for 32-64 px images.", _build_dcgan),
}


def build_models(config: ModelConfig, resolution: int) -> tuple[nn.Module, nn.Module]:
    """A fresh (generator, discriminator) pair for ``config`` at ``resolution``."""
    return REGISTRY[config.name].build(config, resolution)
