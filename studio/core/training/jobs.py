"""The training panel's background jobs as plain functions: name the compute device, and open or
create the run a Train click trains.

Torch-using modules are imported inside the functions, so the GUI can import this module before
torch is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.config import RunConfig


def describe_device_named(name: str, precision: str = "auto") -> str:
    """What the device setting ``name`` ('auto', 'cpu', 'cuda', 'mps') resolves to and how it would compute
    at ``precision``, e.g. 'CPU (8 threads) · fp32 (the CPU has no native bf16)'."""
    from studio.core.config import TrainConfig
    from studio.core.training.compute import plan_compute
    from studio.core.training.devices import describe_device, resolve_device

    device = resolve_device(name)
    return f"{describe_device(device)} · {plan_compute(TrainConfig(precision=precision), device).describe()}"


def new_run(root: Path, config: RunConfig, dataset: Any, name: str | None = None, seal_data: bool = True) -> Any:
    """A new run folder under ``root`` for ``dataset``, keeping ``config.data.held_out`` of every class
    apart as its test split; ``seal_data`` as in :meth:`Run.create`."""
    from studio.core.data.held_out import choose_held_out
    from studio.core.runs import Run

    held_out = choose_held_out(dataset.class_names, dataset.labels.numpy(), config.data.held_out)
    return Run.create(root, config, dataset.summary(), name=name, held_out=held_out, seal_data=seal_data)


def run_to_train(config: RunConfig, dataset: Any, resume_path: Path | None) -> Any:
    """The run to train: the one at ``resume_path`` continued to ``config``'s step total, or a new
    run in the studio's runs folder."""
    from studio.core.paths import runs_dir
    from studio.core.run_lock import refuse_if_training
    from studio.core.runs import Run

    if resume_path is None:
        return new_run(runs_dir(), config, dataset)
    run = Run.open(resume_path)
    refuse_if_training(run.path)
    run.continue_to(config.train.steps)
    return run
