"""One training step of each translation model, with the least-squares GAN loss (LSGAN) CUT and CycleGAN use.

``step`` returns one tensor: the generator's total loss, the discriminator's loss, the mean
discriminator outputs on real and translated images, then the model's named losses
(:attr:`loss_names`), then 1 when everything was finite (0 when the step diverged). Staying on the
device, it costs no synchronisation until the trainer logs.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from studio.core.translation.config import TranslationConfig
from studio.core.translation.networks import PatchDiscriminator, PatchProjector, ResnetGenerator, default_blocks, patch_nce

BETAS = (0.5, 0.999)


def _lsgan(prediction: torch.Tensor, real: bool) -> torch.Tensor:
    return F.mse_loss(prediction, torch.full_like(prediction, 1.0 if real else 0.0))


def build_generator(config: TranslationConfig) -> ResnetGenerator:
    return ResnetGenerator(config.model.g_width, config.model.blocks or default_blocks(config.data.resolution))


class TranslationObjective:
    """The networks, their optimizers and the step; :attr:`translator` maps source images to the target style."""

    loss_names: tuple[str, ...] = ()
    modules: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    translator: nn.Module
    _discriminators: list[nn.Module]

    def set_learning_rate(self, lr: float) -> None:
        for optimizer in self.optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = lr

    def _discriminator_step(self, pairs: list[tuple[nn.Module, torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Update the discriminators on (network, real, translated) pairs; returns (loss, mean D(real), mean D(fake))."""
        for network in self._discriminators:
            network.requires_grad_(True)
        optimizer = self.optimizers["d_optimizer"]
        optimizer.zero_grad(set_to_none=True)
        loss = d_real = d_fake = 0.0
        for network, real, fake in pairs:
            on_real, on_fake = network(real), network(fake.detach())
            loss = loss + 0.5 * (_lsgan(on_real, True) + _lsgan(on_fake, False))
            d_real, d_fake = d_real + on_real.detach().mean(), d_fake + on_fake.detach().mean()
        loss.backward()
        optimizer.step()
        for network in self._discriminators:
            network.requires_grad_(False)
        return loss.detach(), d_real / len(pairs), d_fake / len(pairs)

    @staticmethod
    def _stats(g_total, d_stats, named) -> torch.Tensor:
        values = torch.stack([g_total.detach(), *d_stats, *[value.detach() for value in named]]).float()
        return torch.cat([values, torch.isfinite(values).all().float().reshape(1)])


