"""Run configuration: dataclasses that round-trip to JSON and describe themselves to forms.

Each field's ``metadata`` carries a ``label`` and ``help`` for people, and the bounds (``min``,
``max``, ``choices``) that :func:`validate` checks. The GUI builds its form from these fields and
the CLI validates with the same function, so both reject the same values with the same sentence.
Imports no torch: the GUI reads it at start-up.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from studio.core.errors import StudioError
from studio.core.validation import shown

DEMO_SOURCE = "demo"


class ConfigProblem(StudioError):
    """A configuration value of the wrong kind; ``field`` says where (``"model.latent_dim"``)."""

    def __init__(self, field: str, sentence: str):
        super().__init__(sentence)
        self.field = field


def _spec(default: Any, label: str, help: str, **bounds: Any) -> Any:
    return field(default=default, metadata={"label": label, "help": help, **bounds})


@dataclass
class DataConfig:
    source: str = _spec(DEMO_SOURCE, "Source", "'demo' for the built-in shapes, or a folder, .zip, CIFAR, MNIST IDX, .npy or .npz dataset.")
    resolution: int = _spec(32, "Resolution", "Images are resized to this square size in pixels.", choices=(16, 32, 64, 128, 256))
    fit: str = _spec("crop", "Fit", "How non-square images become square: centre crop, pad with black, or stretch.", choices=("crop", "pad", "stretch"))
    resample: str = _spec("lanczos", "Resampling", "The filter used when resizing images.", choices=("lanczos", "bicubic", "bilinear", "box", "nearest"))
    colour: str = _spec("rgb", "Colour", "Train on colour images, or on grayscale ones.", choices=("rgb", "grayscale"))
    flip: str = _spec("none", "Augmentation", "'horizontal' mirrors a random half of every training batch.", choices=("none", "horizontal"))
    classes: str = _spec("", "Classes", "Comma-separated class names to train on; empty uses every class.")
    max_images: int = _spec(0, "Max images", "Use at most this many images (an even sample across the set); 0 uses all.", min=0, max=10_000_000)
    demo_images: int = _spec(8000, "Demo images", "How many images the built-in demo set generates.", min=64, max=100_000)
    held_out: float = _spec(0.1, "Held-out test share", "This share of every class's real images is kept out of GAN "
                            "training, so the usefulness check can test on images no model has seen; 0 keeps none.",
                            min=0.0, max=0.5)


ADVERSARIAL, AUTOENCODER = "gan", "vae"
MAX_STEPS = 10_000_000
MAX_SEED = 2**63 - 1  # the largest seed a sample, walk, projection, export or sweep takes
MAX_EXPORT_IMAGES = 1_000_000  # images one 'sample' export writes
MODEL_KINDS = {"dcgan": ADVERSARIAL, "sngan": ADVERSARIAL, "vae": AUTOENCODER}


@dataclass
class ModelConfig:
    name: str = _spec("dcgan", "Model", "DCGAN: fast first model. SNGAN: ResNet with spectral norm, better images. "
                      "VAE: a stable non-adversarial baseline.", choices=("dcgan", "sngan", "vae"))
    conditional: str = _spec("auto", "Conditional", "'on' learns each class separately, so you can choose the class "
                             "of every sample (needs a dataset with at least two classes); 'auto' turns it on for such "
                             "a dataset.", choices=("auto", "off", "on"))
    latent_dim: int = _spec(64, "Latent size", "Length of the noise vector the generator starts from.", min=2, max=1024)
    g_width: int = _spec(32, "Generator width", "Channels in the generator's last layer; doubles per layer up.", min=4, max=512)
    d_width: int = _spec(32, "Discriminator width", "Channels in the discriminator's first layer.", min=4, max=512)

    def conditional_on(self, num_classes: int) -> bool:
        """Whether a model for a dataset of ``num_classes`` classes learns them ('auto': from two classes)."""
        return self.conditional == "on" or (self.conditional == "auto" and num_classes >= 2)

    @property
    def kind(self) -> str:
        """'gan' for adversarial models, 'vae' for the autoencoder (its second network is an encoder)."""
        return MODEL_KINDS[self.name]


@dataclass
class TrainConfig:
    steps: int = _spec(5000, "Steps", "Total optimisation steps (one batch each for D and G).", min=1, max=MAX_STEPS)
    batch_size: int = _spec(32, "Batch size", "Images per step.", min=2, max=4096)
    lr_g: float = _spec(1e-3, "Learning rate G", "Adam step size for the generator.", min=1e-7, max=1.0)
    lr_d: float = _spec(1e-3, "Learning rate D", "Adam step size for the discriminator.", min=1e-7, max=1.0)
    beta1: float = _spec(0.0, "Adam β1", "Momentum of Adam's first moment (0 lets the two networks react to each "
                         "other at once).", min=0.0, max=0.999)
    beta2: float = _spec(0.99, "Adam β2", "Momentum of Adam's second moment.", min=0.0, max=0.99999)
    loss: str = _spec("bce", "Loss", "bce: the original non-saturating GAN loss. hinge: steadier, pairs with SNGAN. "
                      "wgan-gp: Wasserstein loss with gradient penalty.", choices=("bce", "hinge", "wgan-gp"))
    r1_gamma: float = _spec(0.0, "R1 penalty", "Weight of the gradient penalty on real images (0 = off; try 0.1 to 10).", min=0.0, max=1000.0)
    ema_decay: float = _spec(0.999, "Generator EMA", "Samples come from a moving average of the generator's weights "
                             "(0 = off); smoother images for free.", min=0.0, max=0.99999)
    diffaugment: str = _spec("off", "DiffAugment", "'on' augments real and fake images (colour, translation, cutout) "
                             "before the discriminator: use it below ~5,000 images.", choices=("off", "on"))
    precision: str = _spec("auto", "Precision", "bf16/fp16 mixed precision is faster on GPUs and recent CPUs; fp16 needs CUDA. "
                           "'auto' takes bf16 where the device computes it natively, else fp32.",
                           choices=("auto", "fp32", "bf16", "fp16"))
    compile: str = _spec("off", "Compile", "torch.compile the models (the first steps are slow while it compiles); "
                         "'cudagraphs' also replays CUDA graphs.", choices=("off", "on", "cudagraphs"))
    seed: int = _spec(0, "Seed", "Fixes initial weights, batches and noise so a run can be repeated.", min=0, max=2**31 - 1)
    device: str = _spec("auto", "Device", "'auto' uses CUDA when present, else Apple's GPU (mps), else the CPU.",
                        choices=("auto", "cpu", "cuda", "mps"))
    log_every: int = _spec(10, "Log every", "Steps between loss records.", min=1, max=100_000)
    sample_every: int = _spec(100, "Samples every", "Steps between sample grids.", min=1, max=1_000_000)
    checkpoint_every: int = _spec(500, "Checkpoint every", "Steps between saved checkpoints.", min=1, max=1_000_000)
    keep_checkpoints: int = _spec(3, "Checkpoints kept", "Older checkpoints beyond this count are deleted.", min=1, max=1000)
    eval_every: int = _spec(500, "Evaluate every", "Steps between quality measurements (FD and more); 0 turns them off. "
                            "On a CPU they are spaced out so they cost under 10% of training time.", min=0, max=1_000_000)
    eval_samples: int = _spec(256, "Evaluation images", "Generated and real images per measurement while training.", min=16, max=50_000)
    eval_features: str = _spec("random", "Evaluation features", "Feature space of the measurements: a fixed random network, "
                               "or a classifier trained on the labelled data.", choices=("random", "classifier"))
    early_stop_patience: int = _spec(0, "Early stop after", "Stop when FD has not improved for this many measurements; 0 never stops early.",
                                     min=0, max=1000)


SECTIONS: dict[str, type] = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


@dataclass
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> RunConfig:
        if not isinstance(raw, dict):
            raise ConfigProblem("config", "The configuration is not a JSON object.")
        return cls(**{name: _section_from_dict(name, section, raw.get(name, {})) for name, section in SECTIONS.items()})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise StudioError(f"The configuration is not valid JSON ({error.msg}).") from None
        return cls.from_dict(raw)


def _section_from_dict(section_name: str, section: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigProblem(section_name, f"The '{section.__name__}' section of the configuration is not a JSON object.")
    known = {f.name: f for f in fields(section)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigProblem(f"{section_name}.{unknown[0]}", f"The configuration has an unknown setting: {unknown[0]}.")
    values = {}
    for name, value in raw.items():
        values[name] = _coerce(section_name, known[name], value)
    return section(**values)


def _coerce(section_name: str, spec: Any, value: Any) -> Any:
    kind = _field_type(spec)
    label = spec.metadata["label"]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            raise ConfigProblem(f"{section_name}.{spec.name}", f"{label} must be a number of sensible size.") from None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigProblem(f"{section_name}.{spec.name}", f"{label} must be {_type_word(kind)}, not {shown(value)}.")
    return value


def _field_type(spec: Any) -> type:
    return {"int": int, "float": float, "str": str}[spec.type if isinstance(spec.type, str) else spec.type.__name__]


def _type_word(kind: type) -> str:
    return {int: "a whole number", float: "a number", str: "text"}[kind]


def default_value(spec: Any) -> Any:
    return spec.default if spec.default is not MISSING else spec.default_factory()


def parse_field(section: type, name: str, text: str) -> Any:
    """Turn what a person typed into a value of the field's type, checked against its bounds."""
    spec = {f.name: f for f in fields(section)}[name]
    kind = _field_type(spec)
    label = spec.metadata["label"]
    text = text.strip()
    if kind is str:
        value: Any = text
    else:
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            raise StudioError(f"{label} must be {_type_word(kind)}, not '{text}'.") from None
    problem = _bound_problem(spec, value)
    if problem:
        raise StudioError(problem)
    return value


