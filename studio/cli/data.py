"""The dataset side of the CLI: the preprocessing flags ``train`` and ``data inspect`` share, and
``python -m studio data inspect PATH`` itself."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from studio.core.config import DEMO_SOURCE, DataConfig, RunConfig, check
from studio.core.errors import Cancelled
from studio.core.tasks import TaskState

_FLAGS = ("resolution", "fit", "resample", "colour", "flip", "classes", "max_images", "demo_images")


def add_data_options(parser: argparse.ArgumentParser, positional: bool = False) -> None:
    """``--data`` (or a positional PATH) and one flag per preprocessing option, help from the config."""
    help_text = "'demo', a folder of images (class = sub-folder), .zip, CIFAR folder or .tar.gz, MNIST IDX, .npy or .npz"
    if positional:
        parser.add_argument("data", metavar="PATH", help=help_text)
    else:
        parser.add_argument("--data", default=DEMO_SOURCE, help=help_text)
    specs = {spec.name: spec for spec in fields(DataConfig)}
    for name in _FLAGS:
        meta = specs[name].metadata
        choices = meta.get("choices")
        extra = f" ({', '.join(map(str, choices))}; default {specs[name].default})" if choices else f" (default {specs[name].default!r})"
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(specs[name].default), help=meta["help"] + extra)


def data_config_from(args: argparse.Namespace) -> DataConfig:
    config = DataConfig(source=args.data if args.data == DEMO_SOURCE else str(Path(args.data).resolve()))
    for name in _FLAGS:
        value = getattr(args, name)
        if value is not None:
            setattr(config, name, value)
    return config


def load_interruptibly(config: DataConfig, progress: Callable[[int, int], None]):
    """Load with a progress bar; Ctrl+C cancels with one sentence instead of a traceback."""
    from studio.core.data import load_dataset

    try:
        return load_dataset(config, TaskState(progress))
    except KeyboardInterrupt:
        raise Cancelled("Loading the dataset was cancelled.") from None


def add_data_command(commands) -> None:
    data = commands.add_parser("data", help="look at a dataset before training on it")
    actions = data.add_subparsers(required=True, metavar="ACTION")
    inspect = actions.add_parser("inspect", help="load a dataset and print its validation report")
    add_data_options(inspect, positional=True)
    inspect.add_argument("--json", action="store_true", help="print the report as JSON")
    inspect.set_defaults(command=inspect_command)


def inspect_command(args: argparse.Namespace) -> int:
    from studio.cli.main import ProgressBar
    from studio.core.data.validation import report_lines

    config = RunConfig(data=data_config_from(args))
    check(config)
    bar = ProgressBar("loading data")
    dataset = load_interruptibly(config.data, bar.update)
    bar.close()
    if args.json:
        print(json.dumps(dataset.report, indent=2))
    else:
        print("\n".join(report_lines(dataset.report)))
    return 0

