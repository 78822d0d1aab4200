"""The draft report of a run, as data: sections with editable prose, tables, charts and images.

Everything here is computed from the run folder (run.json, metrics.jsonl, samples, checkpoints,
eval records), so the figures and tables always match the data; only the prose of each section is
the analyst's to change, and those edits are kept in ``<run>/report/edits.json``. Rendering to
HTML, Markdown and PDF lives in ``studio.reporting`` (it draws with Qt, which core never imports);
the document's parts are in :mod:`studio.core.evaluation.report_model`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from studio import __version__
from studio.core.files import write_text_atomic
from studio.core.config import AUTOENCODER
from studio.core.errors import StudioError
from studio.core.evaluation.findings import Facts, Finding, problems, reassurances, status
from studio.core.evaluation.metrics import EXPLANATIONS
from studio.core.evaluation.report_pictures import filmstrip_section, final_samples_section
from studio.core.evaluation.report_model import Block, Chart, Picture, Report, Section, Series, Table
from studio.core.evaluation.vocabulary import (DYNAMICS_PROSE, FD_CURVE, PLOT_TITLES, Evaluation, curves,
                                              finite, logged_evaluations, logged_keys)
from studio.core.runs import Run
from studio.core.tasks import TaskState, quiet
from studio.core.validation import read_json

EDITS_FILE = "report/edits.json"
REPORT_EVAL_SAMPLES = 500
def load_edits(run: Run) -> dict[str, str]:
    try:
        edits = read_json(run.path / EDITS_FILE)
    except (FileNotFoundError, StudioError):
        return {}
    return edits if isinstance(edits, dict) else {}


def save_edits(run_path: Path, edits: dict[str, str]) -> None:
    write_text_atomic(Path(run_path) / EDITS_FILE, json.dumps(edits, indent=2, ensure_ascii=False))


def build_report(run: Run, task: TaskState | None = None) -> Report:
    """The draft for ``run`` with the analyst's saved prose edits applied.

    Progress counts the report's own steps; loading the data and evaluating share its cancel only.
    """
    from studio.core.data import load_dataset
    from studio.core.evaluation.evaluate import evaluate, saved_evaluations

    task = task or quiet()
    steps_total = 6

    def tick(done: int) -> None:
        task.check("Building the report")
        task.progress(done, steps_total)

    records = run.read_metrics()
    losses = [record for record in records if record.get("kind") != "eval"]
    evals = logged_evaluations(records)
    tick(0)
    try:
        dataset = load_dataset(run.data_config(), task.subtask())  # refused when the run's data is from elsewhere
        training_part, _ = run.split(dataset)
        data_problem = ""
    except StudioError as problem:
        dataset = training_part = None
        data_problem = str(problem)
    tick(1)
    latest = _latest_evaluation(run, saved_evaluations(run))
    if latest is None and training_part is not None and run.latest_checkpoint() is not None:
        latest = Evaluation.from_record(evaluate(run, training_part, "last", REPORT_EVAL_SAMPLES, task=task.subtask()))
    tick(2)
    kind = run.config.model.kind
    facts = Facts(losses=losses, evaluations=evals, latest=latest, dataset=run.info.get("dataset", {}), kind=kind)
    diagnostics = _diagnostics(run, losses)
    found = problems(facts) + [Finding("diagnostic", "red", f"A diagnostic failed: {row[0].lower()}.", row[2])
                               for row in diagnostics if row[1] == "fail" and row[0] != "No NaN losses"]
    summary = found + _reassurances(facts, found)
    tick(3)
    sections = [
        Section("summary", "Summary", _summary_prose(run, found), [_findings_table(summary)]),
        Section("run", "Run card", "The settings and the machine this run was trained with.", [_run_card(run, losses)]),
        _data_section(run, dataset, data_problem),
        _dynamics_section(kind, losses, evals, found),
        filmstrip_section(run),
    ]
    tick(4)
    sections += [
        final_samples_section(run),
        _metrics_section(latest),
        _memorisation_section(run, latest),
        *_usefulness_section(run),
        Section("diagnostics", "Diagnostics", "Checks that should all pass for a run you can rely on.",
                [Table(["Check", "Result", "Evidence"], diagnostics)]),
        Section("next", "Limitations and next steps", _next_steps(found, latest, facts), []),
        Section("appendix", "Appendix", "The full configuration of the run.",
                [Table(["Setting", "Value"], _config_rows(run))]),
    ]
    tick(5)
    report = Report(f"Training report: {run.name}", run.name, status(found), summary, sections, time.time())
    report.apply_edits(load_edits(run))
    tick(6)
    return report


def _latest_evaluation(run: Run, evaluations: list[Evaluation]) -> Evaluation | None:
    """The newest saved evaluation of the last checkpoint (the studio's own feature spaces first)."""
    last = run.last_step()
    at_last = [evaluation for evaluation in evaluations if evaluation.step == last]
    return at_last[-1] if at_last else None


_CONTRADICTED_BY = {"stable": {"divergence", "discriminator_dominates"}, "originality": {"near_copies"}}


def _reassurances(facts: Facts, found: list[Finding]) -> list[Finding]:
    """Green findings to bring the summary to three to five, leaving out any a problem contradicts."""
    if len(found) >= 3:
        return []
    rules = {finding.rule for finding in found}
    kept = [f for f in reassurances(facts) if not _CONTRADICTED_BY.get(f.rule, set()) & rules]
    return kept[: 5 - len(found)]


def _summary_prose(run: Run, found: list[Finding]) -> str:
    steps = run.last_step()
    if not found:
        verdict = "No problem rule fired: the run looks healthy by every check the studio makes."
    else:
        verdict = f"{len(found)} problem{'s' if len(found) > 1 else ''} need{'' if len(found) > 1 else 's'} attention before these results are used."
    return (f"This draft describes the run '{run.name}', trained for {steps:,} steps on "
            f"{run.info.get('dataset', {}).get('images', 0):,} images. {verdict}")


def _findings_table(findings: list[Finding]) -> Table:
    return Table(["Status", "Finding", "Evidence"], [[f.severity, f.sentence, f.evidence] for f in findings])


def _parameter_counts(run: Run) -> tuple[int, int]:
    from studio.core.models import build_models

    generator, discriminator = build_models(run.config.model, run.config.data.resolution)
    return (sum(p.numel() for p in generator.parameters()), sum(p.numel() for p in discriminator.parameters()))


def wall_time(losses: list[dict]) -> float:
    """Training seconds over all sessions (``elapsed_s`` restarts at each resume)."""
    total, previous = 0.0, 0.0
    for record in losses:
        elapsed = record.get("elapsed_s", 0.0)
        if elapsed < previous:
            total += previous
        previous = elapsed
    return total + previous


def _run_card(run: Run, losses: list[dict]) -> Table:
    config, info = run.config, run.info
    g_params, d_params = _parameter_counts(run)
    rates = sorted(record["images_per_sec"] for record in losses if finite(record.get("images_per_sec")))
    versions = ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items())
    dataset = info.get("dataset", {})
    rows = [
        ["Run", run.name],
        ["Dataset", f"{dataset.get('source', config.data.source)} · {dataset.get('images', 0):,} images at {config.data.resolution} px"],
        ["Model", f"{config.model.name} · latent {config.model.latent_dim} · G width {config.model.g_width} · D width {config.model.d_width}"],
        ["Parameters", f"G {g_params:,} · D {d_params:,}"],
        ["Hyperparameters", f"batch {config.train.batch_size} · lr G {config.train.lr_g:g} · lr D {config.train.lr_d:g} · "
                            f"Adam β {config.train.beta1:g}/{config.train.beta2:g}"],
        ["Seed", str(config.train.seed)],
        ["Device", config.train.device],
        ["Steps", f"{run.last_step():,} of {config.train.steps:,}"],
        ["Wall time", f"{wall_time(losses):,.0f} s"],
        ["Speed", f"{rates[len(rates) // 2]:,.0f} images/s (median)" if rates else "not logged"],
        ["Versions", versions],
    ]
    return Table(["Item", "Value"], rows)


