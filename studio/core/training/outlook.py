"""How long until the sample grid shows recognisable images, for these settings on this machine.

A short measured warm-up (a few training steps of the chosen model, resolution and batch size on
the chosen device, with random pixels) gives the seconds per step. How many training images a model
needs to see before its samples are recognisable was measured with the quality benchmark
(``tests/benchmarks/bench_quality.py``) on the demo set, the harder of its two datasets: the point
where a person tells the four shapes apart in the grid and the scoring classifier is on average
90% sure of them (the handwritten digits got there in half as many). Their product is the
estimate; a dataset harder than the demo shapes needs longer, an easier one less.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from studio.core.config import RunConfig
from studio.core.tasks import TaskState, quiet

# Training images seen before the samples were recognisable on the demo set with the defaults (see the docstring).
RECOGNISABLE_IMAGES = {"dcgan": 75_000}
# Evaluations are spaced to cost under a tenth of training time; sample grids and checkpoints add little.
OVERHEAD = 1.1
_WARM_STEPS, _MIN_TIMED_STEPS, _MIN_TIMED_SECONDS = 2, 3, 1.0


@dataclass(frozen=True)
class Outlook:
    step_seconds: float  # measured
    steps_needed: int | None  # None for a model without a measured figure

    @property
    def seconds(self) -> float | None:
        return None if self.steps_needed is None else self.steps_needed * self.step_seconds * OVERHEAD

    def describe(self) -> str:
        speed = f"{1 / self.step_seconds:.1f} steps/s measured here"
        if self.seconds is None:
            return f"{speed}; no estimate of the time to a recognisable grid for this model."
        return f"First recognisable grid in about {_rounded(self.seconds)} on this machine ({speed}; demo-like data)."


def steps_to_recognisable(config: RunConfig) -> int | None:
    images = RECOGNISABLE_IMAGES.get(config.model.name)
    return None if images is None else max(1, round(images / config.train.batch_size))


def measure_outlook(config: RunConfig, num_classes: int, task: TaskState | None = None) -> Outlook:
    """Time a few training steps of ``config`` (on random images) and combine them with the measured step count."""
    import torch

    from studio.core.training.compute import plan_compute
    from studio.core.training.devices import resolve_device, synchronize
    from studio.core.training.objectives import build_objective

    task = task or quiet()
    train, size = config.train, config.data.resolution
    device = resolve_device(train.device)
    plan = plan_compute(train, device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        objective = build_objective(config, num_classes, device, plan=plan)
        real = (torch.rand(train.batch_size, 3, size, size) * 2 - 1).to(device)
        labels = (torch.arange(train.batch_size) % num_classes).to(device) if objective.generator.num_classes else None
        noise = torch.randn(train.batch_size, config.model.latent_dim).to(device)
    if plan.channels_last:
        real = real.contiguous(memory_format=torch.channels_last)
    timed, began = 0, 0.0
    for step in range(1, 1000):
        task.check("Measuring the training speed")
        if step == _WARM_STEPS + 1:
            began = time.perf_counter()
        objective.step(real, labels, noise, step, torch.Generator().manual_seed(step))
        synchronize(device)
        if step > _WARM_STEPS:
            timed += 1
            if timed >= _MIN_TIMED_STEPS and time.perf_counter() - began >= _MIN_TIMED_SECONDS:
                break
    return Outlook((time.perf_counter() - began) / timed, steps_to_recognisable(config))


def _rounded(seconds: float) -> str:
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
