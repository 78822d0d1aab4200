"""The translation trainer: the generation :class:`Trainer`'s controls (pause, stop, checkpoint on request,
the run lock, one sentence for every failure) around a translation step.

Batches come from ``(seed, step)`` alone, the weights from the seed, the NCE patch positions from
``(seed, step)``: with the networks and optimizers restored from a checkpoint, a resumed CPU run
continues bit for bit as if it had never stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from studio.core.errors import StudioError
from studio.core.imaging import make_grid
from studio.core.sampling import to_uint8_images
from studio.core.training.checkpoints import load_checkpoint, restore_modules, restore_optimizers, save_checkpoint
from studio.core.training.devices import describe_device, resolve_device
from studio.core.training.distributed import DistributedContext
from studio.core.training.events import CheckpointSaved, Event, Finished, Recovered, Started
from studio.core.training.pace import Pace
from studio.core.training.trainer import MAX_ROLLBACKS, BatchIndices, Trainer, step_generator
from studio.core.translation.config import KIND
from studio.core.translation.data import ImagePair
from studio.core.translation.events import PreviewReady, TranslationLogged
from studio.core.translation.objectives import TranslationObjective, build_translation_objective
from studio.core.translation.run import TranslationRun

PREVIEW_IMAGES = 8


def as_model_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 images to the [-1, 1] floats the networks take."""
    return images.float().div_(127.5).sub_(1)


