"""``python -m studio data inspect PATH``: load a dataset and print its validation report."""

from __future__ import annotations

import argparse
import json

from studio.cli.common import add_data_options, data_config_from, load_interruptibly
from studio.core.config import RunConfig, check


def add_data_command(commands) -> None:
    data = commands.add_parser("data", help="look at a dataset before training on it")
    actions = data.add_subparsers(required=True, metavar="ACTION")
    inspect = actions.add_parser("inspect", help="load a dataset and print its validation report")
    add_data_options(inspect, positional=True)
    inspect.add_argument("--json", action="store_true", help="print the report as JSON")
    inspect.set_defaults(command=inspect_command)


def inspect_command(args: argparse.Namespace) -> int:
    from studio.core.data.validation import report_lines

    config = RunConfig(data=data_config_from(args))
    check(config)
    dataset = load_interruptibly(config.data)
    if args.json:
        print(json.dumps(dataset.report, indent=2))
    else:
        print("\n".join(report_lines(dataset.report)))
    return 0
