"""The run folder, the unit of persistence: config, metrics log, checkpoints and sample grids.

No torch here, so the GUI can list and read runs without waiting for it.

    <run>/run.json                      config, dataset summary, versions
    <run>/held_out.json                 which real images training never sees (the test split)
    <run>/metrics.jsonl                 one JSON object per logged step, append-only
    <run>/checkpoints/step-000500.safetensors (+ .json sidecar)
    <run>/samples/step-000500.png       fixed-noise grid at that step
"""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
import re
import time
from dataclasses import replace
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np

from studio import __version__
from studio.core.files import remove_leftovers, unused_path, write_text_atomic
from studio.core.config import DEMO_SOURCE, MAX_STEPS, ConfigProblem, DataConfig, RunConfig, bound_problems
from studio.core.data.held_out import HeldOut, split_fingerprint
from studio.core.data_source import DataSourceNotApproved, approved, resolve, seal
from studio.core.errors import StudioError
from studio.core.imaging import read_run_grid, save_png
from studio.core.run_lock import holder
from studio.core.validation import METRICS_LIMIT, Fields, check_size, damaged, is_number, read_json

RUN_FILE = "run.json"
DATASET_REPORT_FILE = "dataset_report.json"
HELD_OUT_FILE = "held_out.json"
METRICS_FILE = "metrics.jsonl"
_STEP_FILE = re.compile(r"step-(\d+)\.(safetensors|json|png)$")


