"""A translation run folder: the generation run folder (metrics, checkpoints, sample rows, the lock, the
held-out split, crash clean-up) with a translation config and two recorded image sets.

``run.json`` says ``"kind": "translation"``; every file is read through the validation gate.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from studio import __version__
from studio.core.config import DataConfig
from studio.core.data.held_out import HeldOut
from studio.core.data_source import DataSourceNotApproved, approved, resolve, seal
from studio.core.errors import StudioError
from studio.core.files import unused_path, write_text_atomic
from studio.core.runs import HELD_OUT_FILE, RUN_FILE, Run, package_version, checked_run_file, continue_problem
from studio.core.translation.config import KIND, TranslationConfig, bound_problems
from studio.core.validation import read_json

SETS = ("source", "target")


def run_kind(path: Path) -> str:
    """The ``kind`` a run folder's ``run.json`` records ("" for a generation run or no run at all)."""
    try:
        info = read_json(Path(path) / RUN_FILE)
    except (FileNotFoundError, StudioError):
        return ""
    return info.get("kind", "") if isinstance(info, dict) and isinstance(info.get("kind", ""), str) else ""


class TranslationRun(Run):
    def __init__(self, path: Path, info: dict):
        self.path = Path(path)
        self.info = info
        self.config = TranslationConfig.from_dict(info["config"])
        self.skipped_metric_lines = 0
        self._chosen_source = None

    @classmethod
    def create(cls, root: Path, config: TranslationConfig, summaries: dict[str, dict], name: str | None = None,
               held_out: HeldOut | None = None) -> TranslationRun:
        """A new run folder under ``root`` recording the config, both sets' summaries and the held-out source images."""
        base = name or time.strftime("%Y%m%d-%H%M%S") + "-translation"
        path = unused_path(root, base)
        info = {
            "name": path.name,
            "kind": KIND,
            "created_at": time.time(),
            "config": config.to_dict(),
            "datasets": {which: {key: value for key, value in summaries[which].items() if key != "report"} for which in SETS},
            "data_seals": {which: seal(getattr(config.data, which)) for which in SETS},
            "versions": {"studio": __version__, "torch": package_version("torch"), "python": platform.python_version()},
        }
        if held_out is not None:
            write_text_atomic(path / HELD_OUT_FILE, json.dumps(held_out.to_dict()))
        write_text_atomic(path / RUN_FILE, json.dumps(info, indent=2))
        return cls(path, info)

    @classmethod
    def open(cls, path: Path) -> TranslationRun:
        path = Path(path)
        try:
            info = read_json(path / RUN_FILE)
        except FileNotFoundError:
            raise StudioError(f"'{path}' is not a GAN Studio run: it has no {RUN_FILE}.") from None
        if not isinstance(info, dict) or info.get("kind") != KIND or "config" not in info:
            raise StudioError(f"'{path}' is not a style-transfer (translation) run.")
        run = cls(path, _checked_info(info, path / RUN_FILE))
        run.remove_crash_leftovers()
        return run

    def save_config(self, config: TranslationConfig) -> None:
        self.info["config"] = config.to_dict()
        self.config = config
        write_text_atomic(self.path / RUN_FILE, json.dumps(self.info, indent=2))

    def continue_to(self, steps: int | None) -> None:
        """Before resuming: make ``steps`` the step total (None keeps the run's), refused when nothing is left."""
        if steps is not None and steps != self.config.train.steps:
            config = self.config.copy()
            config.train.steps = steps
            problem = bound_problems(config).get("train.steps") or continue_problem(self.last_step(), steps)
            if problem:
                raise StudioError(problem)
            self.save_config(config)
        problem = continue_problem(self.last_step(), self.config.train.steps)
        if problem:
            raise StudioError(problem)

    def set_config(self, which: str) -> DataConfig:
        """The loader settings of the ``"source"`` or ``"target"`` set, its path resolved against the run;
        a set outside the run that this studio did not record raises :class:`DataSourceNotApproved`."""
        config = self.config.data.set_config(which)
        if not approved(self.path, config.source, self.info.get("data_seals", {}).get(which, "")):
            raise DataSourceNotApproved(self.path, config.source)
        config.source = resolve(self.path, config.source)
        return config


def _checked_info(info: dict, file: Path) -> dict:
    """``run.json`` checked field by field: the config against its bounds, the seals and summaries."""
    fields = checked_run_file(info, file, TranslationConfig, bound_problems)
    seals = fields.fields("data_seals", {})
    for which in SETS:
        seals.text(which, default="", max_length=64)
    datasets = fields.fields("datasets", {})
    for which in SETS:
        summary = datasets.fields(which, {})
        summary.text("source", default="")
        summary.integer("images", 0, 10**12, default=0)
        summary.integer("skipped", 0, 10**12, default=0)
    return info