class ContrastiveObjective(TranslationObjective):
    """CUT, or FastCUT without the identity term: G(source) fools D while each of its encoder patches
    still matches the same patch of the source (PatchNCE); with the identity term, G(target) must also
    match the target's own patches, which keeps G from changing what is already in the target style."""

    def __init__(self, config: TranslationConfig, device: torch.device):
        self.identity = config.model.name == "cut"
        self.loss_names = ("adversarial", "nce", "identity") if self.identity else ("adversarial", "nce")
        self.lambda_nce = config.train.lambda_nce
        self.patches = config.train.nce_patches
        self.generator = build_generator(config).to(device)
        self.projector = PatchProjector(self.generator.feature_channels).to(device)
        self.discriminator = PatchDiscriminator(config.model.d_width, config.data.resolution).to(device)
        self.translator = self.generator
        self._discriminators = [self.discriminator]
        self.modules = {"generator": self.generator, "projector": self.projector, "discriminator": self.discriminator}
        lr = config.train.lr
        self.optimizers = {
            "g_optimizer": torch.optim.Adam([*self.generator.parameters(), *self.projector.parameters()], lr=lr, betas=BETAS),
            "d_optimizer": torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=BETAS),
        }

    def _nce(self, translated: torch.Tensor, source_features: list[torch.Tensor], positions: list[torch.Tensor]) -> torch.Tensor:
        queries = self.projector(self.generator.encode(translated), positions)
        keys = self.projector([feature.detach() for feature in source_features], positions)
        return sum(patch_nce(q, k) for q, k in zip(queries, keys)) / len(queries)

    def step(self, source: torch.Tensor, target: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        count = source.shape[0]
        inputs = torch.cat([source, target]) if self.identity else source
        outputs, features = self.generator(inputs, with_features=True)
        translated = outputs[:count]
        d_stats = self._discriminator_step([(self.discriminator, target, translated)])

        optimizer = self.optimizers["g_optimizer"]
        optimizer.zero_grad(set_to_none=True)
        adversarial = _lsgan(self.discriminator(translated), True)
        positions = PatchProjector.positions(features, self.patches, generator)
        nce = self._nce(translated, [feature[:count] for feature in features], positions)
        named = [adversarial, nce]
        if self.identity:
            identity = self._nce(outputs[count:], [feature[count:] for feature in features], positions)
            named.append(identity)
            total = adversarial + self.lambda_nce * 0.5 * (nce + identity)
        else:
            total = adversarial + self.lambda_nce * nce
        total.backward()
        optimizer.step()
        return self._stats(total, d_stats, named)


class CycleObjective(TranslationObjective):
    """CycleGAN: G translates source to target and B target to source; each fools its discriminator, and
    B(G(x)) must give x back (the cycle loss), G(y) must leave y alone (the identity loss)."""

    loss_names = ("adversarial", "cycle", "identity")

    def __init__(self, config: TranslationConfig, device: torch.device):
        self.lambda_cycle = config.train.lambda_cycle
        self.lambda_identity = config.train.lambda_identity
        self.generator = build_generator(config).to(device)
        self.back = build_generator(config).to(device)
        self.discriminator = PatchDiscriminator(config.model.d_width, config.data.resolution).to(device)
        self.discriminator_back = PatchDiscriminator(config.model.d_width, config.data.resolution).to(device)
        self.translator = self.generator
        self._discriminators = [self.discriminator, self.discriminator_back]
        self.modules = {"generator": self.generator, "generator_back": self.back,
                        "discriminator": self.discriminator, "discriminator_back": self.discriminator_back}
        lr = config.train.lr
        self.optimizers = {
            "g_optimizer": torch.optim.Adam([*self.generator.parameters(), *self.back.parameters()], lr=lr, betas=BETAS),
            "d_optimizer": torch.optim.Adam([*self.discriminator.parameters(), *self.discriminator_back.parameters()], lr=lr, betas=BETAS),
        }

    def step(self, source: torch.Tensor, target: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        optimizer = self.optimizers["g_optimizer"]
        optimizer.zero_grad(set_to_none=True)
        to_target, to_source = self.generator(source), self.back(target)
        adversarial = _lsgan(self.discriminator(to_target), True) + _lsgan(self.discriminator_back(to_source), True)
        cycle = F.l1_loss(self.back(to_target), source) + F.l1_loss(self.generator(to_source), target)
        named = [adversarial, cycle]
        total = adversarial + self.lambda_cycle * cycle
        if self.lambda_identity > 0:
            identity = F.l1_loss(self.generator(target), target) + F.l1_loss(self.back(source), source)
            total = total + self.lambda_cycle * self.lambda_identity * identity
        else:
            identity = torch.zeros((), device=source.device)
        named.append(identity)
        total.backward()
        optimizer.step()
        d_stats = self._discriminator_step([(self.discriminator, target, to_target), (self.discriminator_back, source, to_source)])
        return self._stats(total, d_stats, named)


def build_translation_objective(config: TranslationConfig, device: torch.device) -> TranslationObjective:
    """The model the config names, its weights drawn from the current torch random state."""
    objective = CycleObjective(config, device) if config.model.name == "cyclegan" else ContrastiveObjective(config, device)
    for network in objective._discriminators:
        network.requires_grad_(False)
    return objective
