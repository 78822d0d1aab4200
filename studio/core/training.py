"""The Trainer: runs GAN steps, reports plain events, honours pause and stop, checkpoints and resumes.

Batches and training noise are derived from ``(seed, step)`` alone rather than from a running
random state, so a run resumed from a checkpoint sees exactly the batches and noise it would have
seen without the interruption; with the model, optimizer and BatchNorm state restored, the CPU
result is bit-identical to an uninterrupted run.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict

import torch
import torch.nn.functional as F

from studio.core.checkpoints import load_checkpoint, restore_modules, restore_optimizers, save_checkpoint
from studio.core.data.augment import flip_half
from studio.core.data.dataset import ImageDataset
from studio.core.devices import describe_device, resolve_device
from studio.core.errors import StudioError
from studio.core.evaluation import TrainingEvaluator
from studio.core.events import CheckpointSaved, Event, Failed, Finished, QualityMeasured, SamplesReady, Started, StepLogged
from studio.core.imaging import make_grid
from studio.core.models import build_models
from studio.core.runs import Run
from studio.core.sampling import latents, to_uint8_images

PREVIEW_SAMPLES = 64
_STEP_SEED_STRIDE = 1_000_003


def _step_generator(seed: int, step: int, salt: int) -> torch.Generator:
    return torch.Generator().manual_seed((seed * _STEP_SEED_STRIDE + step) * 4 + salt)


class BatchIndices:
    """Which images form the batch of a step: a fresh permutation per epoch, all from the seed."""

    def __init__(self, count: int, batch_size: int, seed: int):
        self.count, self.batch_size, self.seed = count, batch_size, seed
        self._epoch, self._order = -1, torch.empty(0, dtype=torch.long)

    def _permutation(self, epoch: int) -> torch.Tensor:
        if epoch != self._epoch:
            self._epoch = epoch
            self._order = torch.randperm(self.count, generator=_step_generator(self.seed, epoch, salt=1))
        return self._order

    def for_step(self, step: int) -> torch.Tensor:
        start = (step - 1) * self.batch_size
        stop = start + self.batch_size
        first_epoch, last_epoch = start // self.count, (stop - 1) // self.count
        order = torch.cat([self._permutation(epoch) for epoch in range(first_epoch, last_epoch + 1)])
        offset = first_epoch * self.count
        return order[start - offset : stop - offset]


class Trainer:
    """Trains the run's models on ``dataset``; :meth:`run` blocks, the control methods are thread-safe."""

    def __init__(self, run: Run, dataset: ImageDataset, on_event: Callable[[Event], None] = lambda event: None):
        self.run_folder = run
        self.dataset = dataset
        self.on_event = on_event
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._stop = threading.Event()
        self._preview_seed: int | None = None
        self._preview_requested = threading.Event()
        self._checkpoint_requested = threading.Event()

    def pause(self) -> None:
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    def stop(self) -> None:
        self._stop.set()
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def request_preview(self, seed: int) -> None:
        """Show samples from ``seed``'s noise from the next step on (the saved grids keep the fixed noise)."""
        self._preview_seed = seed
        self._preview_requested.set()

    def request_checkpoint(self) -> None:
        self._checkpoint_requested.set()

    def run(self) -> None:
        """Train to ``config.train.steps``; every outcome ends in a Finished or Failed event."""
        try:
            self._train()
        except StudioError as error:
            self.on_event(Failed(str(error)))
        except torch.OutOfMemoryError:
            batch = self.run_folder.config.train.batch_size
            self.on_event(Failed(f"The device ran out of memory; try a batch size of {max(2, batch // 2)} or a smaller model."))
        except Exception as error:
            self.on_event(Failed(f"Training stopped on an internal error ({type(error).__name__}: {error}){self._log_traceback()}."))

    def _log_traceback(self) -> str:
        """Keep the traceback for a bug report in the run folder; the user sees one sentence."""
        try:
            (self.run_folder.path / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            return ""
        return "; details are in error.log"

    def _train(self) -> None:
        run = self.run_folder
        config = run.config
        train = config.train
        device = resolve_device(train.device)
        if len(self.dataset) < 1:
            raise StudioError("The dataset is empty.")
        if self.dataset.resolution != config.data.resolution:
            raise StudioError(f"The dataset is {self.dataset.resolution} px but the run expects {config.data.resolution} px.")

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(train.seed)
            generator, discriminator = build_models(config.model, config.data.resolution)
        modules = {"generator": generator, "discriminator": discriminator}
        for module in modules.values():
            module.to(device, memory_format=torch.channels_last)
        optimizers = {
            "generator_optimizer": torch.optim.Adam(generator.parameters(), lr=train.lr_g, betas=(train.beta1, train.beta2)),
            "discriminator_optimizer": torch.optim.Adam(discriminator.parameters(), lr=train.lr_d, betas=(train.beta1, train.beta2)),
        }

        start_step = 0
        latest = run.latest_checkpoint()
        if latest is not None:
            tensors, sidecar = load_checkpoint(latest)
            restore_modules(modules, tensors)
            restore_optimizers(optimizers, tensors, sidecar)
            start_step = sidecar["step"]
            run.truncate_metrics(start_step)

        images = self.dataset.images.to(device)
        batches = BatchIndices(len(self.dataset), train.batch_size, train.seed)
        fixed_noise = latents(train.seed, PREVIEW_SAMPLES, config.model.latent_dim, device)
        evaluator = TrainingEvaluator(run, self.dataset, device, start_step)
        early_stop = ""
        self.on_event(Started(run.path, describe_device(device), start_step, train.steps, resumed=latest is not None))
        self._emit_samples(generator, fixed_noise, start_step, save=latest is None)

        step, saved_step = start_step, start_step
        totals = torch.zeros(4, device=device)
        window_start, window_steps, began = time.perf_counter(), 0, time.perf_counter()
        while step < train.steps:
            if not self._wait_while_paused():
                break
            step += 1
            real = images[batches.for_step(step).to(device)].float().div_(127.5).sub_(1)
            if config.data.flip == "horizontal":
                real = flip_half(real, train.seed, step)
            real = real.contiguous(memory_format=torch.channels_last)
            noise = torch.randn(train.batch_size, config.model.latent_dim, generator=_step_generator(train.seed, step, salt=2)).to(device)
            totals += self._step(generator, discriminator, optimizers, real, noise)
            window_steps += 1

            if step % train.log_every == 0 or step == train.steps:
                now = time.perf_counter()
                g_loss, d_loss, d_real, d_fake = (totals / window_steps).tolist()
                rate = window_steps * train.batch_size / max(now - window_start, 1e-9)
                event = StepLogged(step, train.steps, g_loss, d_loss, d_real, d_fake, rate, now - began)
                run.append_metrics([{**asdict(event), "time": time.time()}])
                self.on_event(event)
                totals.zero_()
                window_start, window_steps = now, 0
            if step % train.sample_every == 0 or step == train.steps or self._preview_requested.is_set():
                self._emit_samples(generator, fixed_noise, step, save=step % train.sample_every == 0 or step == train.steps)
            if step % train.checkpoint_every == 0 or step == train.steps or self._checkpoint_requested.is_set():
                self._save(step, modules, optimizers)
                saved_step = step
            if evaluator.due(step):
                early_stop = self._evaluate(evaluator, step, modules, optimizers)
                if early_stop:
                    break

        stopped = step < train.steps
        if stopped and step != saved_step:
            self._save(step, modules, optimizers)
        self.on_event(Finished(step, stopped=stopped and not early_stop, reason=early_stop))

    def _evaluate(self, evaluator: TrainingEvaluator, step: int, modules, optimizers) -> str:
        """Measure quality, log it, keep the best checkpoint; returns the early-stop sentence, if any."""
        outcome = evaluator(step, modules["generator"], self.run_folder.config.model.latent_dim)
        self.run_folder.append_metrics([outcome.record])
        if outcome.improved:
            save_checkpoint(self.run_folder.checkpoint_dir / "best.safetensors", step, modules, optimizers,
                            extra={"metric": outcome.record})
        self.on_event(QualityMeasured(step, outcome.record, outcome.improved))
        return outcome.stop_reason

    def _wait_while_paused(self) -> bool:
        """Block while paused; False once a stop was asked for."""
        while not self._unpaused.wait(0.1):
            pass
        return not self._stop.is_set()

    @staticmethod
    def _step(generator, discriminator, optimizers, real: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """One discriminator and one generator update (non-saturating BCE); returns detached statistics."""
        fake = generator(noise)
        real_logits = discriminator(real)
        fake_logits = discriminator(fake.detach())
        d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + F.binary_cross_entropy_with_logits(
            fake_logits, torch.zeros_like(fake_logits)
        )
        optimizers["discriminator_optimizer"].zero_grad(set_to_none=True)
        d_loss.backward()
        optimizers["discriminator_optimizer"].step()

        discriminator.requires_grad_(False)
        gen_logits = discriminator(fake)
        g_loss = F.binary_cross_entropy_with_logits(gen_logits, torch.ones_like(gen_logits))
        optimizers["generator_optimizer"].zero_grad(set_to_none=True)
        g_loss.backward()
        optimizers["generator_optimizer"].step()
        discriminator.requires_grad_(True)
        return torch.stack([g_loss, d_loss, torch.sigmoid(real_logits).mean(), torch.sigmoid(fake_logits).mean()]).detach()

    @torch.no_grad()
    def _emit_samples(self, generator, fixed_noise: torch.Tensor, step: int, save: bool) -> None:
        """Render the fixed-noise grid (saved into the run) and the preview the user asked for."""
        seed = self.run_folder.config.train.seed
        self._preview_requested.clear()
        generator.eval()
        try:
            fixed = to_uint8_images(generator(fixed_noise))
            if save:
                self.run_folder.save_samples(step, make_grid(fixed, nrow=8))
            preview_seed = self._preview_seed
            if preview_seed is None or preview_seed == seed:
                self.on_event(SamplesReady(step, fixed, seed))
            else:
                noise = latents(preview_seed, PREVIEW_SAMPLES, fixed_noise.shape[1], fixed_noise.device)
                self.on_event(SamplesReady(step, to_uint8_images(generator(noise)), preview_seed))
        finally:
            generator.train()

    def _save(self, step: int, modules, optimizers) -> None:
        self._checkpoint_requested.clear()
        path = self.run_folder.checkpoint_path(step)
        save_checkpoint(path, step, modules, optimizers)
        self.run_folder.prune_checkpoints(self.run_folder.config.train.keep_checkpoints)
        self.on_event(CheckpointSaved(step, path))
