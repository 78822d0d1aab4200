"""The sweep report: a sweep run with a fast stand-in for training, written as HTML, PDF and Markdown
and read back; and the command that writes it."""

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from studio.core.config import DataConfig
from studio.core.sweep.jobs import create_sweep, plan_sweep, sweep_results
from studio.core.sweep.runner import SweepRunner, TrialOutcome
from studio.reporting.sweep import build_sweep_report, write_sweep_report

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def drawing(qapp):
    """pytest-qt's QApplication serves the Qt drawing, so later GUI tests in the same process find a
    QApplication rather than the plain QGuiApplication the command line would make."""
    yield


def fake_training(job, hooks):
    """FD falls with the steps and is lowest near lr_g = 1e-3; trial 1 fails, late trials are pruned."""
    job.run_path.mkdir(parents=True, exist_ok=True)
    hooks.attach(SimpleNamespace(pause=lambda: None, resume=lambda: None, stop=lambda: None))
    if job.number == 1:
        return TrialOutcome(0, "The device ran out of memory.")
    train, step = job.config.train, 0
    while step < train.steps:
        step += train.eval_every
        fd = abs(math.log10(job.params["lr_g"]) + 3) + 10 / step + (5 if job.number >= 5 else 0)
        if hooks.report(step, fd):
            break
    return TrialOutcome(step)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweeps") / "lr-search"
    spec = plan_sweep(DataConfig(demo_images=64, resolution=16), SimpleNamespace(class_names=["a", "b"]),
                      trials=8, steps=60, eval_every=10, seed=3)
    create_sweep(folder, spec)
    SweepRunner(folder, None, train_trial=fake_training).run()
    return folder


def test_report_sections_and_numbers_match_the_results(sweep, tmp_path):
    results = sweep_results(sweep)
    states = [row.state for row in results.trials]
    assert "PRUNED" in states and "FAIL" in states and "COMPLETE" in states
    report = build_sweep_report(results)
    assert [s.key for s in report.sections] == ["summary", "best", "space", "trials", "plots"]
    assert report.status == "amber"  # a trial failed

    html = write_sweep_report(sweep, tmp_path / "report.html").read_text(encoding="utf-8")
    for heading in ("Summary", "Best settings", "Search space", "Trials", "Plots"):
        assert f"<h2>{heading}</h2>" in html
    assert f"{results.best.value:.4g} (trial {results.best.number})" in html
    assert f"<td>Pruned</td><td>{states.count('PRUNED')}</td>" in html
    assert f"<td>Failed</td><td>{states.count('FAIL')}</td>" in html
    assert "The device ran out of memory." in html
    for option, (default, best) in results.changed.items():
        assert f"<td>{option} (" in html
    for row in results.trials:
        assert f"<tr><td>{row.number}</td>" in html
    assert html.count("data:image/png;base64,") == 3  # history, curves, importances

    markdown_path = write_sweep_report(sweep, tmp_path / "md" / "sweep.md")
    markdown = markdown_path.read_text(encoding="utf-8")
    assert "## Best settings" in markdown and "## Search space" in markdown
    images = re.findall(r"\]\((sweep-assets/[^)]+\.png)\)", markdown)
    assert len(images) == 3 and all((markdown_path.parent / image).stat().st_size > 1000 for image in images)

    from pypdf import PdfReader

    pdf = PdfReader(write_sweep_report(sweep, tmp_path / "report.pdf"))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Search space" in text and "Best settings" in text and f"{results.best.value:.4g}" in text


def test_a_sweep_without_completed_trials_says_so(tmp_path):
    folder = tmp_path / "empty"
    create_sweep(folder, plan_sweep(DataConfig(demo_images=64, resolution=16), SimpleNamespace(class_names=[]),
                                    trials=2, steps=20, eval_every=10))
    report = build_sweep_report(sweep_results(folder))
    assert report.status == "red"
    assert "No trial has completed yet" in report.sections[1].prose


def test_the_command_writes_the_report_and_refuses_other_suffixes(sweep, tmp_path):
    out = tmp_path / "sweep.html"
    command = [sys.executable, "-m", "studio", "sweep", "report", str(sweep), "--out"]
    done = subprocess.run(command + [str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and "Optimisation history" in out.read_text(encoding="utf-8")
    refused = subprocess.run(command + [str(tmp_path / "sweep.docx")], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "must end in .html, .pdf or .md" in refused.stderr
