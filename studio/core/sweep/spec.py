"""``sweep.json``: what a sweep searches, its budget, its dataset, device and base config.

Written atomically; read from a possibly foreign folder with every field checked, so a damaged or
edited file is one sentence naming the field and never runs code.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.config import DEMO_SOURCE, DataConfig, RunConfig, TrainConfig, bound_problems
from studio.core.errors import StudioError
from studio.core.files import write_text_atomic
from studio.core.sweep.space import Parameter, apply, default_space, space_from_list
from studio.core.validation import Fields, check_inside, damaged, read_json

FORMAT = "gan-studio-sweep/1"
SPEC_FILE = "sweep.json"
TRIALS_DIR = "trials"
FEATURES = ("random", "classifier")
MAX_TRIALS = 100_000
MAX_MINUTES = 60 * 24 * 365


@dataclass
class SweepSpec:
    """A sweep's settings. ``trials`` 0 means no trial limit and ``timeout_min`` 0 no time limit (one of
    them must be set); every trial trains ``steps`` steps, measuring FD every ``eval_every`` steps on
    ``eval_samples`` images in the ``features`` space (the classifier one for labelled data)."""

    data: DataConfig = field(default_factory=DataConfig)
    space: list[Parameter] = field(default_factory=default_space)
    trials: int = 20
    timeout_min: float = 0.0
    steps: int = 2000
    eval_every: int = 250
    eval_samples: int = 256
    features: str = "random"
    device: str = "auto"
    seed: int = 0
    base: RunConfig = field(default_factory=RunConfig)
    study_name: str = field(default_factory=lambda: "sweep-" + secrets.token_hex(6))
    created_at: float = field(default_factory=time.time)
    data_seal: str = ""  # this studio's seal of the dataset's source (see studio.core.data_source)

    def check(self) -> None:
        """One sentence for the first setting that cannot work."""
        if self.trials < 0 or self.trials > MAX_TRIALS:
            raise StudioError(f"The number of trials must be from 0 to {MAX_TRIALS:,}, not {self.trials}.")
        if not 0 <= self.timeout_min <= MAX_MINUTES:
            raise StudioError(f"The time limit must be from 0 to {MAX_MINUTES:,} minutes, not {self.timeout_min:g}.")
        if self.trials == 0 and self.timeout_min == 0:
            raise StudioError("A sweep needs a number of trials, a time limit, or both.")
        if self.eval_every < 1:
            raise StudioError(f"The steps between FD measurements must be at least 1, not {self.eval_every}.")
        if self.steps < self.eval_every:
            raise StudioError(f"Each trial must train at least {self.eval_every} steps (one FD measurement), not {self.steps}.")
        if self.features not in FEATURES:
            raise StudioError(f"The feature space must be random or classifier, not '{self.features}'.")
        for parameter in self.space:
            parameter.check()
        problems = bound_problems(self.trial_config({}))
        if problems:
            raise StudioError(next(iter(problems.values())))

    def trial_config(self, params: dict[str, Any]) -> RunConfig:
        """The configuration of a trial with ``params``: the base with the space's fixed values and the
        params set, the sweep's dataset, device, steps and measurement, and a checkpoint at every
        measurement so a stopped trial continues from there."""
        config = apply(self.base, self.space, params)
        config.data = DataConfig(**vars(self.data))
        train = config.train
        train.steps, train.device = self.steps, self.device
        train.eval_every, train.eval_samples, train.eval_features = self.eval_every, self.eval_samples, self.features
        train.early_stop_patience = 0
        train.checkpoint_every, train.keep_checkpoints = self.eval_every, 1
        train.sample_every = max(self.eval_every, min(train.sample_every, self.steps))
        return config

    def data_config(self, folder: Path) -> DataConfig:
        """The dataset options to load, the source resolved against the sweep ``folder``; raises
        :class:`DataSourceNotApproved` for a source from elsewhere, by the rules a run folder follows
        (:mod:`studio.core.data_source`): the analyst then names or approves one (:meth:`use_data_source`)."""
        from studio.core.data_source import DataSourceNotApproved, approved, resolve

        if not approved(folder, self.data.source, self.data_seal):
            raise DataSourceNotApproved(folder, self.data.source, kind="sweep")
        return DataConfig(**{**vars(self.data), "source": resolve(folder, self.data.source)})

    def use_data_source(self, source: str) -> None:
        """Read the dataset from ``source``, which the analyst named or approved: sealed as chosen here."""
        from studio.core.data_source import seal

        self.data.source = source
        self.data_seal = seal(source) if source != DEMO_SOURCE else ""

    def data_chosen_here(self) -> bool:
        """Whether the analyst chose this dataset on this machine (so trials may carry the seal too)."""
        from studio.core.data_source import sealed_here

        return self.data.source == DEMO_SOURCE or sealed_here(self.data.source, self.data_seal)

    def pruner_warmup(self) -> int:
        """Steps before a trial may be pruned: about a third of them, at a measurement."""
        return max(self.eval_every, (self.steps // 3) // self.eval_every * self.eval_every)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT, "study_name": self.study_name, "created_at": self.created_at,
            "space": [p.to_dict() for p in self.space],
            "budget": {"trials": self.trials, "timeout_min": self.timeout_min, "steps": self.steps},
            "measure": {"eval_every": self.eval_every, "eval_samples": self.eval_samples, "features": self.features},
            "data": vars(self.data).copy(), "data_seal": self.data_seal, "device": self.device, "seed": self.seed,
            "base": self.base.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: Any, path: Path) -> SweepSpec:
        top = Fields(raw, path)
        if top.value("format") != FORMAT:
            raise damaged(path, "format", f"expected '{FORMAT}', so this is not a GAN Studio sweep (or one from a newer studio).")
        budget, measure = top.fields("budget"), top.fields("measure")
        try:
            space = space_from_list(top.value("space"))
            data = RunConfig.from_dict({"data": top.value("data")}).data
            base = RunConfig.from_dict(top.value("base"))
        except StudioError as error:
            raise StudioError(f"'{path}' is damaged: {error}") from None
        steps_max = TrainConfig.__dataclass_fields__["steps"].metadata["max"]
        spec = cls(
            data=data, space=space, base=base,
            trials=budget.integer("trials", 0, MAX_TRIALS),
            timeout_min=budget.number("timeout_min", 0, MAX_MINUTES),
            steps=budget.integer("steps", 1, steps_max),
            eval_every=measure.integer("eval_every", 1, 1_000_000),
            eval_samples=measure.integer("eval_samples", 16, 50_000),
            features=measure.text("features", choices=FEATURES),
            device=top.text("device", choices=("auto", "cpu", "cuda", "mps")),
            seed=top.integer("seed", 0, 2**31 - 1),
            study_name=top.text("study_name", max_length=100),
            created_at=top.number("created_at", 0, 1e11),
            data_seal=top.text("data_seal", default="", max_length=64),
        )
        try:
            spec.check()
        except StudioError as error:
            raise StudioError(f"'{path}' is damaged: {error}") from None
        return spec


def write_spec(folder: Path, spec: SweepSpec) -> None:
    write_text_atomic(Path(folder) / SPEC_FILE, json.dumps(spec.to_dict(), indent=2))


def read_spec(folder: Path) -> SweepSpec:
    """The sweep in ``folder``; one sentence when it is not a sweep or its ``sweep.json`` is damaged."""
    path = Path(folder) / SPEC_FILE
    try:
        check_inside(path, folder)
        raw = read_json(path)
    except FileNotFoundError:
        raise StudioError(f"'{folder}' is not a GAN Studio sweep: it has no {SPEC_FILE}.") from None
    return SweepSpec.from_dict(raw, path)


def is_sweep(folder: Path) -> bool:
    return (Path(folder) / SPEC_FILE).is_file()
