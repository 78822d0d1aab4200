"""Training from the command line: ``train`` a new run, ``resume`` one, list the ``models``; the model
and training flags, and how a signal stops training with a checkpoint."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from studio.cli.common import (add_data_options, add_data_override, data_config_from, load_data, open_run, override,
                               seed_argument)
from studio.cli.progress import ProgressBar
from studio.core.config import RunConfig, check
from studio.core.errors import StudioError
from studio.core.files import occupied
from studio.core.run_lock import refuse_if_training
from studio.core.runs import Run
from studio.core.training.jobs import new_run
from studio.core.training.presets import PRESETS, apply_preset

INTERRUPTED = 130

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


def add_training_commands(commands) -> None:
    train = commands.add_parser("train", help="train a new run", epilog=STOPPED_HELP)
    add_data_options(train)
    train.add_argument("--out", required=True, type=Path, help="the new run folder")
    train.add_argument("--steps", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--seed", type=seed_argument)
    train.add_argument("--device", default="auto", help="auto (CUDA, else Apple's GPU, else the CPU), cpu, cuda or mps")
    train.add_argument("--latent-dim", type=int)
    train.add_argument("--g-width", type=int)
    train.add_argument("--d-width", type=int)
    add_model_options(train)
    train.set_defaults(command=_train)

    resume = commands.add_parser("resume", help="continue a run from its last checkpoint", epilog=STOPPED_HELP)
    resume.add_argument("--run", required=True, type=Path)
    resume.add_argument("--steps", type=int, help="new total step count (default: the run's own)")
    add_data_override(resume)
    resume.set_defaults(command=_resume)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument("--preset", choices=sorted(PRESETS), help="start from a named preset; flags below override it")
    group.add_argument("--model", help="a name from 'python -m studio models'")
    group.add_argument("--conditional", action=argparse.BooleanOptionalAction, default=None,
                       help="learn each class separately so samples can be asked for by class "
                            "(default: on for a dataset with two or more classes)")
    group.add_argument("--loss", help="bce, hinge or wgan-gp")
    group.add_argument("--r1", type=float, dest="r1_gamma", help="R1 penalty weight on real images (0 = off)")
    group.add_argument("--ema", action=argparse.BooleanOptionalAction, default=None, help="sample from an EMA of the generator (default on)")
    group.add_argument("--ema-decay", type=float)
    group.add_argument("--diffaugment", action=argparse.BooleanOptionalAction, default=None,
                       help="DiffAugment (colour, translation, cutout) for small datasets")
    group.add_argument("--precision", help="auto, fp32, bf16 or fp16 (fp16 needs CUDA; auto: bf16 where the device "
                                           "computes it natively, else fp32)")
    group.add_argument("--compile", help="off, on or cudagraphs")
    group.add_argument("--lr-g", type=float)
    group.add_argument("--lr-d", type=float)


def apply_model_options(config: RunConfig, args: argparse.Namespace) -> RunConfig:
    """``config`` with the preset first, then every flag given on the command line over it: explicit flags win."""
    if args.preset:
        config = apply_preset(config, args.preset)
    override(config.model, name=args.model, conditional=_on_off(args.conditional), latent_dim=args.latent_dim,
             g_width=args.g_width, d_width=args.d_width)
    override(config.train, steps=args.steps, batch_size=args.batch_size, seed=args.seed, loss=args.loss, r1_gamma=args.r1_gamma,
             diffaugment=_on_off(args.diffaugment), precision=args.precision, compile=args.compile, lr_g=args.lr_g,
             lr_d=args.lr_d, ema_decay=args.ema_decay)
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


def _train(args: argparse.Namespace) -> int:
    config = RunConfig(data=data_config_from(args))
    config.train.device = args.device
    config = apply_model_options(config, args)
    check(config)
    out: Path = args.out
    from studio.core.training.distributed import DistributedContext

    distributed = DistributedContext.from_env(config.train.device)
    if distributed.is_main and occupied(out):
        raise StudioError(f"'{out}' already exists; choose a new folder, or continue it with 'resume --run {out}'.")
    dataset = load_data(config.data)
    if distributed.is_main:
        run = new_run(out.parent, config, dataset, name=out.name)
    distributed.barrier()
    return _fit(run if distributed.is_main else Run.open(out), dataset, distributed)


def _resume(args: argparse.Namespace) -> int:
    from studio.core.training.distributed import DistributedContext
    from studio.core.translation.run import run_kind

    if run_kind(args.run) == "translation":
        from studio.cli.translation import resume_translation

        return resume_translation(args)
    run = open_run(args)
    distributed = DistributedContext.from_env(run.config.train.device)
    if distributed.is_main:
        refuse_if_training(run.path)
    dataset = load_data(run.data_config())
    run.split(dataset)  # a test split that does not fit the data is refused before anything is recorded
    if distributed.is_main and args.data is not None:
        run.save_config(run.config)  # the run trains on it from now on: remembered, sealed
    run.continue_to(args.steps)
    return _fit(run, dataset, distributed)


def _fit(run, dataset, distributed) -> int:
    """Train on a worker thread, drawing progress here; Ctrl+C, SIGINT or SIGTERM stop with a checkpoint.

    Under torchrun only rank 0 reports; every rank returns the same outcome.
    """
    from studio.core.evaluation.vocabulary import quality_note
    from studio.core.training.events import CheckpointSaved, Failed, Finished, QualityMeasured, Recovered, Started, StepLogged
    from studio.core.training.trainer import Trainer

    bar = ProgressBar("training")
    outcome: list = []
    quality = [""]

    def on_event(event) -> None:
        if isinstance(event, Started):
            verb = "Resuming" if event.resumed else "Training"
            print(f"{verb} {run.path} from step {event.start_step} to {event.total_steps} on {event.device}", file=sys.stderr)
        elif isinstance(event, StepLogged):
            losses = f"G {event.g_loss:.3f}  D {event.d_loss:.3f}"
            bar.update(event.step, event.total_steps, "  ".join(filter(None, [f"{event.images_per_sec:.0f} img/s", losses, quality[0]])),
                       eta_s=event.eta_s)
        elif isinstance(event, QualityMeasured):
            quality[0] = quality_note(event.record, event.best)
        elif isinstance(event, CheckpointSaved):
            bar.note = f"checkpoint {event.step}"
        elif isinstance(event, Recovered):
            bar.close()
            print(event.message, file=sys.stderr)
        elif isinstance(event, (Finished, Failed)):
            outcome.append(event)

    def on_other_rank_event(event) -> None:
        if isinstance(event, (Finished, Failed)):
            outcome.append(event)

    trainer = Trainer(run, dataset, on_event if distributed.is_main else on_other_rank_event, distributed)
    # The handlers stay until the end: under torchrun, the launcher signals the ranks still finishing when one exits.
    with stop_on_signals(trainer.stop) as received:
        worker = threading.Thread(target=trainer.run, name="trainer")
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
        bar.close()
        distributed.close()
        result = outcome[-1]
        if isinstance(result, Failed):
            raise StudioError(result.message)
        if not distributed.is_main:
            return INTERRUPTED if result.stopped else 0
        if result.reason:
            print(result.reason, file=sys.stderr)
        if result.stopped:
            return report_stopped(run, result.step, received)
        print(f"Finished {result.step} steps: {run.path}")
        return 0


def report_stopped(run, step: int, received: list[str]) -> int:
    """Say on stderr where a stopped run's checkpoint is and how to continue it; returns the exit status."""
    checkpoint = run.latest_checkpoint()
    print(f"Training was stopped{' by ' + received[0] if received else ''} at step {step}; "
          + (f"its checkpoint is {checkpoint}" if checkpoint else "no checkpoint was written yet")
          + f"; continue with: python -m studio resume --run {run.path}", file=sys.stderr)
    return INTERRUPTED
