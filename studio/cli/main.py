"""Headless commands on the same engine as the GUI: ``python -m studio train|resume|sample|...``.

Anything the user can get wrong ends with exit status 2 and one sentence on stderr, never a
traceback. Each command group lives in its own module; this one only assembles the parser.
"""

from __future__ import annotations

import argparse
import logging
import os
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
OUTPUT_CLOSED = 1


def main(argv: list[str] | None = None) -> int:
    _print_notes()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = args.command(args)
        sys.stdout.flush()  # output still buffered fails here, while the pipe's reader can still be noticed
        return status
    except StudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        return _output_closed()


def _output_closed() -> int:
    """The reader of stdout went away (``| head``): stop quietly, as command-line tools do.

    What is still buffered goes to the null device, so Python's own flush at exit does not fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return OUTPUT_CLOSED


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
