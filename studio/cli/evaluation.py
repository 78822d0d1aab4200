"""Measuring and reporting on a run: ``evaluate`` (quality metrics of a checkpoint) and ``report``
(the draft report as HTML, PDF and Markdown)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.cli.common import add_data_override, load_data, open_run
from studio.cli.progress import ProgressBar
from studio.core.runs import METRICS_FILE
from studio.core.tasks import TaskState


def add_evaluation_commands(commands) -> None:
    evaluate = commands.add_parser("evaluate", help="measure a checkpoint's quality (FD, KID, precision/recall, copies)")
    evaluate.add_argument("--run", required=True, type=Path)
    evaluate.add_argument("--checkpoint", default="last", help="last, best or a saved step")
    evaluate.add_argument("--n", type=int, default=1000, help="generated (and real) images to compare")
    evaluate.add_argument("--features", default="random", help="random, classifier or inception")
    evaluate.add_argument("--inception-weights", type=Path, help="local FID Inception weights (.safetensors, or .pth read weights-only)")
    add_data_override(evaluate)
    evaluate.set_defaults(command=_evaluate)

    report = commands.add_parser("report", help="write a run's draft report (HTML, PDF, Markdown)")
    report.add_argument("--run", required=True, type=Path)
    report.add_argument("--out", required=True, type=Path, help="a new or empty folder for the report files")
    report.add_argument("--format", default="html,pdf,md", help="comma-separated: html, pdf, md")
    add_data_override(report)
    report.set_defaults(command=_report)


def _evaluate(args: argparse.Namespace) -> int:
    from studio.core.evaluation.evaluate import evaluate
    from studio.core.evaluation.vocabulary import Evaluation

    run = open_run(args)
    dataset, _ = run.split(load_data(run.data_config()))
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
    run = open_run(args)
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
