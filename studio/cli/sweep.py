"""Hyperparameter sweeps from the command line: ``sweep`` runs one (or continues it with ``--resume``),
``sweep show DIR`` prints what it found."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from studio.cli.common import add_data_options, data_config_from, load_data, seed_argument
from studio.cli.progress import ProgressBar
from studio.cli.training import INTERRUPTED, stop_on_signals
from studio.core.config import DEMO_SOURCE
from studio.core.errors import StudioError

SWEEP_HELP = """Trains many short runs with settings chosen by Optuna and keeps the one with the lowest FD.
Each trial is an ordinary run folder in DIR/trials/. Ctrl+C, SIGINT or SIGTERM stop the sweep after
the current step (exit status 130); '--resume' continues it where it stopped and never repeats a
finished trial. 'python -m studio sweep show DIR' prints the trials and what mattered.

--param changes the search space (repeatable): lr_g=1e-5:1e-3:log (a range on a log scale),
beta1=0:0.9 (a range), batch_size=16,32,64 (a choice), loss=hinge (fixed), r1_gamma=off (the
default value). Searched by default: lr_g, lr_d, beta1, batch_size, g_width, d_width, loss,
diffaugment; also available: beta2, latent_dim, model, r1_gamma, ema_decay, precision.

With --resume, --data names where the sweep's dataset is on this machine (the sweep remembers it):
a sweep made elsewhere whose dataset lies outside its folder needs it. Its other dataset options
stay as the sweep recorded them."""


def add_sweep_command(commands) -> None:
    sweep = commands.add_parser("sweep", help="search training settings with Optuna (or 'sweep show DIR', 'sweep report DIR --out FILE')",
                                description=SWEEP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sweep.add_argument("action", nargs="?", choices=["show", "report"],
                       help="'show' prints the sweep in FOLDER; 'report' writes its report to --out FILE (.html, .pdf or .md)")
    sweep.add_argument("folder", nargs="?", type=Path, metavar="FOLDER", help="the sweep folder to show or report")
    add_data_options(sweep)
    sweep.set_defaults(data=None)  # tells a given --data from the default on --resume
    sweep.add_argument("--out", type=Path, help="the sweep folder (new, or the one to continue with --resume); with 'report', the report file")
    sweep.add_argument("--trials", type=int, help="how many trials (default 20, or no limit with --timeout; with --resume, a larger number adds trials)")
    sweep.add_argument("--timeout", type=float, metavar="MIN", help="start no trial after this many minutes of training")
    sweep.add_argument("--steps", type=int, help="training steps per trial (default 2000)")
    sweep.add_argument("--eval-every", type=int, help="steps between FD measurements (default an eighth of the steps)")
    sweep.add_argument("--eval-samples", type=int, help="images per FD measurement (default 256)")
    sweep.add_argument("--param", action="append", default=[], metavar="NAME=VALUES", help="change the search space (see above)")
    sweep.add_argument("--features", choices=["auto", "classifier", "random"],
                       help="FD's feature space: auto (a classifier trained once on labelled data, else a fixed random network)")
    sweep.add_argument("--seed", type=seed_argument, help="the seed of the search (default 0)")
    sweep.add_argument("--device", help="auto (CUDA, else Apple's GPU, else the CPU), cpu, cuda or mps")
    sweep.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    sweep.set_defaults(command=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    if args.action == "show":
        if args.folder is None:
            raise StudioError("Name the sweep folder to show: python -m studio sweep show DIR.")
        return _show(args.folder)
    if args.action == "report":
        if args.folder is None or args.out is None:
            raise StudioError("Name the sweep folder and the report file: python -m studio sweep report DIR --out FILE.html|.pdf|.md.")
        from studio.reporting.sweep import write_sweep_report

        print(f"Wrote {write_sweep_report(args.folder, args.out)}")
        return 0
    if args.folder is not None:
        raise StudioError(f"'{args.folder}' is not a sweep command; use 'sweep show DIR', or 'sweep --out DIR' to run one.")
    if args.out is None:
        raise StudioError("Name the sweep folder with --out DIR (a new one, or an existing one with --resume).")
    folder = args.out
    if args.resume:
        spec, dataset, changed = _resumed(args)
    else:
        spec, dataset = _created(args)
        changed = None
    return _run(folder, spec, dataset, changed)


def _created(args: argparse.Namespace):
    from studio.core.files import occupied
    from studio.core.sweep.jobs import create_sweep, plan_sweep
    from studio.core.sweep.space import default_space, with_params

    if occupied(args.out):
        raise StudioError(f"'{args.out}' already exists; continue that sweep with --resume, or choose a new folder.")
    space = with_params(default_space(), args.param)
    if args.data is None:
        args.data = DEMO_SOURCE
    data = data_config_from(args)
    steps = args.steps if args.steps is not None else 2000
    settings = {"space": space, "trials": args.trials if args.trials is not None else (0 if args.timeout else 20),
                "timeout_min": args.timeout or 0.0, "steps": steps,
                "eval_every": args.eval_every if args.eval_every is not None else max(1, steps // 8),
                "device": args.device or "auto", "seed": args.seed if args.seed is not None else 0,
                "features": args.features or "auto"}
    if args.eval_samples is not None:
        settings["eval_samples"] = args.eval_samples
    if args.trials is not None and args.trials < 1:
        raise StudioError(f"The number of trials must be at least 1, not {args.trials}.")
    from studio.core.sweep.spec import SweepSpec

    SweepSpec(data=data, **{**settings, "features": "random"}).check()  # refuse bad settings before the data loads
    dataset = load_data(data)
    spec = plan_sweep(data, dataset, **settings)
    create_sweep(args.out, spec)
    return spec, dataset


def _resumed(args: argparse.Namespace):
    """The sweep to continue with the changes asked for, and its dataset: everything is checked (and the
    data loaded) before the runner writes anything, so a refusal leaves the folder as it was."""
    from dataclasses import fields

    from studio.core.config import DataConfig
    from studio.core.data_source import DataSourceNotApproved
    from studio.core.sweep.jobs import check_same_data, open_sweep, widen_budget
    from studio.core.sweep.lock import refuse_if_running
    from studio.core.sweep.study import check_journal

    recorded = open_sweep(args.out)
    if args.param:
        raise StudioError("A sweep's search space is fixed once it has run; start a new sweep to search other values.")
    for flag, value, ours in (("--steps", args.steps, recorded.steps), ("--eval-every", args.eval_every, recorded.eval_every),
                              ("--eval-samples", args.eval_samples, recorded.eval_samples), ("--seed", args.seed, recorded.seed),
                              ("--features", None if args.features == "auto" else args.features, recorded.features)):
        if value is not None and value != ours:
            raise StudioError(f"This sweep was made with {flag} {ours}, not {value}; its trials must be measured alike, "
                              "so start a new sweep for other values.")
    refuse_if_running(args.out)
    check_journal(args.out)
    given = {spec_field.name for spec_field in fields(DataConfig)
             if spec_field.name != "source" and getattr(args, spec_field.name, None) is not None}
    spec = widen_budget(recorded, args.trials, args.timeout, args.device)
    if args.data is not None:  # where the sweep's dataset is on this machine: chosen here
        spec.use_data_source(data_config_from(args).source)
    else:
        args.data = DEMO_SOURCE  # only the options given are compared below
    check_same_data(spec, data_config_from(args), given)
    try:
        data = spec.data_config(args.out)
    except DataSourceNotApproved as refusal:
        raise StudioError(f"The sweep '{args.out.name}' reads its dataset from '{refusal.source}', outside the sweep "
                          "folder, and was not created by this studio; pass --data PATH with the dataset to use "
                          "(that path if you trust it).") from None
    return spec, load_data(data), (spec if spec.to_dict() != recorded.to_dict() else None)


def _run(folder: Path, spec, dataset, changed=None) -> int:
    from studio.core.sweep.events import SweepStarted, TrialFinished, TrialProgress, TrialStarted
    from studio.core.sweep.results import TrialRow, trial_cells
    from studio.core.sweep.runner import SweepRunner

    bar: list[ProgressBar] = []
    current: dict = {}

    def on_event(event) -> None:
        if isinstance(event, SweepStarted):
            budget = " and ".join(filter(None, [f"{event.trials_total} trials" if event.trials_total else "",
                                                f"{event.timeout_min:g} minutes" if event.timeout_min else ""]))
            verb = "Continuing" if event.resumed else "Sweeping"
            print(f"{verb} {event.folder} ({event.trials_done} trials done; budget {budget}; "
                  f"FD in the {spec.features} feature space every {spec.eval_every} steps)", file=sys.stderr)
        elif isinstance(event, TrialStarted):
            current.update(number=event.number, params=event.params)
            bar[:] = [ProgressBar(f"trial {event.number}")]
        elif isinstance(event, TrialProgress) and bar:
            note = f"FD {event.best_fd:.3g}" if event.best_fd is not None else ""
            bar[0].update(event.step, event.total_steps, note)
        elif isinstance(event, TrialFinished):
            if bar:
                bar[0].close()
            row = TrialRow(event.number, current.get("params", {}), event.state, event.value, event.steps,
                           event.seconds, event.run_path, event.message)
            number, state, value, _, seconds, settings = trial_cells(row, live=True)
            print(f"trial {number:>3}  {state:11}  best FD {value:>8}  {seconds:>6} s  {settings}", flush=True)
            if event.message and event.state == "FAIL":
                print(f"  {event.message}", file=sys.stderr)

    runner = SweepRunner(folder, dataset, on_event, changed=changed)
    outcome: list = []

    def work() -> None:
        try:
            outcome.append(runner.run())
        except StudioError as error:
            outcome.append(error)
        except Exception as error:  # keep the sentence; the sweep stays resumable
            outcome.append(StudioError(f"The sweep stopped on an internal error ({type(error).__name__}: {error})."))

    with stop_on_signals(runner.stop) as received:
        worker = threading.Thread(target=work, name="sweep")
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    if bar:
        bar[0].close()
    result = outcome[-1]
    if isinstance(result, StudioError):
        raise result
    _print_results(folder, importances=result.reason != "stopped")
    if result.reason == "stopped":
        print(f"The sweep was stopped{' by ' + received[0] if received else ''}; continue it with: "
              f"python -m studio sweep --resume --out {folder}", file=sys.stderr)
        return INTERRUPTED
    print(result.message, file=sys.stderr)
    return 0


def _show(folder: Path) -> int:
    _print_results(folder)
    return 0


def _print_results(folder: Path, importances: bool = True) -> None:
    from studio.core.sweep.results import read_results, trial_cells

    results = read_results(folder, importances)
    spec = results.spec
    print(f"Sweep {folder}: {results.counted} of {spec.trials or 'unlimited'} trials, {spec.steps} steps each, "
          f"FD ({spec.features} features, {spec.eval_samples} images) every {spec.eval_every} steps")
    print(f"{'trial':>5}  {'state':11}  {'best FD':>9}  {'steps':>7}  {'seconds':>8}  settings")
    for row in results.trials:
        number, state, value, steps, seconds, settings = trial_cells(row)
        print(f"{number:>5}  {state:11}  {value:>9}  {steps:>7}  {seconds:>8}  {settings}")
    if results.best is None:
        print("No trial has completed yet.")
        return
    print(f"Best: trial {results.best.number}, FD {results.best.value:.4g}, run folder {results.best.run_path}")
    if results.changed:
        print("The best settings changed from the defaults: " + ", ".join(
            f"{name} {_value(default)} -> {_value(best)}" for name, (default, best) in results.changed.items()))
    if results.importances:
        print(f"Importance for FD ({results.importance_method}): " + ", ".join(
            f"{name} {share:.0%}" for name, share in results.importances.items()))
    elif importances:
        print(results.importance_method)
    print(f"Train the best further: python -m studio resume --run {results.best.run_path} --steps N")


def _value(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