def _bound_problem(spec: Any, value: Any) -> str | None:
    meta = spec.metadata
    label = meta["label"]
    if "choices" in meta and value not in meta["choices"]:
        options = ", ".join(str(c) for c in meta["choices"])
        return f"{label} must be one of {options}, not {shown(value)}."
    if isinstance(value, float) and value != value:
        return f"{label} must be a number, not NaN."
    if "min" in meta and value < meta["min"]:
        return f"{label} must be at least {meta['min']:g}, not {_number(value)}."
    if "max" in meta and value > meta["max"]:
        return f"{label} must be at most {meta['max']:g}, not {_number(value)}."
    return None


def _number(value: float) -> str:
    """``value`` as ``:g`` writes it, or cut short when it is an integer too large for a float."""
    return f"{value:g}" if abs(value) < 1e300 else shown(value)


def bound_problems(config: RunConfig) -> dict[str, str]:
    """Every value outside its field's bounds, and a model too large to build, as ``{"section.field": sentence}``.

    Unlike :func:`validate` it does not look at the disk, so a run folder can be checked with it.
    """
    problems: dict[str, str] = {}
    for section_name in SECTIONS:
        section = getattr(config, section_name)
        for spec in fields(section):
            problem = _bound_problem(spec, getattr(section, spec.name))
            if problem:
                problems[f"{section_name}.{spec.name}"] = problem
    if not any(key.startswith("model.") or key == "data.resolution" for key in problems):
        size = _model_size_problem(config.model, config.data.resolution)
        if size:
            problems["model.g_width"] = size
    return problems


