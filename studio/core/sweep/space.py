"""The search space of a sweep: which training options Optuna varies, and over which values.

Every :class:`Parameter` names a real option of :class:`~studio.core.config.RunConfig`. An enabled
parameter is searched; a disabled one is fixed, at its ``value`` when set, else at the base
config's value. Values are checked against the option's own bounds, so a sweep can never train
with a setting the Train form would refuse.

The R1 penalty is searched on a log scale from 0.01 to 10; a sweep without it switches the
parameter off (the base config's value, 0 by default, is then used).

``--param`` text (the CLI, and anything that takes typed text):

    lr_g=1e-5:1e-3:log   a range, on a log scale
    beta1=0:0.9          a range
    batch_size=16,32,64  a choice
    loss=hinge           a single value: fixed at it
    r1_gamma=off         switched off (the base config's value)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from studio.core.config import ADVERSARIAL, MODEL_KINDS, RunConfig, _bound_problem
from studio.core.errors import StudioError
from studio.core.validation import shown

FLOAT, INT, CHOICE = "float", "int", "choice"
KINDS = (FLOAT, INT, CHOICE)

# Which config section each searchable option lives in (``model`` is ModelConfig.name).
SECTION = {
    "lr_g": "train", "lr_d": "train", "beta1": "train", "beta2": "train", "batch_size": "train",
    "g_width": "model", "d_width": "model", "latent_dim": "model", "model": "model", "loss": "train",
    "r1_gamma": "train", "ema_decay": "train", "diffaugment": "train", "precision": "train",
}
_FIELD = {"model": "name"}
GAN_MODELS = tuple(name for name, kind in MODEL_KINDS.items() if kind == ADVERSARIAL)


@dataclass
class Parameter:
    """One searchable option: a float or int range (``log`` for a log scale) or a list of ``choices``."""

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()
    enabled: bool = True
    value: Any = None  # when disabled: the fixed value (None: the base config's)

    def distribution(self) -> Any:
        """The Optuna distribution Optuna samples this parameter from."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.kind == CHOICE:
            return CategoricalDistribution(list(self.choices))
        if self.kind == INT:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(float(self.low), float(self.high), log=self.log)

    def describe(self) -> str:
        """Short text as ``--param`` takes it: ``1e-05:0.001:log``, ``16,32,64``, ``hinge``, ``off``."""
        if not self.enabled:
            return "off" if self.value is None else value_text(self.value)
        if self.kind == CHOICE:
            return ",".join(value_text(choice) for choice in self.choices)
        return f"{value_text(self.low)}:{value_text(self.high)}" + (":log" if self.log else "")

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "low": self.low, "high": self.high, "log": self.log,
                "choices": list(self.choices), "enabled": self.enabled, "value": self.value}

    @classmethod
    def from_dict(cls, raw: Any, where: str = "parameter") -> Parameter:
        """A parameter from JSON, every field checked; a problem is one sentence naming ``where``."""
        if not isinstance(raw, dict):
            raise StudioError(f"{where} must be a JSON object, not {shown(raw)}.")
        unknown = sorted(set(raw) - {"name", "kind", "low", "high", "log", "choices", "enabled", "value"})
        if unknown:
            raise StudioError(f"{where} has an unknown field: {shown(unknown[0])}.")
        name = raw.get("name")
        if name not in SECTION:
            raise StudioError(f"{where}.name must be one of {', '.join(SECTION)}, not {shown(name)}.")
        kind, log, enabled = raw.get("kind"), raw.get("log", False), raw.get("enabled", True)
        if kind not in KINDS:
            raise StudioError(f"{where}.kind must be one of {', '.join(KINDS)}, not {shown(kind)}.")
        if not isinstance(log, bool) or not isinstance(enabled, bool):
            raise StudioError(f"{where}.log and .enabled must be true or false.")
        choices = raw.get("choices", [])
        if not isinstance(choices, list) or len(choices) > 100:
            raise StudioError(f"{where}.choices must be a list of at most 100 values, not {shown(choices)}.")
        parameter = cls(name, kind, _number_or_none(raw.get("low"), f"{where}.low"),
                        _number_or_none(raw.get("high"), f"{where}.high"), log, tuple(choices), enabled, raw.get("value"))
        parameter.check()
        return parameter

    def check(self) -> None:
        """Raise one sentence when the parameter's range, choices or value do not suit its option."""
        title = label(self.name)
        if self.kind == CHOICE:
            if not self.choices:
                raise StudioError(f"{self.name} ({title}) needs at least one choice.")
            for choice in self.choices:
                _check_value(self.name, choice)
        else:
            if _option_type(self.name) is str:
                raise StudioError(f"{self.name} ({title}) is a choice, not a range; write e.g. {self.name}={_example(self.name)}.")
            if self.kind == INT and _option_type(self.name) is not int:
                raise StudioError(f"{self.name} ({title}) takes numbers with decimals, so it cannot be a whole-number range.")
            if self.low is None or self.high is None or not self.low < self.high:
                raise StudioError(f"{self.name} ({title}) needs a range whose low end is below its high end.")
            if self.kind == INT and (self.low != int(self.low) or self.high != int(self.high)):
                raise StudioError(f"{self.name} ({title}) takes whole numbers, not {value_text(self.low)}:{value_text(self.high)}.")
            if self.log and self.low <= 0:
                raise StudioError(f"{self.name} ({title}) on a log scale needs a range above 0.")
            _check_value(self.name, int(self.low) if self.kind == INT else self.low)
            _check_value(self.name, int(self.high) if self.kind == INT else self.high)
        if self.value is not None:
            _check_value(self.name, self.value)


