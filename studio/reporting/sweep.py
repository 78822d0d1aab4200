"""The sweep report: what a hyperparameter sweep searched, every trial, its plots, the best settings
and what they changed from the defaults, as one HTML, PDF or Markdown file.

Built as a :class:`~studio.core.evaluation.report_model.Report` from :func:`studio.core.sweep.jobs.sweep_results`,
so it is drawn and written by the run report's own building blocks (charts, HTML, Markdown, PDF).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from studio.core.evaluation.report_model import Chart, Report, Section, Series, Table
from studio.core.sweep.results import TRIAL_COLUMNS, SweepResults, trial_cells
from studio.core.sweep.space import CHOICE, label, value_text

COMPLETE_COLOUR, PRUNED_COLOUR, FAILED_COLOUR, BEST_COLOUR = "#1f77b4", "#9e9e9e", "#c62828", "#2e7d32"


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def count_states(results: SweepResults) -> dict[str, int]:
    counts = {"COMPLETE": 0, "PRUNED": 0, "FAIL": 0, "RUNNING": 0}
    for row in results.trials:
        if row.state in counts:
            counts[row.state] += 1
    return counts


def build_sweep_report(results: SweepResults) -> Report:
    """The sweep's report: summary, best settings, search space, trials and plots."""
    spec, best, counts = results.spec, results.best, count_states(results)
    name = results.folder.name
    status = "red" if best is None else "amber" if counts["FAIL"] else "green"
    wall = sum(row.seconds for row in results.trials)
    budget = " and ".join(filter(None, [f"{spec.trials} trials" if spec.trials else "",
                                        f"{spec.timeout_min:g} minutes of training" if spec.timeout_min else ""]))
    source = "the built-in demo set" if spec.data.source == "demo" else spec.data.source
    summary = (f"The sweep '{name}' trained {len(results.trials)} trials on {source} at {spec.data.resolution} px "
               f"(budget: {budget}; {spec.steps:,} steps per trial, FD measured every {spec.eval_every:,} steps on "
               f"{spec.eval_samples:,} images in the {spec.features} feature space, device {spec.device}). "
               f"Training took {_minutes(wall)} in all, pauses left out.\n\n"
               f"{counts['COMPLETE']} trials completed, {counts['PRUNED']} were pruned (stopped early because their FD "
               f"was worse than the median of earlier trials) and {counts['FAIL']} failed"
               + (f"; {counts['RUNNING']} was interrupted and continues when the sweep runs again" if counts["RUNNING"] else "")
               + ".")
    summary_table = Table(["Measure", "Value"], [
        ["Trials run", str(len(results.trials))], ["Completed", str(counts["COMPLETE"])],
        ["Pruned", str(counts["PRUNED"])], ["Failed", str(counts["FAIL"])],
        ["Trial budget", str(spec.trials) if spec.trials else "no limit"],
        ["Time limit", f"{spec.timeout_min:g} min" if spec.timeout_min else "no limit"],
        ["Steps per trial", f"{spec.steps:,}"], ["Training time", _minutes(wall)],
        ["Best FD", f"{best.value:.4g} (trial {best.number})" if best else "none yet"],
    ])
    sections = [Section("summary", "Summary", summary, [summary_table])]

    if best is None:
        sections.append(Section("best", "Best settings", "No trial has completed yet, so there are no best settings."))
    else:
        changed = results.changed
        prose = (f"Trial {best.number} reached the lowest FD, {best.value:.4g}, in {best.steps:,} steps; its run folder "
                 f"is {best.run_path}. ")
        prose += ("Compared with a new run's defaults, it changed the options below." if changed else
                  "Its settings are the same as a new run's defaults.")
        blocks = [Table(["Option", "Default", "Best trial"],
                        [[f"{option} ({label(option)})", _value(default), _value(value)]
                         for option, (default, value) in changed.items()])] if changed else []
        blocks.append(Table(["Searched option", "Best trial's value"],
                            [[option, _value(value)] for option, value in best.params.items()]))
        sections.append(Section("best", "Best settings", prose, blocks))

    space_rows = []
    for parameter in spec.space:
        if parameter.enabled:
            values = (", ".join(value_text(c) for c in parameter.choices) if parameter.kind == CHOICE
                      else f"{value_text(parameter.low)} to {value_text(parameter.high)}")
            scale = "choice" if parameter.kind == CHOICE else "log" if parameter.log else "linear"
            space_rows.append([parameter.name, label(parameter.name), "searched", values, scale])
        else:
            fixed = "the training settings' value" if parameter.value is None else value_text(parameter.value)
            space_rows.append([parameter.name, label(parameter.name), "fixed", fixed, ""])
    sections.append(Section("space", "Search space", "The options Optuna chose values for, and the ones held fixed.",
                            [Table(["Option", "Label", "Searched", "Values", "Scale"], space_rows)]))

    trial_rows = [[*trial_cells(row), row.message] for row in results.trials]
    sections.append(Section("trials", "Trials", "Every trial with the best FD it measured.",
                            [Table([*TRIAL_COLUMNS, "Note"], trial_rows)]))
    sections.append(Section("plots", "Plots", _plots_prose(results), sweep_charts(results)))
    return Report(title=f"Sweep report: {name}", run_name=name, status=status, findings=[], sections=sections,
                  created_at=time.time())


def _plots_prose(results: SweepResults) -> str:
    text = ("The history shows each trial's best FD (points) and the best so far (line). In the FD curves a dashed "
            "grey line ending in × is a pruned trial.")
    if results.importances:
        text += f" Importances are shares of how much each option mattered for FD ({results.importance_method})."
    else:
        text += f" {results.importance_method}"
    return text


def sweep_charts(results: SweepResults) -> list[Chart]:
    """The optimisation history, the FD curves of every trial and the importances."""
    valued, best_line = results.finished_with_value, results.best_line
    history = Chart("sweep_history", "Optimisation history", "best FD (log scale)", [
        Series("trial", COMPLETE_COLOUR, [row.number for row in valued], [row.value for row in valued], style="points"),
        Series("best so far", BEST_COLOUR, [n for n, _ in best_line], [v for _, v in best_line]),
    ], x_label="trial", log_y=True)
    curves = [Series("", PRUNED_COLOUR if row.state == "PRUNED" else FAILED_COLOUR if row.state == "FAIL"
                     else COMPLETE_COLOUR, [s for s, _ in row.curve], [v for _, v in row.curve],
                     style="cut" if row.state == "PRUNED" else "line")
              for row in results.trials if row.curve]
    curves += [Series("completed", COMPLETE_COLOUR, [], []), Series("pruned", PRUNED_COLOUR, [], [], style="cut")]
    charts = [history, Chart("sweep_curves", "FD of every trial", "FD (log scale)", curves, log_y=True)]
    if results.importances:
        names = list(results.importances)
        charts.append(Chart("sweep_importances", "What mattered for FD", "share of importance",
                            [Series("importance", COMPLETE_COLOUR, list(range(len(names))),
                                    [results.importances[n] for n in names])],
                            markers=[(index, name) for index, name in enumerate(names)], bars=True, x_label=""))
    return charts


def write_sweep_report(folder: Path, out: Path) -> Path:
    """Write the report of the sweep in ``folder`` to ``out`` (.html, .pdf or .md; Markdown's images go
    into ``<name>-assets/`` beside it); returns ``out``."""
    from studio.core.sweep.jobs import sweep_results
    from studio.reporting.export import check_report_file, write_report_file

    check_report_file(out)
    return write_report_file(build_sweep_report(sweep_results(Path(folder))), out)
