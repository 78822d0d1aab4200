"""A sweep's jobs as plain functions for the GUI and the CLI: plan, create and open a sweep, load its
dataset, check a resume's dataset options, widen its budget, and read what it found.

Running is :class:`studio.core.sweep.runner.SweepRunner` itself (``run()`` on a worker thread,
``pause()``/``resume()``/``stop()`` from any thread). Changes to an existing sweep (its budget, device,
dataset) are made on a :class:`SweepSpec` in memory and handed to the runner, which writes them only
once it holds the sweep's lock and its study has opened: a refused continuation changes nothing.
Torch is imported only by the functions that load data or train.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from studio.core.config import DataConfig, RunConfig
from studio.core.errors import StudioError
from studio.core.files import occupied
from studio.core.sweep.results import SweepResults, read_results
from studio.core.sweep.spec import TRIALS_DIR, SweepSpec, read_spec, write_spec
from studio.core.tasks import TaskState


def plan_sweep(data: DataConfig, dataset: Any, base: RunConfig | None = None, **settings: Any) -> SweepSpec:
    """A sweep of ``dataset`` (loaded with ``data``); ``settings`` are any other :class:`SweepSpec` fields
    (``space``, ``trials``, ``timeout_min``, ``steps``, ``eval_every``, ``eval_samples``, ``features``,
    ``device``, ``seed``). ``features`` 'auto' (or absent) measures FD in the classifier feature space
    when the data has two or more classes (trained once per sweep), else in the random one."""
    base = RunConfig.from_dict((base or RunConfig()).to_dict())
    base.data = replace(data)
    if settings.get("features") in (None, "auto"):
        settings["features"] = "classifier" if len(dataset.class_names) >= 2 else "random"
    spec = SweepSpec(data=replace(data), base=base, **settings)
    spec.check()
    return spec


def create_sweep(folder: Path, spec: SweepSpec) -> SweepSpec:
    """Write a new sweep folder; refused when ``folder`` already holds something."""
    folder = Path(folder)
    if occupied(folder):
        raise StudioError(f"'{folder}' already exists; choose a new folder for the sweep, or continue that one.")
    spec.check()
    spec.use_data_source(spec.data.source)  # chosen here: sealed
    write_spec(folder, spec)
    (folder / TRIALS_DIR).mkdir(exist_ok=True)
    return spec


def open_sweep(folder: Path) -> SweepSpec:
    """The sweep in ``folder`` (its ``sweep.json`` checked field by field)."""
    return read_spec(folder)


def load_sweep_dataset(folder: Path, spec: SweepSpec, task: TaskState | None = None) -> Any:
    """The sweep's dataset, loaded with its recorded options; refused (:class:`DataSourceNotApproved`)
    when it lies outside the sweep folder and was not chosen on this machine."""
    from studio.core.data import load_dataset

    return load_dataset(spec.data_config(folder), task or TaskState())


def check_same_data(spec: SweepSpec, data: DataConfig, given: set[str] | None = None) -> None:
    """Refuse in one sentence when ``data`` differs from the sweep's dataset options; with ``given``
    only those option names are compared (the ones a person actually set)."""
    for spec_field in fields(DataConfig):
        name = spec_field.name
        if given is not None and name not in given:
            continue
        ours, theirs = getattr(spec.data, name), getattr(data, name)
        if ours != theirs:
            label = spec_field.metadata["label"]
            raise StudioError(f"This sweep was made with {label.lower()} {ours!r}, not {theirs!r}; its trials must all "
                              "train on the same data, so start a new sweep for other dataset options.")


def widen_budget(spec: SweepSpec, trials: int | None = None, timeout_min: float | None = None,
                 device: str | None = None) -> SweepSpec:
    """The sweep with another trial count, time limit or device (more trials add trials), checked; the
    runner writes it (see the module's note)."""
    spec = replace(spec, data=replace(spec.data))
    if trials is not None:
        spec.trials = trials
    if timeout_min is not None:
        spec.timeout_min = timeout_min
    if device is not None:
        spec.device = device
    spec.check()
    return spec


def ready_to_run(folder: Path, plan: SweepSpec | None, trials: int, timeout_min: float,
                 device: str) -> tuple[SweepSpec, SweepSpec | None]:
    """What Start needs before the runner starts: the new sweep ``plan`` written into ``folder``, or, with
    no plan, the open sweep with its budget and device changed. Returns (the spec to run, the changes the
    runner writes once it holds the sweep, None for a new sweep), so a refused start changes nothing."""
    if plan is not None:
        return create_sweep(folder, plan), None
    changed = widen_budget(open_sweep(folder), trials, timeout_min, device)
    return changed, changed


def sweep_results(folder: Path, importances: bool = True) -> SweepResults:
    """Everything the sweep has found so far (see :mod:`studio.core.sweep.results`)."""
    return read_results(folder, importances)
