"""Headless commands on the same engine as the GUI: ``python -m studio train|resume|sample|...``.

Anything the user can get wrong ends with exit status 2 and one sentence on stderr, never a
traceback. Each command group lives in its own module; this one only assembles the parser.
"""

from __future__ import annotations

import argparse
import logging
import sys

from studio.cli.augment import add_augment_commands
from studio.cli.data import add_data_command
from studio.cli.evaluation import add_evaluation_commands
from studio.cli.explore import add_sample_command, add_walk_command
from studio.cli.projection import add_project_command
from studio.cli.sweep import add_sweep_command
from studio.cli.training import add_models_command, add_training_commands
from studio.cli.translation import add_translation_commands
from studio.core.errors import StudioError
from studio.core.notes import LOGGER

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    _print_notes()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except StudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR


def _print_notes() -> None:
    """The engine's notes (see :mod:`studio.core.notes`) as ``note: …`` lines on stderr."""
    if not LOGGER.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("note: %(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.propagate = False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m studio", description="GAN Studio, headless.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    add_training_commands(commands)
    add_sample_command(commands)
    add_walk_command(commands)
    add_project_command(commands)
    add_data_command(commands)
    add_models_command(commands)
    add_evaluation_commands(commands)
    add_augment_commands(commands)
    add_sweep_command(commands)
    add_translation_commands(commands)
    return parser
