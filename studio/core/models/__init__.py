"""Generators and discriminators, looked up by name.

Every model pair follows one interface: ``generator(z, labels=None)`` gives images in [-1, 1] and
has ``latent_dim`` and ``num_classes``; the second module is a discriminator ``(images, labels)``
to logits for GANs, or an encoder for the VAE (``ModelConfig.kind == "vae"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from studio.core.config import ModelConfig
from studio.core.models.dcgan import DCGANDiscriminator, DCGANGenerator
from studio.core.models.sngan import ResNetDiscriminator, ResNetGenerator
from studio.core.models.vae import build_vae


@dataclass(frozen=True)
class ModelEntry:
    description: str
    build: Callable[[ModelConfig, int, int], tuple[nn.Module, nn.Module]]


REGISTRY: dict[str, ModelEntry] = {
    "dcgan": ModelEntry(
        "Deep convolutional GAN: fast, a good first model for 32-64 px images.",
        lambda c, r, k: (DCGANGenerator(c.latent_dim, c.g_width, r, k), DCGANDiscriminator(c.d_width, r, k)),
    ),
    "sngan": ModelEntry(
        "ResNet GAN with spectral normalisation (SNGAN): better images at 32-128 px, slower per step; pairs with the hinge loss.",
        lambda c, r, k: (ResNetGenerator(c.latent_dim, c.g_width, r, k), ResNetDiscriminator(c.d_width, r, k)),
    ),
    "vae": ModelEntry(
        "Variational autoencoder: stable, non-adversarial baseline; blurrier images, no mode collapse.",
        lambda c, r, k: build_vae(c.latent_dim, c.g_width, r, k),
    ),
}


def build_models(config: ModelConfig, resolution: int, num_classes: int = 0) -> tuple[nn.Module, nn.Module]:
    """A fresh (generator, discriminator-or-encoder) pair; ``num_classes`` is used when the config is conditional
    (for 'auto', when there are at least two)."""
    classes = num_classes if config.conditional_on(num_classes) else 0
    return REGISTRY[config.name].build(config, resolution, classes)