class Run:
    def __init__(self, path: Path, info: dict):
        self.path = Path(path)
        self.info = info
        self.config = RunConfig.from_dict(info["config"])
        self.skipped_metric_lines = 0  # damaged lines of metrics.jsonl passed over by the last read_metrics()
        self._chosen_source: str | None = None

    @classmethod
    def create(cls, root: Path, config: RunConfig, dataset_summary: dict, name: str | None = None,
               held_out: HeldOut | None = None, seal_data: bool = True) -> Run:
        """Make a new, uniquely named run folder under ``root`` and record what it will train.

        The summary's validation ``report`` (every class count, skipped file, duplicate) goes to its
        own ``dataset_report.json``; ``run.json`` keeps the short summary. ``held_out`` is the test
        split training leaves alone (see :func:`studio.core.training.jobs.new_run`); without it the
        run trains on every image, as runs made before the split existed do. ``seal_data`` False: the
        analyst did not choose the dataset here (a received sweep's trials), so the run gets no seal.
        """
        base = name or time.strftime("%Y%m%d-%H%M%S") + f"-{_slug(Path(config.data.source).name)}"
        path = unused_path(root, base)
        info = {
            "name": path.name,
            "created_at": time.time(),
            "config": config.to_dict(),
            "dataset": {key: value for key, value in dataset_summary.items() if key != "report"},
            "versions": {"studio": __version__, "torch": package_version("torch"), "python": platform.python_version()},
        }
        if config.data.source != DEMO_SOURCE and seal_data:
            info["data_seal"] = seal(config.data.source)
        if held_out is not None:
            write_text_atomic(path / HELD_OUT_FILE, json.dumps(held_out.to_dict()))
        if dataset_summary.get("report"):
            write_text_atomic(path / DATASET_REPORT_FILE, json.dumps(dataset_summary["report"], indent=2))
        write_text_atomic(path / RUN_FILE, json.dumps(info, indent=2))
        return cls(path, info)

    @classmethod
    def open(cls, path: Path) -> Run:
        path = Path(path)
        try:
            info = read_json(path / RUN_FILE)
        except FileNotFoundError:
            raise StudioError(f"'{path}' is not a GAN Studio run: it has no {RUN_FILE}.") from None
        if not isinstance(info, dict) or "config" not in info:
            raise StudioError(f"The {RUN_FILE} in '{path}' is not a GAN Studio run description.")
        if info.get("kind") == "translation":
            raise StudioError(f"'{path}' is a style-transfer run: translate with it ('translate --run') or open it in the Translate tab.")
        run = cls(path, _checked_info(info, path / RUN_FILE))
        run.remove_crash_leftovers()
        return run

    @property
    def name(self) -> str:
        return self.path.name

    def remove_crash_leftovers(self) -> None:
        """Remove temporary files and export staging folders that a crash left in the run and its sub-folders.

        Skipped while a process trains the run: its writes in progress look just the same.
        """
        if holder(self.path) is not None:
            return
        folders = [self.path]
        try:
            folders += [entry for entry in self.path.iterdir()
                        if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".")]
        except OSError:
            return
        for folder in folders:
            remove_leftovers(folder)

    def save_config(self, config: RunConfig) -> None:
        """Record a changed config (e.g. more steps before a resume); a dataset the analyst chose gets this studio's seal."""
        self.info["config"] = config.to_dict()
        if self._chosen_source is not None and config.data.source == self._chosen_source:
            self.info["data_seal"] = seal(config.data.source)
        self.config = config
        write_text_atomic(self.path / RUN_FILE, json.dumps(self.info, indent=2))

    def record_compute(self, step: int, plan: dict) -> None:
        """Note how training computes from ``step`` on (precision, layout, optimizer kernel, threads):
        ``compute`` is the latest plan, ``compute_history`` every plan with the step it began at."""
        history = self.info.get("compute_history")
        self.info["compute"] = plan
        self.info["compute_history"] = [*(history if isinstance(history, list) else []), {"from_step": step, **plan}][-100:]
        write_text_atomic(self.path / RUN_FILE, json.dumps(self.info, indent=2))

    def held_out(self) -> HeldOut | None:
        """The run's test split, or None for a run made before the studio kept one."""
        path = self.path / HELD_OUT_FILE
        try:
            raw = read_json(path)
        except FileNotFoundError:
            return None
        return HeldOut.from_dict(raw, f"'{path}'")

    def held_out_note(self) -> str:
        """One sentence on the run's test split, for the report and the panels."""
        try:
            held = self.held_out()
        except StudioError as error:
            return str(error)
        if held is None:
            return "This run was made before the studio kept test images apart, so it trained on every image."
        return held.describe()

    def split(self, dataset: Any) -> tuple[Any, Any | None]:
        """``dataset`` as (the images training may see, the held-out test images or None).

        Refused in one sentence when the dataset no longer matches the one the split was made on.
        """
        held = self.held_out()
        if held is None:
            return dataset, None
        if split_fingerprint(dataset.class_names, dataset.labels.tolist()) != held.fingerprint:
            raise StudioError(f"The dataset has changed since the run '{self.name}' was made (images added or removed, "
                              "classes renamed), so its held-out test images can no longer be told apart; train a new run on it.")
        held.check_against(dataset.class_names, np.asarray(dataset.labels), f"'{self.path / HELD_OUT_FILE}'")
        training = np.ones(held.total, dtype=bool)
        training[held.indices] = False
        return dataset.subset(np.flatnonzero(training)), dataset.subset(held.indices)

    def continue_to(self, steps: int | None) -> None:
        """Before resuming: make ``steps`` the run's step total (None keeps its own), then refuse in one
        sentence when nothing would be left to train."""
        if steps is not None and steps != self.config.train.steps:
            config = RunConfig.from_dict(self.config.to_dict())
            config.train.steps = steps
            problem = bound_problems(config).get("train.steps") or continue_problem(self.last_step(), steps)
            if problem:
                raise StudioError(problem)
            self.save_config(config)
        problem = continue_problem(self.last_step(), self.config.train.steps)
        if problem:
            raise StudioError(problem)

    def data_config(self) -> DataConfig:
        """The dataset settings to load, the source resolved against the run folder.

        Raises :class:`DataSourceNotApproved` when the source lies outside the run and was not
        recorded by this studio (the rules are in :mod:`studio.core.data_source`); the analyst
        answers it through :meth:`use_data_source`.
        """
        source = self.config.data.source
        if source != self._chosen_source and not approved(self.path, source, self.info.get("data_seal", "")):
            raise DataSourceNotApproved(self.path, source)
        return replace(self.config.data, source=resolve(self.path, source))

    def use_data_source(self, source: str, remember: bool = False) -> None:
        """Read this run's dataset from ``source``, which the analyst named or approved.

        With ``remember`` the choice is sealed into ``run.json`` so the run opens without asking
        again; otherwise it holds for this object (and is sealed if the run's config is saved).
        """
        self._chosen_source = source
        config = replace(self.config, data=replace(self.config.data, source=source))
        if remember:
            self.save_config(config)
        else:
            self.config = config

    def append_metrics(self, records: list[dict]) -> None:
        with open(self.path / METRICS_FILE, "a", encoding="utf-8") as handle:
            handle.writelines(json.dumps(record) + "\n" for record in records)

    def read_metrics(self) -> list[dict]:
        """Every well-formed record; damaged lines (one cut short by a crash, or edited) are skipped and counted.

        A file larger than the metrics limit (see :mod:`studio.core.validation`) is refused in one sentence.
        """
        path = self.path / METRICS_FILE
        try:
            check_size(path, METRICS_LIMIT)
            lines = path.read_bytes().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StudioError(f"'{path}' could not be read ({error.strerror}).") from None
        records = [_metric_record(line) for line in lines if line.strip()]
        self.skipped_metric_lines = sum(record is None for record in records)
        return [record for record in records if record is not None]

    def truncate_metrics(self, last_step: int) -> None:
        """Drop records after ``last_step``: a resumed run logs those steps again."""
        kept = [record for record in self.read_metrics() if record["step"] <= last_step]
        write_text_atomic(self.path / METRICS_FILE, "".join(json.dumps(record) + "\n" for record in kept))

    @property
    def checkpoint_dir(self) -> Path:
        return self.path / "checkpoints"

    @property
    def samples_dir(self) -> Path:
        return self.path / "samples"

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoint_dir / f"step-{step:06d}.safetensors"

    def checkpoints(self) -> list[tuple[int, Path]]:
        """Complete checkpoints (weights and sidecar both present), oldest first."""
        return [(step, path) for step, path in _step_files(self.checkpoint_dir, "safetensors") if sidecar_path(path).exists()]

    def latest_checkpoint(self) -> Path | None:
        found = self.checkpoints()
        return found[-1][1] if found else None

    def last_step(self) -> int:
        found = self.checkpoints()
        return found[-1][0] if found else 0

    def prune_checkpoints(self, keep: int) -> None:
        """Keep the newest ``keep`` checkpoints, and drop halves of checkpoints older than the newest.

        Weights go before their sidecar: a kill in between leaves a sidecar alone, which never counts
        as a checkpoint and goes at the next prune, rather than weights that nothing would clean up.
        Halves can only be leftovers (one writer per run; a save writes its sidecar last).
        """
        complete = self.checkpoints()
        for _, path in complete[:-keep] if keep > 0 else []:
            path.unlink(missing_ok=True)
            sidecar_path(path).unlink(missing_ok=True)
        if not complete:
            return
        newest = complete[-1][0]
        for step, path in _step_files(self.checkpoint_dir, "safetensors"):
            if step < newest and not sidecar_path(path).exists():
                path.unlink(missing_ok=True)
        for step, path in _step_files(self.checkpoint_dir, "json"):
            if step < newest and not path.with_suffix(".safetensors").exists():
                path.unlink(missing_ok=True)

    def save_samples(self, step: int, grid: np.ndarray) -> Path:
        path = self.samples_dir / f"step-{step:06d}.png"
        save_png(grid, path)
        return path

    def samples(self) -> list[tuple[int, Path]]:
        return _step_files(self.samples_dir, "png")

    def latest_samples(self) -> Path | None:
        found = self.samples()
        return found[-1][1] if found else None

    def read_grid(self, path: Path) -> np.ndarray:
        """A picture the studio saved in this run (a sample grid, closest pairs), checked before it is decoded."""
        return read_run_grid(path, self.config.data.resolution, self.path)


