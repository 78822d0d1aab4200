"""Does synthetic data help a classifier, and how long does the check take? Figures, not assertions.

Run from the repository root (a script, not a test):

    .venv/bin/python tests/benchmarks/bench_usefulness.py                 # both parts
    .venv/bin/python tests/benchmarks/bench_usefulness.py --part rare     # only the rare-class experiment
    .venv/bin/python tests/benchmarks/bench_usefulness.py --part timing   # only the timing

rare    the demo shapes at 32 px as class folders, with 'cross' cut to 10% of the others' count (2,000 each,
        200 crosses); a run with the studio's defaults (the training form's, as `train --data` makes it:
        5,000 steps, 10% of each class held out) trained on the CPU, then the usefulness check with 3 seeds.
        Prints the training time, the check's table, the rare class's recall with real data alone, with
        real + synthetic and with the rare images repeated, and the verdict; the report's section is
        rendered to <out>/report (PDF) for a person to look at. The check runs twice: on every synthetic image,
        and through the quality gates (classifier at least 80% sure of the class, no near-copies).
        --run reuses a run trained by an earlier call.
timing  the time of the usefulness check (3 seeds) for a 10,000-image balanced demo set at 32 px
        (9,000 training images after the held-out share), on a run trained for 300 steps: what the
        check costs does not depend on how good the model is. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from studio.core.config import RunConfig  # noqa: E402
from studio.core.data import load_dataset  # noqa: E402
from studio.core.evaluation.usefulness import usefulness_check  # noqa: E402
from studio.core.tasks import TaskState  # noqa: E402
from studio.core.training.jobs import new_run  # noqa: E402
from studio.core.training.trainer import Trainer  # noqa: E402
from tests.data_files import shapes_folder  # noqa: E402


def _train(config: RunConfig, root: Path):
    dataset = load_dataset(config.data)
    run = new_run(root, config, dataset)
    began = time.perf_counter()
    Trainer(run, dataset).run()
    return run, dataset, time.perf_counter() - began


def _check(run, dataset, seeds: int, gates=None):
    began = time.perf_counter()
    result = usefulness_check(run, dataset, seeds, gates, task=TaskState())
    return result, time.perf_counter() - began


def rare(out: Path, seeds: int, trained: Path | None) -> None:
    from studio.core.augment.gates import Gates
    from studio.core.runs import Run

    data = out / "shapes-rare-cross"
    if not data.exists():
        shapes_folder(data, {"circle": 2000, "square": 2000, "triangle": 2000, "cross": 200}, resolution=32)
    config = RunConfig()
    config.data.source = str(data)
    config.train.device = "cpu"
    if trained is None:
        run, dataset, seconds = _train(config, out / "runs")
        print(f"rare: trained {config.train.steps:,} steps in {seconds:.0f} s ({run.held_out_note()})")
    else:
        run, dataset = Run.open(trained), load_dataset(config.data)
    for gates in (Gates(), Gates(min_confidence=0.8, drop_copies=True)):
        _show(*_check(run, dataset, seeds, gates), seeds)
    _report(run, out)


def _show(result, check_seconds: float, seeds: int) -> None:
    print(f"rare: usefulness check with {seeds} seeds in {check_seconds:.0f} s; {result.gates}")
    for row in result.table():
        print("   ", " | ".join(row))
    cross = result.class_names.index("cross")
    for way in ("real", "mixed", "oversampled", "flip_crop", "synthetic"):
        recalls = [row[cross] for row in result.way(way).recall]
        print(f"    cross recall, {result.way(way).label}: {sum(recalls) / len(recalls):.1%} (per seed: "
              + ", ".join(f"{r:.0%}" for r in recalls) + ")")
    print("    verdict:", result.verdict())


def _report(run, out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from studio.core.evaluation.report import build_report
    from studio.reporting.export import export_report

    from studio.core.files import unused_path

    app = QApplication.instance() or QApplication([])  # the charts are drawn with Qt
    folder = unused_path(out, "report")
    export_report(build_report(run), folder)
    app.processEvents()
    print(f"rare: report in {folder}")


def timing(out: Path, seeds: int) -> None:
    config = RunConfig()
    config.data.demo_images = 10_000
    config.train.steps, config.train.eval_every, config.train.device = 300, 0, "cpu"
    run, dataset, _ = _train(config, out / "runs")
    result, seconds = _check(run, dataset, seeds)
    print(f"timing: {len(dataset):,} images ({sum(result.train_counts):,} for training, {sum(result.test_counts):,} "
          f"held out) at 32 px, {seeds} seeds: the usefulness check took {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("rare", "timing", "both"), default="both")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--run", type=Path, help="for --part rare: a run trained by an earlier call, to check again")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gan-studio-bench-usefulness")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.part in ("rare", "both"):
        rare(args.out, args.seeds, args.run)
    if args.part in ("timing", "both"):
        timing(args.out, args.seeds)


if __name__ == "__main__":
    main()
