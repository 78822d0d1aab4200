"""GAN objectives: non-saturating BCE, hinge and WGAN-GP, plus the optional R1 penalty.

Each takes discriminator logits and returns a scalar to minimise. The penalties differentiate the
discriminator with respect to its inputs, so they take the discriminator and the images.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

WGAN_GP_WEIGHT = 10.0


def discriminator_loss(name: str, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    if name == "bce":
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    if name == "hinge":
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    if name == "wgan-gp":
        return fake_logits.mean() - real_logits.mean()
    raise ValueError(f"Unknown loss '{name}'.")


def generator_loss(name: str, fake_logits: torch.Tensor) -> torch.Tensor:
    if name == "bce":
        return F.softplus(-fake_logits).mean()
    return -fake_logits.mean()


def gradient_penalty(
    discriminator: Callable[..., torch.Tensor], real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None, mixing: torch.Tensor
) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al., 2017): (||grad D(x_hat)|| - 1)^2 on random real/fake mixes, times 10."""
    mixed = (mixing * real + (1 - mixing) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(mixed, labels).sum(), mixed, create_graph=True)
    return WGAN_GP_WEIGHT * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(discriminator: Callable[..., torch.Tensor], real: torch.Tensor, labels: torch.Tensor | None, gamma: float) -> torch.Tensor:
    """R1 (Mescheder et al., 2018): gamma/2 * E ||grad D(x)||^2 on real images."""
    real = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(real, labels).sum(), real, create_graph=True)
    return gamma / 2 * grad.flatten(1).pow(2).sum(dim=1).mean()
