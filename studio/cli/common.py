"""What several commands share: the dataset flags, opening a run with ``--data``, loading data with a
progress bar, and setting only the options given on the command line."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from studio.cli.progress import ProgressBar
from studio.core.config import DEMO_SOURCE, MAX_SEED, DataConfig
from studio.core.data_source import DataSourceNotApproved
from studio.core.errors import Cancelled, StudioError
from studio.core.runs import Run
from studio.core.tasks import TaskState

_FLAGS = ("resolution", "fit", "resample", "colour", "flip", "classes", "max_images", "demo_images")


def seed_argument(text: str) -> int:
    """``--seed`` (and a seed given where a latent file may be): a whole number from 0 to 2**63-1, parsed
    without converting more digits than that can have."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_SEED)) and int(text) <= MAX_SEED):
        raise argparse.ArgumentTypeError(f"a seed must be a whole number from 0 to {MAX_SEED:,}, not '{text[:40]}'")
    return int(text)


def count_argument(high: int):
    """An argparse type for a count of things to make (images, frames): a whole number from 1 to ``high``."""
    def count(text: str) -> int:
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(high)) and 1 <= int(text) <= high):
            raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {high:,}, not '{text[:40]}'")
        return int(text)

    return count


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


def add_data_override(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="the dataset to use with this run instead of the one it records (resume remembers it); "
                        "needed for a run made elsewhere whose dataset lies outside its folder")


def open_run(args: argparse.Namespace) -> Run:
    """The run of ``--run`` with ``--data`` applied; a dataset from elsewhere that ``--data`` does not answer is refused.

    Which recorded datasets count as "from elsewhere" is explained in :mod:`studio.core.data_source`.
    """
    run = Run.open(args.run)
    if args.data is not None:
        run.use_data_source(args.data if args.data == DEMO_SOURCE else str(Path(args.data).resolve()))
    try:
        run.data_config()
    except DataSourceNotApproved as refusal:
        raise StudioError(f"The run '{run.name}' reads its dataset from '{refusal.source}', outside the run folder, and was "
                          "not created by this studio; pass --data PATH with the dataset to use (that path if you trust it).") from None
    return run


def load_interruptibly(config: DataConfig):
    """Load with a progress bar; Ctrl+C cancels with one sentence instead of a traceback."""
    from studio.core.data import load_dataset

    bar = ProgressBar("loading data")
    try:
        dataset = load_dataset(config, TaskState(bar.update))
    except KeyboardInterrupt:
        raise Cancelled("Loading the dataset was cancelled.") from None
    bar.close()
    return dataset


def load_data(config: DataConfig):
    """Load for training or measuring, then say on stderr what was loaded and which files were skipped."""
    dataset = load_interruptibly(config)
    print(f"Dataset: {len(dataset)} images at {dataset.resolution} px, classes: {', '.join(dataset.class_names)}", file=sys.stderr)
    if dataset.skipped:
        print(f"Skipped {len(dataset.skipped)} files:", file=sys.stderr)
        for skipped in dataset.skipped:
            print(f"  {skipped.path}: {skipped.reason}", file=sys.stderr)
    return dataset


def override(section: object, **values: object) -> None:
    """Set each option that was given (not None) on a config section."""
    for name, value in values.items():
        if value is not None:
            setattr(section, name, value)
