"""What one training step does for each kind of model: the GAN game, or the VAE's evidence bound.

An objective owns the modules and optimizers (what a checkpoint stores), knows which generator to
sample from (the EMA copy when there is one), and runs one step, returning detached statistics
``[g_loss, d_loss, d_real, d_fake, healthy]`` so the trainer only syncs with the device when it
logs. ``healthy`` is 0 when a loss is not finite or a gradient norm exploded.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from studio.core.training.compute import ComputePlan, plan_compute
from studio.core.training.diffaugment import diff_augment
from studio.core.config import AUTOENCODER, RunConfig
from studio.core.training.ema import GeneratorEMA
from studio.core.errors import StudioError
from studio.core.training.losses import discriminator_loss, generator_loss, gradient_penalty, r1_penalty
from studio.core.models import build_models

EXPLODING_GRAD_NORM = 1e4
_PRECISIONS = {"bf16": torch.bfloat16, "fp16": torch.float16}


class Objective:
    """Shared plumbing: optimizers, mixed precision, gradient health, EMA, compiled and DDP wrappers."""

    def __init__(self, config: RunConfig, num_classes: int, device: torch.device, wrap=lambda module: module,
                 plan: ComputePlan | None = None):
        train = config.train
        plan = plan or plan_compute(train, device)
        if plan.precision == "fp16" and device.type != "cuda":
            raise StudioError("fp16 mixed precision needs a CUDA GPU; choose bf16 or fp32 on this device.")
        if config.model.conditional == "on" and num_classes < 2:
            raise StudioError("A conditional model needs a dataset with at least two classes; turn Conditional off.")
        self.config = config
        self.device = device
        self.generator, self.second = build_models(config.model, config.data.resolution, num_classes)
        for module in (self.generator, self.second):
            module.to(device, memory_format=torch.channels_last if plan.channels_last else torch.contiguous_format)
        adam = {"betas": (train.beta1, train.beta2), **({"fused": True} if plan.fused_optimizer else {})}
        self.generator_optimizer = torch.optim.Adam(self.generator.parameters(), lr=train.lr_g, **adam)
        self.second_optimizer = torch.optim.Adam(self.second.parameters(), lr=train.lr_d, **adam)
        self.ema = GeneratorEMA(self.generator, train.ema_decay) if train.ema_decay > 0 else None
        self.autocast_dtype = _PRECISIONS.get(plan.precision)
        self.scaler = torch.amp.GradScaler(device.type, enabled=plan.precision == "fp16")
        self.run_generator = wrap(_compiled(self.generator, train.compile))
        self.local_second = _compiled(self.second, train.compile)
        self.run_second = wrap(self.local_second)

    @property
    def modules(self) -> dict[str, nn.Module]:
        modules = {"generator": self.generator, self.second_name: self.second}
        if self.ema is not None:
            modules["generator_ema"] = self.ema.module
        return modules

    @property
    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator_optimizer": self.generator_optimizer, f"{self.second_name}_optimizer": self.second_optimizer}

    @property
    def sampling_generator(self) -> nn.Module:
        return self.ema.module if self.ema is not None else self.generator

    def set_learning_rates(self, lr_g: float, lr_d: float) -> None:
        for group in self.generator_optimizer.param_groups:
            group["lr"] = lr_g
        for group in self.second_optimizer.param_groups:
            group["lr"] = lr_d

    def autocast(self):
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def _apply(self, loss: torch.Tensor, optimizers: tuple[torch.optim.Optimizer, ...], modules: tuple[nn.Module, ...]) -> torch.Tensor:
        """Backward, step, and the largest gradient norm (inf/NaN when the gradients blew up).

        One GradScaler serves both phases of a step, so it updates once per phase.
        """
        for optimizer in optimizers:
            optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        norms = []
        for optimizer, module in zip(optimizers, modules):
            self.scaler.unscale_(optimizer)
            norms.append(torch.nn.utils.clip_grad_norm_(module.parameters(), float("inf")))
        for optimizer in optimizers:
            self.scaler.step(optimizer)
        self.scaler.update()
        return torch.stack(norms).max()

    def _after_step(self, step: int) -> None:
        if self.ema is not None:
            self.ema.update(self.generator, step)

    @staticmethod
    def _health(*values: torch.Tensor) -> torch.Tensor:
        stacked = torch.stack([value.detach().float() for value in values])
        return (torch.isfinite(stacked).all() & (stacked.abs() < EXPLODING_GRAD_NORM).all()).float()


class GANObjective(Objective):
    second_name = "discriminator"

    def step(self, real: torch.Tensor, labels: torch.Tensor | None, noise: torch.Tensor, step: int, rng: torch.Generator) -> torch.Tensor:
        train = self.config.train
        discriminator = self.run_second
        augment = (lambda x: diff_augment(x, rng)) if train.diffaugment == "on" else (lambda x: x)
        with self.autocast():
            fake = self.run_generator(noise, labels)
            real_logits = discriminator(augment(real), labels).float()
            fake_logits = discriminator(augment(fake.detach()), labels).float()
            d_loss = discriminator_loss(train.loss, real_logits, fake_logits)
        penalty = torch.zeros((), device=real.device)
        if train.loss == "wgan-gp":
            mixing = torch.rand(real.shape[0], 1, 1, 1, generator=rng).to(real.device)
            penalty = penalty + gradient_penalty(self.second, real, fake.float(), labels, mixing)
        if train.r1_gamma > 0:
            penalty = penalty + r1_penalty(self.second, real, labels, train.r1_gamma)
        d_norm = self._apply(d_loss + penalty, (self.second_optimizer,), (self.second,))

        # The generator's phase goes through the discriminator outside DDP: its weights are not
        # updated here, so there is nothing of it to synchronise.
        self.second.requires_grad_(False)
        with self.autocast():
            g_loss = generator_loss(train.loss, self.local_second(augment(fake), labels).float())
        g_norm = self._apply(g_loss, (self.generator_optimizer,), (self.generator,))
        self.second.requires_grad_(True)
        self._after_step(step)
        return torch.stack(
            [g_loss.detach(), d_loss.detach(), torch.sigmoid(real_logits.detach()).mean(), torch.sigmoid(fake_logits.detach()).mean(),
             self._health(g_loss, d_loss, g_norm, d_norm)]
        )


class VAEObjective(Objective):
    """Decoder = generator, encoder in the discriminator's place; both trained by one optimizer each on the ELBO.

    Logged as: g_loss = reconstruction error per image, d_loss = KL divergence per image; the
    discriminator scores do not exist for a VAE and are logged as NaN.
    """

    second_name = "encoder"

    def step(self, real: torch.Tensor, labels: torch.Tensor | None, noise: torch.Tensor, step: int, rng: torch.Generator) -> torch.Tensor:
        with self.autocast():
            mean, log_var = self.run_second(real, labels)
            mean, log_var = mean.float(), log_var.float()
            z = mean + torch.exp(0.5 * log_var) * noise
            reconstruction = self.run_generator(z, labels).float()
        recon = (reconstruction - real).pow(2).flatten(1).sum(dim=1).mean()
        kl = (-0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(dim=1)).mean()
        norm = self._apply(recon + kl, (self.generator_optimizer, self.second_optimizer), (self.generator, self.second))
        self._after_step(step)
        nan = torch.full((), float("nan"), device=real.device)
        return torch.stack([recon.detach(), kl.detach(), nan, nan, self._health(recon, kl, norm)])


def build_objective(config: RunConfig, num_classes: int, device: torch.device, wrap=lambda module: module,
                    plan: ComputePlan | None = None) -> Objective:
    return (VAEObjective if config.model.kind == AUTOENCODER else GANObjective)(config, num_classes, device, wrap, plan)


def _compiled(module: nn.Module, mode: str) -> nn.Module:
    """The module itself, or a torch.compile wrapper (checkpoints always use the module itself)."""
    if mode == "off":
        return module
    return torch.compile(module, mode="reduce-overhead" if mode == "cudagraphs" else None)