def default_space() -> list[Parameter]:
    """Every searchable option with its default range; the common ones on, the rest off."""
    return [
        Parameter("lr_g", FLOAT, 1e-5, 1e-2, log=True),
        Parameter("lr_d", FLOAT, 1e-5, 1e-2, log=True),
        Parameter("beta1", FLOAT, 0.0, 0.9),
        Parameter("beta2", FLOAT, 0.9, 0.9999, enabled=False),
        Parameter("batch_size", CHOICE, choices=(16, 32, 64, 128)),
        Parameter("g_width", CHOICE, choices=(16, 32, 64)),
        Parameter("d_width", CHOICE, choices=(16, 32, 64)),
        Parameter("latent_dim", CHOICE, choices=(32, 64, 128), enabled=False),
        Parameter("model", CHOICE, choices=GAN_MODELS, enabled=False),
        Parameter("loss", CHOICE, choices=("bce", "hinge")),
        Parameter("r1_gamma", FLOAT, 0.01, 10.0, log=True, enabled=False),
        Parameter("ema_decay", FLOAT, 0.99, 0.9999, enabled=False),
        Parameter("diffaugment", CHOICE, choices=("off", "on")),
        Parameter("precision", CHOICE, choices=("auto", "fp32"), enabled=False),
    ]