def _usefulness_section(run: Run) -> list[Section]:
    """The usefulness check's figures, once it has been run (none before)."""
    from studio.core.evaluation.usefulness_result import SHORT_NAMES, read_usefulness

    try:
        result = read_usefulness(run)
    except StudioError as error:
        return [Section("usefulness", "Does synthetic data help?", f"The saved usefulness check is left out: {error}", [])]
    if result is None:
        return []
    ways = result.ways
    positions = [float(i) for i in range(len(ways))]
    accuracy = Chart("usefulness_accuracy", "Accuracy on real test images, by what the classifier was trained on",
                     "accuracy", [Series("accuracy", "#2e86ab", positions, [way.accuracy_mean for way in ways])],
                     markers=[(x, SHORT_NAMES[way.way]) for x, way in zip(positions, ways)], y_range=(0.0, 1.0), bars=True)
    classes = [float(i) for i in range(len(result.class_names))]
    recall = Chart("usefulness_recall", "Recall per class", "recall",
                   [Series(result.way("real").label, "#2e86ab", classes, result.way("real").class_recall()),
                    Series(result.way("mixed").label, "#e07a5f", classes, result.way("mixed").class_recall())],
                   markers=[(x, name) for x, name in zip(classes, result.class_names)], y_range=(0.0, 1.25),  # room for the legend
                   bars=True)
    tests = sum(result.test_counts)
    prose = (f"{result.verdict()} A small classifier was trained {result.seeds} time{'s' if result.seeds != 1 else ''} on "
             f"each set with the same schedule and tested on {tests:,} real images ({result.test_source}) that no model "
             f"had trained on; figures are the mean ± spread over the trainings (checkpoint at step {result.checkpoint_step:,}). "
             f"{result.gates}")
    return [Section("usefulness", "Does synthetic data help?", prose,
                    [accuracy, Table(["Trained on", "Accuracy", "Macro-F1"], result.table()), recall])]


