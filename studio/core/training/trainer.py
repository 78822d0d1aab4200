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
from contextlib import nullcontext
from dataclasses import asdict

import torch

from studio.core.training.compute import plan_compute
from studio.core.training.checkpoints import load_checkpoint, restore_modules, restore_optimizers, save_checkpoint
from studio.core.config import RunConfig
from studio.core.data.augment import flip_half
from studio.core.data.dataset import ImageDataset
from studio.core.training.devices import describe_device, resolve_device
from studio.core.training.distributed import DistributedContext
from studio.core.errors import StudioError
from studio.core.evaluation.evaluate import TrainingEvaluator
from studio.core.training.events import (CheckpointSaved, Event, Failed, Finished, Paused, QualityMeasured, Recovered,
                                         SamplesReady, Started, StepLogged)
from studio.core.imaging import make_grid
from studio.core.training.objectives import Objective, build_objective
from studio.core.training.pace import Pace
from studio.core.runs import Run
from studio.core.run_lock import RunLock
from studio.core.sampling import latents, to_uint8_images

PREVIEW_SAMPLES = 64
MAX_ROLLBACKS = 3
_STEP_SEED_STRIDE = 1_000_003


def step_generator(seed: int, step: int, salt: int, rank: int = 0) -> torch.Generator:
    """A generator for one purpose (``salt``) at one step on one rank, derived from the seed alone."""
    return torch.Generator().manual_seed((((seed * _STEP_SEED_STRIDE + step) * 4 + salt) * 1024 + rank) % 2**63)


def warm_up() -> None:
    """Pay for the parts of torch that the first optimizer imports lazily (about a second).

    A worker calls this while the GUI is idle, so pressing Train does not stall the window.
    """
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


class BatchIndices:
    """Which images form the batch of a step: a fresh permutation per epoch, all from the seed."""

    def __init__(self, count: int, batch_size: int, seed: int):
        self.count, self.batch_size, self.seed = count, batch_size, seed
        self._epoch, self._order = -1, torch.empty(0, dtype=torch.long)

    def _permutation(self, epoch: int) -> torch.Tensor:
        if epoch != self._epoch:
            self._epoch = epoch
            self._order = torch.randperm(self.count, generator=step_generator(self.seed, epoch, salt=1))
        return self._order

    def for_step(self, step: int) -> torch.Tensor:
        start = (step - 1) * self.batch_size
        stop = start + self.batch_size
        first_epoch, last_epoch = start // self.count, (stop - 1) // self.count
        order = torch.cat([self._permutation(epoch) for epoch in range(first_epoch, last_epoch + 1)])
        offset = first_epoch * self.count
        return order[start - offset : stop - offset]