def sidecar_path(checkpoint: Path) -> Path:
    """The JSON description that belongs to a ``.safetensors`` checkpoint."""
    return Path(checkpoint).with_suffix(".json")


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _step_files(folder: Path, extension: str) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _STEP_FILE.match(path.name)
        if match and match.group(2) == extension:
            found.append((int(match.group(1)), path))
    return sorted(found)


def checked_run_file(info: dict, file: Path, config_type: Any, bounds: Callable[[Any], dict[str, str]]) -> Fields:
    """The parts every kind of ``run.json`` shares, checked: its config (``config_type``) against its
    ``bounds`` and the library versions; returns the fields for the kind's own checks."""
    try:
        config = config_type.from_dict(info["config"])
    except ConfigProblem as problem:
        raise damaged(file, "config" if problem.field == "config" else f"config.{problem.field}", str(problem)) from None
    problems = bounds(config)
    if problems:
        field, sentence = next(iter(problems.items()))
        raise damaged(file, f"config.{field}", sentence)
    fields = Fields(info, file)
    versions = fields.fields("versions", {})
    for name in versions.raw:
        versions.text(name, max_length=200)
    return fields


def _checked_info(info: dict, file: Path) -> dict:
    """``run.json`` checked field by field: the config against its bounds, the summaries the report prints."""
    fields = checked_run_file(info, file, RunConfig, bound_problems)
    fields.text("data_seal", default="", max_length=64)
    dataset = fields.fields("dataset", {})
    dataset.text("source", default="")
    dataset.integer("images", 0, 10**12, default=0)
    dataset.integer("skipped", 0, 10**12, default=0)
    classes = dataset.fields("classes", {})
    for name in classes.raw:
        classes.integer(name, 0, 10**12)
    return info


_TEXT_METRICS = ("kind", "features", "feature_label")
_REQUIRED_METRICS = {"eval": ("fd", "feature_label", "n_fake"), "loss": ("g_loss", "d_loss", "d_real", "d_fake")}


def _metric_record(line: str) -> dict | None:
    """One line of ``metrics.jsonl`` as a record, or None when it is damaged.

    A record is an object with a whole-number ``step``; its values are numbers (NaN and infinities
    included: a loss can diverge) except a few short texts; loss and evaluation records have their keys.
    """
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("kind", "loss") not in ("eval", "loss"):
        return None
    step = record.get("step")
    if not (isinstance(step, int) and not isinstance(step, bool) and 0 <= step <= MAX_STEPS):
        return None
    for key, value in record.items():
        if not (isinstance(value, str) and len(value) <= 200 if key in _TEXT_METRICS else is_number(value)):
            return None
    if any(key not in record for key in _REQUIRED_METRICS[record.get("kind", "loss")]):
        return None
    return record


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "run"


def newest_run(root: Path) -> Path | None:
    """The most recently changed run folder under ``root``, or None when there is none."""
    runs = sorted(Path(root).glob(f"*/{RUN_FILE}"), key=lambda path: path.stat().st_mtime)
    return runs[-1].parent if runs else None


def continue_problem(last_step: int, steps: int) -> str:
    """Why a run at ``last_step`` cannot train on to ``steps`` in total ('' when it can)."""
    if steps > last_step:
        return ""
    return f"This run is already at step {last_step:,}; set a step total above it to continue training."
