"""A convolutional VAE with the generators' sampling interface: a stable, non-adversarial baseline.

The decoder is a DCGAN generator, so ``decoder(z, labels)`` renders images exactly as a GAN's
generator does, and the explorer, export and reports treat both the same. The encoder mirrors it
and, when conditional, sees the class as extra constant input planes.
"""

from __future__ import annotations

import torch
from torch import nn

from studio.core.models.dcgan import DCGANGenerator, upsampling_blocks


class VAEEncoder(nn.Module):
    def __init__(self, latent_dim: int, width: int, resolution: int, num_classes: int = 0, channels: int = 3):
        super().__init__()
        self.num_classes = num_classes
        blocks = upsampling_blocks(resolution)
        widths = [channels + num_classes] + [width * 2**i for i in range(blocks)]
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths, widths[1:]):
            layers += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.mean = nn.Linear(widths[-1] * 16, latent_dim)
        self.log_var = nn.Linear(widths[-1] * 16, latent_dim)

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior's mean and log-variance for each image."""
        if self.num_classes:
            planes = nn.functional.one_hot(labels, self.num_classes).to(images.dtype)[:, :, None, None]
            images = torch.cat([images, planes.expand(-1, -1, *images.shape[2:])], dim=1)
        features = self.features(images)
        return self.mean(features), self.log_var(features).clamp(-10, 10)


def build_vae(latent_dim: int, width: int, resolution: int, num_classes: int) -> tuple[nn.Module, nn.Module]:
    """(decoder, encoder): the decoder takes the generator's place, the encoder the discriminator's."""
    return (
        DCGANGenerator(latent_dim, width, resolution, num_classes),
        VAEEncoder(latent_dim, width, resolution, num_classes),
    )