def _data_section(run: Run, dataset, problem: str) -> Section:
    summary = run.info.get("dataset", {})
    classes = summary.get("classes", {})
    blocks: list[Block] = []
    if dataset is not None:
        from studio.core.imaging import make_grid

        blocks.append(Picture("real_grid", "A sample of the real training images.", make_grid(dataset.preview(min(32, len(dataset))), nrow=8), 2))
    if classes:
        names = list(classes)
        blocks.append(Chart("class_balance", "Class balance", "images",
                            [Series("images", "#2e86ab", list(range(len(names))), [float(classes[n]) for n in names])],
                            markers=[(float(i), name) for i, name in enumerate(names)], bars=True))
        blocks.append(Table(["Class", "Images"], [[name, f"{count:,}"] for name, count in classes.items()]))
    skipped = list(dataset.skipped) if dataset is not None else []
    if skipped:
        blocks.append(Table(["Skipped file", "Reason"], [[item.path, item.reason] for item in skipped[:50]]))
    where = "" if dataset is not None else f" The data could not be used now, so no images are shown: {problem}"
    prose = (f"{summary.get('images', 0):,} images from {summary.get('source', '?')} in {len(classes)} "
             f"class{'es' if len(classes) != 1 else ''}; {summary.get('skipped', 0)} files were skipped. "
             f"{run.held_out_note()}{where}")
    return Section("data", "Data overview", prose, blocks)


