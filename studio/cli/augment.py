"""Synthetic data for another model: ``augment`` (a balanced or enlarged dataset with provenance) and
``usefulness`` (does adding synthetic images help a classifier tested on real held-out images?)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from studio.cli.common import add_data_override, load_data, load_interruptibly, open_run, seed_argument
from studio.cli.progress import ProgressBar
from studio.core.errors import Cancelled
from studio.core.evaluation.usefulness_result import PROBE_STEPS
from studio.core.tasks import TaskState


def add_augment_commands(commands) -> None:
    augment = commands.add_parser("augment", help="write a balanced or enlarged dataset: real images plus synthetic ones")
    augment.add_argument("--run", required=True, type=Path)
    augment.add_argument("--out", required=True, type=Path, help="a new or empty folder for the dataset")
    target = augment.add_mutually_exclusive_group(required=True)
    target.add_argument("--balance", action="store_true", help="top up every class to the largest class's count")
    target.add_argument("--per-class", type=int, metavar="N", help="top up every class to N images")
    target.add_argument("--factor", type=float, metavar="F", help="grow every class to F times its real count")
    target.add_argument("--count", type=int, metavar="N", help="add N synthetic images (for a model without classes)")
    _add_gate_options(augment)
    augment.add_argument("--real", choices=("copy", "link", "resized"), default="copy",
                         help="copy the source's image files, hard-link them, or write them as PNGs at the run's resolution")
    augment.add_argument("--truncation", type=float, default=1.0, help="ψ for the synthetic images (below 1: more typical)")
    augment.add_argument("--seed", type=seed_argument, default=0, help="first seed of the synthetic images")
    augment.add_argument("--checkpoint", default="last", help="last, best or a saved step")
    add_data_override(augment)
    augment.set_defaults(command=_augment)

    usefulness = commands.add_parser("usefulness", help="train a small classifier five ways and test it on real "
                                     "held-out images: do synthetic images help?")
    usefulness.add_argument("--run", required=True, type=Path)
    usefulness.add_argument("--seeds", type=int, default=3, help="trainings per way (the figures are mean ± std)")
    usefulness.add_argument("--test-data", type=Path, help="a folder of real images the run never saw, for a run "
                            "without held-out test images")
    usefulness.add_argument("--probe-steps", type=int, default=PROBE_STEPS,
                            help=f"training steps of each classifier (default {PROBE_STEPS}; fewer is faster and noisier)")
    usefulness.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    _add_gate_options(usefulness)
    add_data_override(usefulness)
    usefulness.set_defaults(command=_usefulness)


def _add_gate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-confidence", type=float, default=0.0, metavar="C",
                        help="keep only synthetic images a classifier trained on the real images assigns to their class "
                             "with at least this confidence (0 to 0.99; 0 = off)")
    parser.add_argument("--no-copies", action="store_true", help="drop synthetic images that nearly copy a training image")


def _gates(args: argparse.Namespace):
    from studio.core.augment.gates import Gates

    return Gates(min_confidence=args.min_confidence, drop_copies=args.no_copies)


def _augment(args: argparse.Namespace) -> int:
    from studio.core.augment.export import AugmentRequest, export_augmented
    from studio.core.augment.targets import Target

    mode, value = next((mode, float(value)) for mode, value in (
        ("balance", 0.0 if args.balance else None), ("per_class", args.per_class), ("factor", args.factor),
        ("count", args.count)) if value is not None)
    request = AugmentRequest(Target(mode, value), _gates(args), args.real, args.truncation, args.seed, args.checkpoint)
    run = open_run(args)
    dataset = load_data(run.data_config())
    bar = ProgressBar("augmenting")
    try:
        result = export_augmented(run, dataset, request, args.out, TaskState(bar.update))
    except KeyboardInterrupt:
        raise Cancelled("The export was cancelled; no files were kept.") from None
    finally:
        bar.close()
    for line in result.lines():
        print(f"  {line}")
    if result.held_out:
        print(f"  The run's {result.held_out:,} held-out test images were left out, for testing.")
    print(f"Wrote {result.out_dir} (manifest.csv, dataset.json, README.txt)")
    return 0


def _usefulness(args: argparse.Namespace) -> int:
    from studio.core.evaluation.usefulness import usefulness_check

    run = open_run(args)
    dataset = load_data(run.data_config())
    test_data = load_interruptibly(replace(run.data_config(), source=str(args.test_data.resolve()))) if args.test_data else None
    bar = ProgressBar("checking")
    try:
        result = usefulness_check(run, dataset, args.seeds, _gates(args), test_data, TaskState(bar.update), args.probe_steps)
    except KeyboardInterrupt:
        raise Cancelled("The usefulness check was cancelled.") from None
    finally:
        bar.close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(f"Tested on {sum(result.test_counts):,} real images ({result.test_source}), {result.seeds} seed"
          f"{'s' if result.seeds != 1 else ''} per way, in {result.seconds:.0f} s:")
    width = max(len(way.label) for way in result.ways)
    print(f"  {'':<{width}}  {'accuracy':>15}  {'macro-F1':>15}")
    for label, accuracy, f1 in result.table():
        print(f"  {label:<{width}}  {accuracy:>15}  {f1:>15}")
    print("  Recall per class (real only → real + synthetic):")
    real, mixed = result.way("real").class_recall(), result.way("mixed").class_recall()
    for name, before, after in zip(result.class_names, real, mixed):
        print(f"    {name}: {_percent(before)} → {_percent(after)}")
    print(result.verdict(), file=sys.stdout)
    return 0


def _percent(value: float) -> str:
    return "no test images" if value != value else f"{value:.0%}"
