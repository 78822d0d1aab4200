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
