"""The model and training flags of ``train``, the ``models`` command that lists the registry, and how
a signal stops training."""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from studio.core.config import RunConfig
from studio.core.training.presets import PRESETS, apply_preset


STOPPED_HELP = ("Ctrl+C, SIGINT or SIGTERM stop training after the current step with a checkpoint; the exit status is "
                "then 130, and 'resume' continues from that checkpoint. Under torchrun every rank stops at the same step.")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[list[str]]:
    """While the block runs, SIGINT and SIGTERM call ``stop`` instead of ending the process.

    Installed explicitly for both: a process started in the background by a non-interactive
    shell inherits SIGINT as ignored, so Ctrl+C's KeyboardInterrupt never comes, and process
    managers, containers and schedulers stop jobs with SIGTERM, whose default ends the process
    with no checkpoint. The earlier handlers come back after the block. Yields the names of the
    signals received, in order.
    """
    received: list[str] = []

    def handle(signum: int, frame) -> None:
        received.append(signal.Signals(signum).name)
        stop()

    previous = {signum: signal.signal(signum, handle) for signum in STOP_SIGNALS}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument("--preset", choices=sorted(PRESETS), help="start from a named preset; flags below override it")
    group.add_argument("--model", help="a name from 'python -m studio models'")
    group.add_argument("--conditional", action=argparse.BooleanOptionalAction, default=None,
                       help="learn each class separately so samples can be asked for by class")
    group.add_argument("--loss", help="bce, hinge or wgan-gp")
    group.add_argument("--r1", type=float, dest="r1_gamma", help="R1 penalty weight on real images (0 = off)")
    group.add_argument("--ema", action=argparse.BooleanOptionalAction, default=None, help="sample from an EMA of the generator (default on)")
    group.add_argument("--ema-decay", type=float)
    group.add_argument("--diffaugment", action=argparse.BooleanOptionalAction, default=None,
                       help="DiffAugment (colour, translation, cutout) for small datasets")
    group.add_argument("--precision", help="fp32, bf16 or fp16 (fp16 needs CUDA)")
    group.add_argument("--compile", help="off, on or cudagraphs")
    group.add_argument("--lr-g", type=float)
    group.add_argument("--lr-d", type=float)


def apply_model_options(config: RunConfig, args: argparse.Namespace) -> RunConfig:
    if args.preset:
        config = apply_preset(config, args.preset)
    _set(config.model, name=args.model, conditional=_on_off(args.conditional))
    _set(config.train, loss=args.loss, r1_gamma=args.r1_gamma, diffaugment=_on_off(args.diffaugment), precision=args.precision,
         compile=args.compile, lr_g=args.lr_g, lr_d=args.lr_d, ema_decay=args.ema_decay)
    if args.ema is False:
        config.train.ema_decay = 0.0
    elif args.ema and config.train.ema_decay == 0:
        config.train.ema_decay = 0.999
    return config


def add_models_command(commands) -> None:
    models = commands.add_parser("models", help="list the models, losses and presets")
    models.set_defaults(command=_list_models)


def _list_models(args: argparse.Namespace) -> int:
    from studio.core.models import REGISTRY

    print("Models (--model):")
    for name, entry in REGISTRY.items():
        print(f"  {name:8} {entry.description}")
    print("Losses (--loss): bce (non-saturating), hinge, wgan-gp (gradient penalty); add --r1 GAMMA for an R1 penalty.")
    print("Presets (--preset):")
    for name, preset in PRESETS.items():
        print(f"  {name:12} {preset.label}: {preset.description}")
    return 0


def _on_off(flag: bool | None) -> str | None:
    return None if flag is None else ("on" if flag else "off")


def _set(section: object, **values: object) -> None:
    for name, value in values.items():
        if value is not None:
            setattr(section, name, value)
