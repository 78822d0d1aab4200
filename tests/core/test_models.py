import pytest
import torch

from studio.core.config import ModelConfig
from studio.core.models import REGISTRY, build_models


@pytest.mark.parametrize("resolution", [32, 64])
def test_dcgan_shapes_at_both_resolutions(resolution):
    generator, discriminator = build_models(ModelConfig(latent_dim=12, g_width=8, d_width=8), resolution)
    images = generator(torch.randn(3, 12))
    assert images.shape == (3, 3, resolution, resolution)
    assert images.min() >= -1 and images.max() <= 1
    assert discriminator(images).shape == (3,)


def test_registry_describes_every_model():
    assert all(entry.description for entry in REGISTRY.values())
    assert "dcgan" in REGISTRY


def test_the_class_term_starts_as_small_as_the_real_vs_fake_logit():
    """A large initial class embedding outweighs the real-vs-fake logit and slows learning colour and shape."""
    torch.manual_seed(0)
    _, discriminator = build_models(ModelConfig(conditional="on", latent_dim=12, g_width=8, d_width=8), 32, num_classes=4)
    assert discriminator.projection.embed.weight.std() < 0.05
    images, labels = torch.rand(16, 3, 32, 32) * 2 - 1, torch.arange(16) % 4
    features = discriminator.features(images)
    class_term = discriminator.projection(features.sum(dim=(2, 3)), labels)
    assert class_term.abs().mean() < 3 * discriminator.head(features).flatten().abs().mean() + 0.1


@pytest.mark.parametrize("classes, conditional", [(1, False), (4, True)])
def test_auto_conditioning_follows_the_class_count(classes, conditional):
    generator, _ = build_models(ModelConfig(latent_dim=12, g_width=8, d_width=8), 32, num_classes=classes)
    assert bool(generator.num_classes) == conditional
