"""Style transfer from the command line: ``translate-train`` a translator on two image sets, ``translate``
images with a trained run; ``resume`` continues a translation run (it calls :func:`resume_translation`)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from studio.cli.common import load_data, override
from studio.cli.progress import ProgressBar
from studio.cli.training import STOPPED_HELP, report_stopped, stop_on_signals
from studio.core.data_source import DataSourceNotApproved
from studio.core.errors import Cancelled, StudioError
from studio.core.files import occupied
from studio.core.run_lock import refuse_if_training
from studio.core.tasks import TaskState
from studio.core.config import DEMO_SOURCE
from studio.core.translation.config import MODELS, TranslationConfig, check, choose_model
from studio.core.translation.run import TranslationRun


def add_translation_commands(commands) -> None:
    train = commands.add_parser("translate-train", help="train a style-transfer (image-to-image) run on two image sets",
                                epilog=STOPPED_HELP)
    train.add_argument("--source", required=True, help="the images to translate from: a folder, .zip or any dataset the studio reads")
    train.add_argument("--target", required=True, help="the images whose style to learn (may be the same dataset as --source "
                                                       "with other --target-classes)")
    train.add_argument("--source-classes", help="use only these comma-separated classes of the source dataset")
    train.add_argument("--target-classes", help="use only these comma-separated classes of the target dataset")
    train.add_argument("--out", required=True, type=Path, help="the new run folder")
    train.add_argument("--model", choices=MODELS, help="cut (default), fastcut or cyclegan")
    train.add_argument("--resolution", type=int, help="16, 32 (default), 64, 128 or 256 px")
    train.add_argument("--steps", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--g-width", type=int)
    train.add_argument("--d-width", type=int)
    train.add_argument("--held-out", type=float, help="share of the source images kept out of training (default 0.1)")
    train.add_argument("--max-images", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--device", default="auto", help="auto (CUDA, else Apple's GPU, else the CPU), cpu, cuda or mps")
    train.set_defaults(command=_train)

    apply = commands.add_parser("translate", help="translate an image or a folder with a trained style-transfer run")
    apply.add_argument("--run", required=True, type=Path)
    apply.add_argument("--images", required=True, type=Path, help="an image file or a folder (sub-folders kept)")
    apply.add_argument("--out", required=True, type=Path, help="a new or empty folder for the translations and manifest.csv")
    apply.add_argument("--strength", type=float, default=1.0, help="0 returns the source, 1 the full translation (default)")
    apply.add_argument("--checkpoint", type=Path, help="a checkpoint file (default: the run's newest)")
    apply.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    apply.set_defaults(command=_translate)

    report = commands.add_parser("translate-report", help="write the report of a style-transfer run (.html, .pdf or .md)")
    report.add_argument("--run", required=True, type=Path)
    report.add_argument("--out", required=True, type=Path, help="the report file: .html, .pdf or .md")
    report.set_defaults(command=_report)


def _absolute(source: str) -> str:
    return source if source == DEMO_SOURCE else str(Path(source).resolve())


def _train(args: argparse.Namespace) -> int:
    config = TranslationConfig()
    override(config.data, source=_absolute(args.source), target=_absolute(args.target), source_classes=args.source_classes,
             target_classes=args.target_classes, resolution=args.resolution, held_out=args.held_out, max_images=args.max_images)
    if args.model:
        choose_model(config, args.model)
    override(config.model, g_width=args.g_width, d_width=args.d_width)
    override(config.train, steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device)
    check(config)
    if occupied(args.out):
        raise StudioError(f"'{args.out}' already exists; choose a new folder, or continue it with 'resume --run {args.out}'.")
    from studio.core.translation.data import new_translation_run

    pair = _load_pair(config.data.set_config("source"), config.data.set_config("target"))
    return _fit(new_translation_run(args.out.parent, config, pair, name=args.out.name), pair)


def resume_translation(args: argparse.Namespace) -> int:
    """``resume --run`` on a translation run: train on from its newest checkpoint."""
    run = TranslationRun.open(args.run)
    if args.data is not None:
        raise StudioError("--data does not apply to a style-transfer run; it reads the source and target sets it recorded.")
    refuse_if_training(run.path)
    run.continue_to(args.steps)
    try:
        configs = run.set_config("source"), run.set_config("target")
    except DataSourceNotApproved as refusal:
        raise StudioError(f"The run '{run.name}' reads an image set from '{refusal.source}', outside the run folder, and was not "
                          "created by this studio; train a new run on sets you trust.") from None
    return _fit(run, _load_pair(*configs))


def _load_pair(source_config, target_config):
    from studio.core.translation.data import checked_pair

    return checked_pair(load_data(source_config), load_data(target_config))


def _fit(run: TranslationRun, pair) -> int:
    """Train on a worker thread, drawing progress here; Ctrl+C, SIGINT or SIGTERM stop with a checkpoint."""
    from studio.core.training.events import CheckpointSaved, Failed, Finished, Recovered, Started
    from studio.core.translation.events import TranslationLogged
    from studio.core.translation.trainer import TranslationTrainer

    bar = ProgressBar("translation")
    outcome: list = []

    def on_event(event) -> None:
        if isinstance(event, Started):
            verb = "Resuming" if event.resumed else "Training"
            print(f"{verb} {run.path} ({run.config.model.name}) from step {event.start_step} to {event.total_steps} on {event.device}",
                  file=sys.stderr)
        elif isinstance(event, TranslationLogged):
            losses = "  ".join(f"{name} {value:.3f}" for name, value in event.losses.items())
            bar.update(event.step, event.total_steps, f"{event.images_per_sec:.0f} img/s  D {event.d_loss:.3f}  {losses}", eta_s=event.eta_s)
        elif isinstance(event, CheckpointSaved):
            bar.note = f"checkpoint {event.step}"
        elif isinstance(event, Recovered):
            bar.close()
            print(event.message, file=sys.stderr)
        elif isinstance(event, (Finished, Failed)):
            outcome.append(event)

    trainer = TranslationTrainer(run, pair, on_event)
    with stop_on_signals(trainer.stop) as received:
        worker = threading.Thread(target=trainer.run, name="translation-trainer")
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    bar.close()
    result = outcome[-1]
    if isinstance(result, Failed):
        raise StudioError(result.message)
    if result.stopped:
        return report_stopped(run, result.step, received)
    print(f"Finished {result.step} steps: {run.path}")
    return 0


def _translate(args: argparse.Namespace) -> int:
    from studio.core.translation.apply import Translator, check_strength
    from studio.core.translation.export import translate_folder

    check_strength(args.strength)
    if occupied(args.out):
        raise StudioError(f"'{args.out}' already exists and is not empty; choose a new or empty folder.")
    translator = Translator(TranslationRun.open(args.run), args.checkpoint, args.device)
    bar = ProgressBar("translating")
    try:
        result = translate_folder(translator, args.images, args.out, args.strength, TaskState(bar.update))
    except KeyboardInterrupt:
        raise Cancelled("Translating the images was cancelled; no files were kept.") from None
    bar.close()
    for name, reason in result.skipped:
        print(f"Skipped {name}: {reason}", file=sys.stderr)
    print(f"Translated {result.written} images at strength {args.strength:g} with step {translator.step}: {result.folder}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from studio.reporting.translation import write_translation_report

    print(f"Wrote {write_translation_report(args.run, args.out)}")
    return 0