class Trainer:
    """Trains the run's models on ``dataset`` less the run's held-out test images; :meth:`run` blocks,
    the control methods are thread-safe.

    Under torchrun, pass the :class:`DistributedContext`: every rank trains on its own shard of
    each batch and reports events; rank 0 alone writes metrics, samples and checkpoints.
    """

    def __init__(
        self,
        run: Run,
        dataset: ImageDataset,
        on_event: Callable[[Event], None] = lambda event: None,
        distributed: DistributedContext | None = None,
        fixed_eval_spacing: bool = False,
    ):
        self.run_folder = run
        self.fixed_eval_spacing = fixed_eval_spacing  # measure at every eval_every steps, even where it costs CPU time (sweeps compare trials at the same steps)
        self.dataset = dataset
        self.distributed = distributed
        self.on_event = on_event
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._stop = threading.Event()
        self._preview_seed: int | None = None
        self._preview_requested = threading.Event()
        self._checkpoint_requested = threading.Event()
        self._rollbacks = 0

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
        """Train to ``config.train.steps``; every outcome ends in a Finished or Failed event.

        The run's lock is held meanwhile (by rank 0 under torchrun), so no other process trains it.
        """
        try:
            with RunLock(self.run_folder.path) if self.distributed is None or self.distributed.is_main else nullcontext():
                self._train()
        except StudioError as error:
            self.on_event(Failed(str(error)))
        except torch.OutOfMemoryError:
            batch = self.run_folder.config.train.batch_size
            self.on_event(Failed(f"The device ran out of memory at batch size {batch}; the run is intact. "
                                 f"Try a batch size of {max(2, batch // 2)} or a smaller model, then resume."))
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
        dist = self.distributed or DistributedContext(device=resolve_device(train.device))
        device = dist.device
        dataset, _ = run.split(self.dataset)  # the held-out test images never reach a batch
        if len(dataset) < 1:
            raise StudioError("The dataset is empty.")
        if dataset.resolution != config.data.resolution:
            raise StudioError(f"The dataset is {dataset.resolution} px but the run expects {config.data.resolution} px.")

        plan = plan_compute(train, device)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(train.seed)
            objective = build_objective(config, len(dataset.class_names), device, wrap=dist.wrap, plan=plan)
        classes = objective.generator.num_classes

        start_step = 0
        latest = run.latest_checkpoint()
        if latest is not None:
            start_step = self._restore(objective, latest)

        images = dataset.images.to(device)
        all_labels = dataset.labels.to(device)
        batches = BatchIndices(len(dataset), train.batch_size * dist.world_size, train.seed)
        shard = slice(dist.rank * train.batch_size, (dist.rank + 1) * train.batch_size)
        fixed_noise = latents(train.seed, PREVIEW_SAMPLES, config.model.latent_dim, device)
        fixed_labels = torch.arange(PREVIEW_SAMPLES, device=device) % classes if classes else None
        preview = (objective, fixed_noise, fixed_labels)
        evaluator = TrainingEvaluator(run, dataset, device, start_step, fixed_spacing=self.fixed_eval_spacing) if dist.is_main else None
        early_stop = ""
        if dist.is_main:
            run.record_compute(start_step, plan.to_dict())
        self.on_event(Started(run.path, f"{describe_device(device)} · {plan.describe()}", start_step, train.steps,
                              resumed=latest is not None))
        self._emit_samples(*preview, start_step, save=latest is None and dist.is_main)

        step, saved_step = start_step, start_step
        totals = torch.zeros(4, device=device)
        healthy = torch.ones((), device=device)
        window_steps = 0
        self._pace = Pace(start_step, train.batch_size * dist.world_size)
        stop_asked = ended_early = False
        while step < train.steps:
            stop_asked, ended_early = self._agreed_stop(dist, early_stop, step)
            if stop_asked or ended_early:
                break
            step += 1
            indices = batches.for_step(step)[shard].to(device)
            real = images[indices].float().div_(127.5).sub_(1)
            if config.data.flip == "horizontal":
                real = flip_half(real, train.seed, step)
            if plan.channels_last:
                real = real.contiguous(memory_format=torch.channels_last)
            labels = all_labels[indices] if classes else None
            noise = torch.randn(train.batch_size, config.model.latent_dim, generator=step_generator(train.seed, step, 2, dist.rank)).to(device)
            stats = objective.step(real, labels, noise, step, step_generator(train.seed, step, 3, dist.rank))
            totals += stats[:4]
            healthy *= stats[4]
            window_steps += 1

            checkpoint_due = step % train.checkpoint_every == 0 or step == train.steps or self._checkpoint_requested.is_set()
            if step % train.log_every == 0 or step == train.steps or checkpoint_due:
                if not dist.all_min(healthy.clone()).item() >= 1:
                    step = saved_step = self._roll_back(objective, step)
                    totals.zero_()
                    healthy.fill_(1)
                    window_steps = 0
                    self._pace = Pace(step, train.batch_size * dist.world_size)
                    continue
            if step % train.log_every == 0 or step == train.steps:
                g_loss, d_loss, d_real, d_fake = (totals / window_steps).tolist()
                event = StepLogged(step, train.steps, g_loss, d_loss, d_real, d_fake, *self._pace.at(step, train.steps))
                if dist.is_main:
                    record = {key: value for key, value in asdict(event).items() if key != "eta_s"}
                    run.append_metrics([{**record, "time": time.time()}])
                self.on_event(event)
                totals.zero_()
                window_steps = 0
            if step % train.sample_every == 0 or step == train.steps or self._preview_requested.is_set():
                self._emit_samples(*preview, step, save=(step % train.sample_every == 0 or step == train.steps) and dist.is_main)
            if checkpoint_due:
                self._save(step, objective, dist)
                saved_step = step
            if evaluator is not None and evaluator.due(step):
                early_stop = self._evaluate(evaluator, step, objective)

        if step < train.steps and step != saved_step:
            self._save(step, objective, dist)
        del objective, preview
        dist.finish()
        self.on_event(Finished(step, stopped=stop_asked, reason=early_stop))

    def _restore(self, objective: Objective, checkpoint) -> int:
        """Load weights and optimizer state from a checkpoint; returns its step."""
        tensors, sidecar = load_checkpoint(checkpoint)
        modules = objective.modules
        if "generator_ema" in modules and not any(key.startswith("generator_ema.") for key in tensors):
            modules["generator_ema"].load_state_dict(objective.generator.state_dict())
            modules = {name: module for name, module in modules.items() if name != "generator_ema"}
        restore_modules(modules, tensors)
        restore_optimizers(objective.optimizers, tensors, sidecar)
        step = sidecar["step"]
        if self.distributed is None or self.distributed.is_main:
            self.run_folder.truncate_metrics(step)
        return step

    def _roll_back(self, objective: Objective, step: int) -> int:
        """Divergence guard: return to the last good checkpoint with halved learning rates."""
        run = self.run_folder
        latest = run.latest_checkpoint()
        self._rollbacks += 1
        if latest is None or self._rollbacks > MAX_ROLLBACKS:
            raise StudioError(
                f"Training diverged at step {step} (a loss became NaN/infinite or a gradient exploded)"
                + (" and there is no earlier checkpoint to return to" if latest is None else f" {MAX_ROLLBACKS} times")
                + "; lower the learning rates, switch to the hinge loss, or add an R1 penalty."
            )
        back_to = self._restore(objective, latest)
        config = RunConfig.from_dict(run.config.to_dict())
        config.train.lr_g /= 2
        config.train.lr_d /= 2
        objective.set_learning_rates(config.train.lr_g, config.train.lr_d)
        if self.distributed is None or self.distributed.is_main:
            run.save_config(config)
        self.on_event(Recovered(step, back_to, (
            f"Training diverged at step {step} (a loss became NaN/infinite or a gradient exploded); rolled back to step "
            f"{back_to} and halved the learning rates to G {config.train.lr_g:g}, D {config.train.lr_d:g}. "
            "If it happens again, lower them further or try the hinge loss."
        )))
        return back_to

    def _evaluate(self, evaluator: TrainingEvaluator, step: int, objective: Objective) -> str:
        """Measure quality, log it, keep the best checkpoint; returns the early-stop sentence, if any."""
        outcome = evaluator(step, objective.sampling_generator, self.run_folder.config.model.latent_dim)
        self.run_folder.append_metrics([outcome.record])
        if outcome.improved:
            save_checkpoint(self.run_folder.checkpoint_dir / "best.safetensors", step, objective.modules, objective.optimizers,
                            extra={"metric": outcome.record, "class_names": self._class_names(objective)})
        self.on_event(QualityMeasured(step, outcome.record, outcome.improved))
        return outcome.stop_reason

    def _agreed_stop(self, dist: DistributedContext, early_stop: str, step: int) -> tuple[bool, bool]:
        """Before each step: (a stop was asked for, the evaluator ended training early), as all ranks see it.

        Under torchrun each rank gets its own signal at its own moment, and rank 0 alone evaluates;
        a rank leaving the loop on its own would leave the others waiting forever in the next
        step's collective. So the ranks agree (one small all-reduce per step) and all stop after
        the same step, where they save the checkpoint together.
        """
        stop_asked = not early_stop and not self._wait_while_paused(step)
        if dist.world_size == 1:
            return stop_asked, bool(early_stop)
        go_on = dist.all_min(torch.tensor([float(not stop_asked), float(not early_stop)], device=dist.device)).tolist()
        return go_on[0] < 1, go_on[1] < 1

    def _wait_while_paused(self, step: int) -> bool:
        """Block while paused (the pace does not count it), saying so with ``Paused``; False once a stop
        was asked for."""
        if not self._unpaused.is_set():
            self._pace.paused.began()
            self.on_event(Paused(step))
            while not self._unpaused.wait(0.1):
                pass
            self._pace.paused.ended()
        return not self._stop.is_set()

    @torch.no_grad()
    def _emit_samples(self, objective: Objective, fixed_noise: torch.Tensor, fixed_labels, step: int, save: bool) -> None:
        """Render the fixed-noise grid (saved into the run) and the preview the user asked for."""
        seed = self.run_folder.config.train.seed
        self._preview_requested.clear()
        generator = objective.sampling_generator
        was_training = generator.training
        generator.eval()
        try:
            fixed = to_uint8_images(generator(fixed_noise, fixed_labels))
            if save:
                self.run_folder.save_samples(step, make_grid(fixed, nrow=8))
            preview_seed = self._preview_seed
            if preview_seed is None or preview_seed == seed:
                self.on_event(SamplesReady(step, fixed, seed))
            else:
                noise = latents(preview_seed, PREVIEW_SAMPLES, fixed_noise.shape[1], fixed_noise.device)
                self.on_event(SamplesReady(step, to_uint8_images(generator(noise, fixed_labels)), preview_seed))
        finally:
            generator.train(was_training)

    def _class_names(self, objective: Objective) -> list[str]:
        return list(self.dataset.class_names) if objective.generator.num_classes else []

    def _save(self, step: int, objective: Objective, dist: DistributedContext) -> None:
        self._checkpoint_requested.clear()
        in_sync = dist.replicas_agree([objective.generator, objective.second])
        if not dist.is_main:
            return
        if not in_sync:
            raise StudioError(f"The {dist.world_size} training processes drifted apart by step {step}; the run was stopped.")
        path = self.run_folder.checkpoint_path(step)
        extra = {"class_names": self._class_names(objective), "world_size": dist.world_size, "replicas_in_sync": in_sync}
        save_checkpoint(path, step, objective.modules, objective.optimizers, extra=extra)
        self.run_folder.prune_checkpoints(self.run_folder.config.train.keep_checkpoints)
        self.on_event(CheckpointSaved(step, path))