def _dynamics_section(kind: str, losses: list[dict], evals: list[Evaluation], found: list[Finding]) -> Section:
    steps = [float(record["step"]) for record in losses]
    best = min(evals, key=lambda evaluation: evaluation.fd) if evals else None
    markers = [(float(best.step), f"best {FD_CURVE.label}")] if best else []
    for finding in found:
        if finding.rule == "divergence":
            bad = next((r for r in losses if not all(finite(r.get(k)) for k in logged_keys(kind))), None)
            if bad is not None:
                markers.append((float(bad["step"]), "non-finite loss"))
        if finding.rule == "discriminator_dominates" and losses:
            markers.append((float(losses[-max(1, len(losses) // 4)]["step"]), "D dominates from here"))
    blocks: list[Block] = []
    for plot, y_label, y_range in (("losses", "loss", None), ("scores", "D output", (0.0, 1.0))):
        series = [Series(curve.label, curve.colour, steps, [r.get(curve.key) for r in losses])
                  for curve in curves(kind) if curve.plot == plot]
        if series:
            blocks.append(Chart(plot, PLOT_TITLES[kind][plot], y_label, series, markers, y_range=y_range))
    if evals:
        blocks.append(Chart("fd", f"{FD_CURVE.label} during training ({evals[-1].describe()})", FD_CURVE.label,
                            [Series(FD_CURVE.label, FD_CURVE.colour, [float(e.step) for e in evals], [e.fd for e in evals])],
                            markers))
    return Section("dynamics", "Training dynamics", DYNAMICS_PROSE[kind], blocks)


def _metrics_section(latest: Evaluation | None) -> Section:
    if latest is None:
        return Section("metrics", "Quality metrics", "No evaluation is available: the run has no checkpoint or no data.", [])
    prose = (f"Measured at step {latest.step:,} in {latest.feature_label}, with {latest.n_fake} generated and "
             f"{latest.n_real} real images. Numbers from different feature spaces or sample counts are not comparable.")
    return Section("metrics", "Quality metrics", prose,
                   [Table(["Metric", "Value", "What it means"], [list(row) for row in latest.rows()])])


def _memorisation_section(run: Run, latest: Evaluation | None) -> Section:
    memo = latest.memorisation if latest else None
    if not memo:
        return Section("memorisation", "Memorisation check", "No memorisation check is available.", [])
    blocks: list[Block] = []
    pairs = run.path / "eval" / latest.pairs_image
    if latest.pairs_image and pairs.exists():
        try:
            blocks.append(Picture("closest_pairs", "Closest pairs: each generated image (left) beside its nearest training "
                                  "image (right).", run.read_grid(pairs), 2))
        except StudioError as problem:
            blocks.append(Table(["Left out", "Why"], [["Closest pairs", str(problem)]]))
    blocks.append(Table(["Measure", "Value"], [
        ["Generated images checked", str(memo["samples"])],
        ["Median pixel RMSE to nearest training image", f"{memo['pixel_rmse_median']:.1f} / 255"],
        ["Closest pair pixel RMSE", f"{memo['pixel_rmse_min']:.1f} / 255"],
        ["Typical gap between training images", f"{memo['typical_training_gap']:.1f} / 255"],
        ["Median feature distance to that image", f"{memo['feature_distance_median']:.3g} ({latest.feature_label})"],
        ["Near-copy rate", f"{memo['near_copy_rate']:.1%}"],
    ]))
    prose = (f"For {memo['samples']} generated images, the nearest of the {memo['training_images']:,} training images by pixel "
             f"distance. {EXPLANATIONS['near_copy_rate']}")
    return Section("memorisation", "Memorisation check", prose, blocks)


def _diagnostics(run: Run, losses: list[dict]) -> list[list[str]]:
    from studio.core.training.checkpoints import load_checkpoint, restore_modules
    from studio.core.models import build_models
    from studio.core.sampling import Sampler, latents

    rows = []
    is_vae = run.config.model.kind == AUTOENCODER
    logged = logged_keys(run.config.model.kind)
    bad = [r["step"] for r in losses if not all(finite(r.get(k)) for k in logged)]
    rows.append(["No NaN losses", "pass" if not bad else "fail",
                 f"{len(losses):,} records, all finite" if not bad else f"first non-finite at step {bad[0]:,}"])
    checkpoint = run.latest_checkpoint()
    if checkpoint is None:
        return rows + [["Checkpoint reloads", "fail", "no checkpoint saved"]]
    try:
        tensors, sidecar = load_checkpoint(checkpoint)
        generator, second = build_models(run.config.model, run.config.data.resolution, len(sidecar.get("class_names", [])))
        restore_modules({"generator": generator, "encoder" if is_vae else "discriminator": second}, tensors)
        rows.append(["Checkpoint reloads", "pass", f"{checkpoint.name}, SHA-256 {sidecar['weights_sha256'][:12]}…"])
    except StudioError as error:
        return rows + [["Checkpoint reloads", "fail", str(error)]]
    sampler = Sampler.from_run(run, checkpoint)
    import torch

    with torch.inference_mode():
        raw = sampler.generator(latents(run.config.train.seed, 16, sampler.latent_dim), sampler.labels_for(16))
    outputs_finite = bool(torch.isfinite(raw).all())
    rows.append(["Finite outputs", "pass" if outputs_finite else "fail", f"16 images, value range {float(raw.min()):.2f} to {float(raw.max()):.2f}"])
    same = np.array_equal(sampler.generate(7, 4), sampler.generate(7, 4))
    rows.append(["Seed reproduces", "pass" if same else "fail", "seed 7 rendered twice gives identical pixels" if same else "two renders differ"])
    return rows


def _next_steps(found: list[Finding], latest: Evaluation | None, facts: Facts) -> str:
    advice = {
        "divergence": "Lower both learning rates (e.g. halve them) and resume from an earlier checkpoint.",
        "discriminator_dominates": "Weaken the discriminator: lower its learning rate or width, or add data augmentation.",
        "mode_collapse": "Try another seed, a lower generator learning rate, or a larger batch; compare the best checkpoint.",
        "no_improvement": "Use the best checkpoint rather than the last, or train with different hyperparameters.",
        "near_copies": "Review the closest pairs; add data or stop earlier if the generator reproduces training images.",
        "too_little_data": "Collect more images, or use augmentation before trusting the results.",
        "diagnostic": "Fix the failed diagnostic before sharing results: retrain or resume with the current studio version.",
    }
    lines = [advice[finding.rule] for finding in found]
    lines.append("Limitations: the metrics are measured in the feature space named beside each number; the random and classifier "
                 "spaces are not the Inception space of published FIDs, so compare runs only within one space and sample count.")
    if latest is None:
        lines.append("No evaluation could be made; open the run with its data available to measure it.")
    elif not facts.evaluations:
        lines.append("Quality was not measured during training; set 'Evaluate every' to track it and keep the best checkpoint.")
    return " ".join(lines)


def _config_rows(run: Run) -> list[list[str]]:
    rows = []
    for section, values in run.config.to_dict().items():
        rows += [[f"{section}.{name}", str(value)] for name, value in values.items()]
    return rows + [["studio version", __version__]]