class TranslationTrainer(Trainer):
    """Trains ``run`` on ``pair`` (its source set less the held-out images); :meth:`run` blocks."""

    def __init__(self, run: TranslationRun, pair: ImagePair, on_event: Callable[[Event], None] = lambda event: None):
        super().__init__(run, pair.source, on_event)
        self.pair = pair

    def _train(self) -> None:
        run: TranslationRun = self.run_folder
        config = run.config
        train = config.train
        device = resolve_device(train.device)
        dist = DistributedContext(device=device)
        source, held = run.split(self.pair.source)
        target = self.pair.target
        for which, dataset in (("source", source), ("target", target)):
            if dataset.resolution != config.data.resolution:
                raise StudioError(f"The {which} set is {dataset.resolution} px but the run expects {config.data.resolution} px.")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(train.seed)
            objective = build_translation_objective(config, device)
        start_step = 0
        latest = run.latest_checkpoint()
        if latest is not None:
            start_step = self._restore(objective, latest)

        source_images, target_images = source.images.to(device), target.images.to(device)
        source_batches = BatchIndices(len(source), train.batch_size, train.seed)
        target_batches = BatchIndices(len(target), train.batch_size, train.seed + 1)
        preview_set = held if held is not None and len(held) else source
        preview = preview_set.images[:PREVIEW_IMAGES].to(device)
        self.on_event(Started(run.path, describe_device(device), start_step, train.steps, resumed=latest is not None))
        self._show(objective, preview, start_step, save=latest is None)

        step = saved_step = start_step
        width = 4 + len(objective.loss_names)
        totals = torch.zeros(width, device=device)
        healthy = torch.ones((), device=device)
        window = 0
        self._pace = Pace(start_step, train.batch_size)
        stopped = False
        while step < train.steps:
            stopped, _ = self._agreed_stop(dist, "", step)
            if stopped:
                break
            step += 1
            real_source = as_model_input(source_images[source_batches.for_step(step).to(device)])
            real_target = as_model_input(target_images[target_batches.for_step(step).to(device)])
            stats = objective.step(real_source, real_target, step_generator(train.seed, step, 3))
            totals += stats[:width]
            healthy *= stats[width]
            window += 1

            checkpoint_due = step % train.checkpoint_every == 0 or step == train.steps or self._checkpoint_requested.is_set()
            log_due = step % train.log_every == 0 or step == train.steps
            if (log_due or checkpoint_due) and not healthy.item() >= 1:
                step = saved_step = self._roll_back(objective, step)
                totals.zero_()
                healthy.fill_(1)
                window = 0
                self._pace = Pace(step, train.batch_size)
                continue
            if log_due:
                self._log(objective, step, (totals / window).tolist())
                totals.zero_()
                window = 0
            if step % train.sample_every == 0 or step == train.steps or self._preview_requested.is_set():
                self._show(objective, preview, step, save=step % train.sample_every == 0 or step == train.steps)
            if checkpoint_due:
                self._save(step, objective, dist)
                saved_step = step
        if step < train.steps and step != saved_step:
            self._save(step, objective, dist)
        self.on_event(Finished(step, stopped=stopped))

    def _log(self, objective: TranslationObjective, step: int, means: list[float]) -> None:
        total = self.run_folder.config.train.steps
        g_loss, d_loss, d_real, d_fake = means[:4]
        images_per_sec, elapsed, eta = self._pace.at(step, total)
        event = TranslationLogged(step, total, g_loss, d_loss, d_real, d_fake, dict(zip(objective.loss_names, means[4:])),
                                  images_per_sec, elapsed, eta)
        self.run_folder.append_metrics([{**event.record(), "time": time.time()}])
        self.on_event(event)

    @torch.no_grad()
    def _show(self, objective: TranslationObjective, preview: torch.Tensor, step: int, save: bool) -> None:
        """Translate the fixed preview row; saved into the run as a two-row grid (sources above translations)."""
        self._preview_requested.clear()
        translator = objective.translator
        translator.eval()
        try:
            translations = to_uint8_images(translator(as_model_input(preview)))
        finally:
            translator.train()
        sources = preview.permute(0, 2, 3, 1).contiguous().cpu().numpy()
        if save:
            self.run_folder.save_samples(step, make_grid(np.concatenate([sources, translations]), nrow=len(sources)))
        self.on_event(PreviewReady(step, sources, translations))

    def _restore(self, objective: TranslationObjective, checkpoint) -> int:
        tensors, sidecar = load_checkpoint(checkpoint)
        check_translation_checkpoint(sidecar, checkpoint, self.run_folder.config.model.name)
        restore_modules(objective.modules, tensors)
        restore_optimizers(objective.optimizers, tensors, sidecar)
        self.run_folder.truncate_metrics(sidecar["step"])
        return sidecar["step"]

    def _roll_back(self, objective: TranslationObjective, step: int) -> int:
        """Divergence guard: back to the last checkpoint with the learning rate halved."""
        run = self.run_folder
        latest = run.latest_checkpoint()
        self._rollbacks += 1
        if latest is None or self._rollbacks > MAX_ROLLBACKS:
            raise StudioError(f"Training diverged at step {step} (a loss became NaN or infinite)"
                              + (" and there is no earlier checkpoint to return to" if latest is None else f" {MAX_ROLLBACKS} times")
                              + "; lower the learning rate and train a new run.")
        back_to = self._restore(objective, latest)
        config = run.config.copy()
        config.train.lr /= 2
        objective.set_learning_rate(config.train.lr)
        run.save_config(config)
        self.on_event(Recovered(step, back_to, f"Training diverged at step {step}; rolled back to step {back_to} and halved "
                                               f"the learning rate to {config.train.lr:g}."))
        return back_to

    def _save(self, step: int, objective: TranslationObjective, dist: DistributedContext) -> None:
        self._checkpoint_requested.clear()
        path = self.run_folder.checkpoint_path(step)
        save_checkpoint(path, step, objective.modules, objective.optimizers,
                        extra={"kind": KIND, "model": self.run_folder.config.model.name})
        self.run_folder.prune_checkpoints(self.run_folder.config.train.keep_checkpoints)
        self.on_event(CheckpointSaved(step, path))


def check_translation_checkpoint(sidecar: dict, path, model: str) -> None:
    """Refuse in one sentence a checkpoint that is not a translation checkpoint of ``model``."""
    if sidecar.get("kind") != KIND:
        raise StudioError(f"The checkpoint '{getattr(path, 'name', path)}' is not a style-transfer checkpoint "
                          "(it comes from a generation run).")
    if sidecar.get("model") != model:
        raise StudioError(f"The checkpoint '{getattr(path, 'name', path)}' holds a {sidecar.get('model')!s:.20} translator, "
                          f"not the run's {model}.")