# Weights per (width x resolution)^2 of the (generator, second network) of each model, measured at
# their largest widths (smaller widths need relatively fewer): a guide that refuses models which
# would need many gigabytes before torch tries to allocate them.
_WEIGHT_FACTORS = {"dcgan": (0.23, 0.17), "sngan": (0.73, 0.29), "vae": (0.23, 0.29)}
MAX_MODEL_WEIGHTS = 1_000_000_000


def _model_size_problem(model: ModelConfig, resolution: int) -> str | None:
    generator, second = _WEIGHT_FACTORS[model.name]
    second_width = model.g_width if model.kind == AUTOENCODER else model.d_width
    weights = (generator * model.g_width**2 + second * second_width**2) * resolution**2
    if weights <= MAX_MODEL_WEIGHTS:
        return None
    return (f"These widths at {resolution} px would need about {weights / 1e6:,.0f} million weights (at most "
            f"{MAX_MODEL_WEIGHTS / 1e6:,.0f} million); lower the widths or the resolution.")


def validate(config: RunConfig) -> dict[str, str]:
    """Every problem in the configuration as ``{"section.field": sentence}``; empty when valid."""
    problems = bound_problems(config)
    source = config.data.source
    if source != DEMO_SOURCE and not Path(source).exists():
        problems["data.source"] = f"The dataset '{source}' does not exist."
    return problems


def check(config: RunConfig) -> None:
    """Raise the first problem of :func:`validate` as a :class:`StudioError`."""
    problems = validate(config)
    if problems:
        raise StudioError(next(iter(problems.values())))