def parse_param(text: str, space: list[Parameter] | None = None) -> Parameter:
    """The parameter a ``--param`` text describes (see the module's docstring), starting from its
    entry in ``space`` (the default space when None); bad text is one sentence naming the parameter."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or name not in SECTION:
        raise StudioError(f"A parameter must be written NAME=VALUES with NAME one of {', '.join(SECTION)}, not '{text}'.")
    current = next((p for p in (space or default_space()) if p.name == name), None) or \
        next(p for p in default_space() if p.name == name)
    forms = (f"{name} must be written {name}=LOW:HIGH, {name}=LOW:HIGH:log, {name}=A,B,C, {name}=VALUE or "
             f"{name}=off (e.g. {name}={_example(name)}), not '{text}'.")
    try:
        if spec == "off":
            parameter = replace(current, enabled=False, value=None)
        elif ":" in spec:
            if _option_type(name) is str:
                raise StudioError(f"{name} ({label(name)}) is a choice, not a range; write e.g. {name}={_example(name)}.")
            parts = spec.split(":")
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "log"):
                raise StudioError(forms)
            kind = INT if _option_type(name) is int else FLOAT
            low, high = (_typed(name, part, float if kind == FLOAT else int) for part in parts[:2])
            parameter = Parameter(name, kind, low, high, log=len(parts) == 3)
        elif "," in spec:
            parameter = Parameter(name, CHOICE, choices=tuple(_typed(name, part) for part in spec.split(",")))
        elif spec:
            parameter = replace(current, enabled=False, value=_typed(name, spec))
        else:
            raise StudioError(forms)
    except ValueError:
        raise StudioError(forms) from None
    parameter.check()
    return parameter


def with_params(space: list[Parameter], texts: list[str]) -> list[Parameter]:
    """``space`` with each ``--param`` text applied in turn."""
    by_name = {p.name: p for p in space}
    for text in texts:
        parameter = parse_param(text, list(by_name.values()))
        by_name[parameter.name] = parameter
    return list(by_name.values())


def space_from_list(raw: Any, where: str = "space") -> list[Parameter]:
    if not isinstance(raw, list) or len(raw) > 100:
        raise StudioError(f"{where} must be a list of parameters, not {shown(raw)}.")
    space = [Parameter.from_dict(item, f"{where}[{index}]") for index, item in enumerate(raw)]
    names = [p.name for p in space]
    if len(set(names)) != len(names):
        raise StudioError(f"{where} names a parameter twice.")
    return space


def searched(space: list[Parameter]) -> dict[str, Any]:
    """The Optuna distributions of the enabled parameters, by name."""
    return {p.name: p.distribution() for p in space if p.enabled}


def starting_point(base: RunConfig, space: list[Parameter]) -> dict[str, Any]:
    """The base settings' values of the searched parameters that lie in their ranges: the first trial
    trains them, so the sweep measures the settings the analyst would otherwise use and never ends worse."""
    point = {}
    for parameter in space:
        if not parameter.enabled:
            continue
        value = config_value(base, parameter.name)
        if parameter.kind == CHOICE and value in parameter.choices or \
                parameter.kind != CHOICE and parameter.low <= value <= parameter.high:
            point[parameter.name] = value
    return point


def apply(base: RunConfig, space: list[Parameter], params: dict[str, Any]) -> RunConfig:
    """``base`` with the fixed values of disabled parameters and ``params`` (a trial's) set."""
    config = RunConfig.from_dict(base.to_dict())
    for parameter in space:
        if not parameter.enabled and parameter.value is not None:
            _set(config, parameter.name, parameter.value)
    for name, value in params.items():
        if name not in SECTION:
            raise StudioError(f"The sweep's study names an unknown parameter {shown(name)}.")
        _set(config, name, value)
    return config


def config_value(config: RunConfig, name: str) -> Any:
    """The value of the option a parameter name stands for."""
    return getattr(getattr(config, SECTION[name]), _FIELD.get(name, name))


def _set(config: RunConfig, name: str, value: Any) -> None:
    kind = _option_type(name)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    _check_value(name, value)
    setattr(getattr(config, SECTION[name]), _FIELD.get(name, name), value)


def _spec(name: str) -> Any:
    section = {"train": RunConfig().train, "model": RunConfig().model}[SECTION[name]]
    return {f.name: f for f in fields(section)}[_FIELD.get(name, name)]


def label(name: str) -> str:
    """The option's label as the Train form shows it (``lr_g`` → 'Learning rate G')."""
    return _spec(name).metadata["label"]


def _option_type(name: str) -> type:
    return type(_spec(name).default)


def _check_value(name: str, value: Any) -> None:
    kind = _option_type(name)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise StudioError(f"{name} ({label(name)}) takes {_word(kind)}, not {shown(value)}.")
    if name == "model" and value not in GAN_MODELS:
        raise StudioError(f"model must be one of {', '.join(GAN_MODELS)}, not {shown(value)}.")
    problem = _bound_problem(_spec(name), value)
    if problem:
        raise StudioError(f"{name}: {problem}")


def _typed(name: str, text: str, kind: type | None = None) -> Any:
    kind = kind or _option_type(name)
    text = text.strip()
    if kind is int:
        return int(text)
    if kind is float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
        return value
    return text


def _number_or_none(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise StudioError(f"{where} must be a finite number, not {shown(value)}.")
    return value


def value_text(value: Any) -> str:
    """A parameter value as ``--param`` writes it (floats in ``:g`` form)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _word(kind: type) -> str:
    return {int: "a whole number", float: "a number", str: "text"}[kind]


def _example(name: str) -> str:
    return next(p for p in default_space() if p.name == name).describe()
