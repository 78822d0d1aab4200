"""Headless commands on the same engine as the GUI: ``python -m studio train|resume|sample``.

Anything the user can get wrong ends with exit status 2 and one sentence on stderr, never a
traceback. Training runs on a worker thread so Ctrl+C, SIGINT or SIGTERM stop it cleanly with a checkpoint.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np

from studio.cli.data import add_data_command, add_data_options, data_config_from, load_interruptibly
from studio.cli.explore import add_sample_options, add_walk_command, check_truncation, class_index
from studio.cli.training import STOPPED_HELP, add_model_options, add_models_command, apply_model_options, stop_on_signals
from studio.core.config import DEMO_SOURCE, DataConfig, RunConfig, check
from studio.core.data_source import DataSourceNotApproved
from studio.core.errors import StudioError
from studio.core.files import occupied
from studio.core.run_lock import refuse_if_training
from studio.core.runs import METRICS_FILE, Run
from studio.core.tasks import TaskState

USAGE_ERROR = 2
INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except StudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m studio", description="GAN Studio, headless.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a new run", epilog=STOPPED_HELP)
    add_data_options(train)
    train.add_argument("--out", required=True, type=Path, help="the new run folder")
    train.add_argument("--steps", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--device", default="auto", help="auto, cpu or cuda")
    train.add_argument("--latent-dim", type=int)
    train.add_argument("--g-width", type=int)
    train.add_argument("--d-width", type=int)
    add_model_options(train)
    train.set_defaults(command=_train)

    resume = commands.add_parser("resume", help="continue a run from its last checkpoint", epilog=STOPPED_HELP)
    resume.add_argument("--run", required=True, type=Path)
    resume.add_argument("--steps", type=int, help="new total step count (default: the run's own)")
    _add_data_override(resume)
    resume.set_defaults(command=_resume)

    sample = commands.add_parser("sample", help="generate images from a run's last checkpoint")
    sample.add_argument("--run", required=True, type=Path)
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--grid", action="store_true", help="also write grid.png with all the images")
    add_sample_options(sample)
    sample.set_defaults(command=_sample)
    add_walk_command(commands)

    add_data_command(commands)
    add_models_command(commands)

    evaluate = commands.add_parser("evaluate", help="measure a checkpoint's quality (FD, KID, precision/recall, copies)")
    evaluate.add_argument("--run", required=True, type=Path)
    evaluate.add_argument("--checkpoint", default="last", help="last, best or a saved step")
    evaluate.add_argument("--n", type=int, default=1000, help="generated (and real) images to compare")
    evaluate.add_argument("--features", default="random", help="random, classifier or inception")
    evaluate.add_argument("--inception-weights", type=Path, help="local FID Inception weights (.safetensors, or .pth read weights-only)")
    _add_data_override(evaluate)
    evaluate.set_defaults(command=_evaluate)

    report = commands.add_parser("report", help="write a run's draft report (HTML, PDF, Markdown)")
    report.add_argument("--run", required=True, type=Path)
    report.add_argument("--out", required=True, type=Path, help="a new or empty folder for the report files")
    report.add_argument("--format", default="html,pdf,md", help="comma-separated: html, pdf, md")
    _add_data_override(report)
    report.set_defaults(command=_report)
    return parser


def _train(args: argparse.Namespace) -> int:
    config = RunConfig(data=data_config_from(args))
    config.train.device = args.device
    _override(config.train, steps=args.steps, batch_size=args.batch_size, seed=args.seed)
    _override(config.model, latent_dim=args.latent_dim, g_width=args.g_width, d_width=args.d_width)
    config = apply_model_options(config, args)
    check(config)
    out: Path = args.out
    from studio.core.training.distributed import DistributedContext

    distributed = DistributedContext.from_env(config.train.device)
    if distributed.is_main and occupied(out):
        raise StudioError(f"'{out}' already exists; choose a new folder, or continue it with 'resume --run {out}'.")
    dataset = _load(config.data)
    if distributed.is_main:
        run = Run.create(out.parent, config, dataset.summary(), name=out.name)
    distributed.barrier()
    return _fit(run if distributed.is_main else Run.open(out), dataset, distributed)


def _resume(args: argparse.Namespace) -> int:
    from studio.core.training.distributed import DistributedContext

    run = _open_run(args)
    distributed = DistributedContext.from_env(run.config.train.device)
    if distributed.is_main:
        refuse_if_training(run.path)
        if args.data is not None:
            run.save_config(run.config)  # the run trains on it from now on: remembered, sealed
    run.continue_to(args.steps)
    return _fit(run, _load(run.data_config()), distributed)


def _sample(args: argparse.Namespace) -> int:
    from studio.core.explore.export import export_grid, export_images
    from studio.core.imaging import load_png
    from studio.core.sampling import Sampler

    if args.n < 1:
        raise StudioError(f"--n must be at least 1, not {args.n}.")
    psi = check_truncation(args.truncation)
    sampler = Sampler.from_run(Run.open(args.run))
    bar = ProgressBar("sampling")
    paths = export_images(sampler, args.out, args.n, seed=args.seed, task=TaskState(bar.update), truncation=psi,
                          class_index=class_index(sampler, args.class_))
    bar.close()
    if args.grid:
        export_grid(np.stack([load_png(path) for path in paths]), args.out / "grid.png")
    print(f"Wrote {len(paths)} images to {args.out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from studio.core.evaluation.evaluate import evaluate
    from studio.core.evaluation.vocabulary import Evaluation

    run = _open_run(args)
    dataset = _load(run.data_config())
    bar = ProgressBar("generating")
    record = evaluate(run, dataset, args.checkpoint, args.n, args.features, args.inception_weights, TaskState(bar.update))
    bar.close()
    evaluation = Evaluation.from_record(record)
    print(f"Step {evaluation.step} · {evaluation.feature_label} · {evaluation.n_fake} generated vs "
          f"{evaluation.n_real} real images")
    for label, value, _ in evaluation.rows():
        print(f"  {label:<15} {value}")
    memo = evaluation.memorisation
    if memo:
        print(f"  {'Near-copies':<15} {memo['near_copy_rate']:.1%} of {memo['samples']} "
              f"(median pixel RMSE {memo['pixel_rmse_median']:.1f})")
    return 0


def _report(args: argparse.Namespace) -> int:
    from studio.reporting.export import check_report_folder, ensure_qt, export_report, parse_formats

    formats = parse_formats(args.format)
    check_report_folder(args.out)
    run = _open_run(args)
    ensure_qt()
    from studio.core.evaluation.report import build_report

    bar = ProgressBar("drafting")
    report = build_report(run, TaskState(bar.update))
    bar.close()
    if run.skipped_metric_lines:
        print(f"Skipped {run.skipped_metric_lines:,} damaged lines of {METRICS_FILE}.", file=sys.stderr)
    paths = export_report(report, args.out, formats)
    print(f"Status {report.status}: wrote {', '.join(path.name for path in paths)} to {args.out}")
    return 0


def _override(section: object, **values: object) -> None:
    for name, value in values.items():
        if value is not None:
            setattr(section, name, value)


def _add_data_override(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="the dataset to use with this run instead of the one it records (resume remembers it); "
                        "needed for a run made elsewhere whose dataset lies outside its folder")


def _open_run(args: argparse.Namespace) -> Run:
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


def _load(config: DataConfig):
    bar = ProgressBar("loading data")
    dataset = load_interruptibly(config, bar.update)
    bar.close()
    print(f"Dataset: {len(dataset)} images at {dataset.resolution} px, classes: {', '.join(dataset.class_names)}", file=sys.stderr)
    if dataset.skipped:
        print(f"Skipped {len(dataset.skipped)} files:", file=sys.stderr)
        for skipped in dataset.skipped:
            print(f"  {skipped.path}: {skipped.reason}", file=sys.stderr)
    return dataset


def _fit(run, dataset, distributed) -> int:
    """Train on a worker thread, drawing progress here; Ctrl+C, SIGINT or SIGTERM stop with a checkpoint.

    Under torchrun only rank 0 reports; every rank returns the same outcome.
    """
    from studio.core.training.events import CheckpointSaved, Failed, Finished, Recovered, Started, StepLogged
    from studio.core.training.trainer import Trainer

    bar = ProgressBar("training")
    outcome: list = []

    def on_event(event) -> None:
        if isinstance(event, Started):
            verb = "Resuming" if event.resumed else "Training"
            print(f"{verb} {run.path} from step {event.start_step} to {event.total_steps} on {event.device}", file=sys.stderr)
        elif isinstance(event, StepLogged):
            bar.update(event.step, event.total_steps, f"{event.images_per_sec:.0f} img/s  G {event.g_loss:.3f}  D {event.d_loss:.3f}")
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
            checkpoint = run.latest_checkpoint()
            print(f"Training was stopped{' by ' + received[0] if received else ''} at step {result.step}; "
                  + (f"its checkpoint is {checkpoint}" if checkpoint else "no checkpoint was written yet")
                  + f"; continue with: python -m studio resume --run {run.path}", file=sys.stderr)
            return INTERRUPTED
        print(f"Finished {result.step} steps: {run.path}")
        return 0


class ProgressBar:
    """A one-line terminal progress bar on stderr (plain lines every 10% when not a terminal)."""

    WIDTH = 30

    def __init__(self, label: str):
        self.label = label
        self.note = ""
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last_tenth = -1
        self._drawn = False

    def update(self, done: int, total: int, detail: str = "") -> None:
        fraction = done / max(total, 1)
        elapsed = time.monotonic() - self.started
        eta = elapsed / fraction - elapsed if fraction > 0 else 0
        filled = int(fraction * self.WIDTH)
        line = f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {detail} ETA {_clock(eta)} {self.note}"
        if self.tty:
            sys.stderr.write("\r" + line.ljust(110)[:110])
            self._drawn = True
        elif int(fraction * 10) != self._last_tenth:
            self._last_tenth = int(fraction * 10)
            sys.stderr.write(line.rstrip() + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
