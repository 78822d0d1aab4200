"""The report of a style-transfer run: its loss curves, a before/after grid of held-out source images,
how close the translations come to the target set and how much of the source they keep, each with a
sentence on how to read it; written as HTML, PDF or Markdown by the run report's own building blocks."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from studio.core.evaluation.report_model import Chart, Picture, Report, Section, Series, Table
from studio.core.imaging import make_grid

LOSS_COLOURS = {"adversarial": "#d62728", "nce": "#1f77b4", "cycle": "#1f77b4", "identity": "#2ca02c", "d_loss": "#7f7f7f"}


def build_translation_report(run, quality) -> Report:
    """``run``: a TranslationRun; ``quality``: its :class:`~studio.core.translation.quality.TranslationQuality`."""
    config = run.config
    closer = quality.fd_translated < quality.fd_untranslated
    summary = (f"The run '{run.name}' trained a {config.model.name} translator at {config.data.resolution} px from "
               f"{config.data.source} to {config.data.target} for {quality.step:,} steps. {run.held_out_note()} "
               f"Its translations of {quality.count:,} held-out source images "
               + ("came closer to the target set than the untranslated images are." if closer else
                  "are not yet closer to the target set than the untranslated images: train longer."))
    table = Table(["Measure", "Value"], [
        ["Model", config.model.name], ["Steps", f"{quality.step:,}"], ["Images translated", f"{quality.count:,}"],
        ["FD to the target set, translated", f"{quality.fd_translated:.4g}"],
        ["FD to the target set, untranslated", f"{quality.fd_untranslated:.4g}"],
        ["SSIM with the source", f"{quality.ssim:.3f}"], ["Edge correlation with the source", f"{quality.edge_correlation:.3f}"],
    ])
    sections = [Section("summary", "Summary", summary, [table])]
    records = [record for record in run.read_metrics() if record.get("kind", "loss") == "loss"]
    names = [name for name in LOSS_COLOURS if any(name in record for record in records)]
    chart = Chart("translation_losses", "Losses", "loss", [
        Series(name, LOSS_COLOURS[name], [r["step"] for r in records if name in r], [r[name] for r in records if name in r])
        for name in names])
    sections.append(Section("curves", "Training curves",
                            "Adversarial: how well the translations fool the discriminator (LSGAN; it hovers rather than falls). "
                            "NCE (CUT) or cycle (CycleGAN): how faithfully each translation keeps its source's content; it "
                            "should fall. Identity: how little the translator changes images already in the target style.",
                            [chart]))
    grid = make_grid(np.concatenate([quality.sources, quality.translations]), nrow=len(quality.sources))
    scale = max(1, 256 // (config.data.resolution * 4))
    sections.append(Section("before_after", "Before and after",
                            "Held-out source images (top row), never seen in training, above their translations (bottom row).",
                            [Picture("translation_grid", "held-out sources above their translations", grid, scale)]))
    sections.append(Section("distance", "Distance to the target set",
                            f"Fréchet distance (FD) between the translations and the target images in {quality.feature_label}; "
                            "lower means the translations look more like the target set. The untranslated sources' FD is the "
                            "starting point: a useful translator ends well below it. Compare FDs only within one feature space.",
                            [Table(["Images", "FD to the target set"], [["translations", f"{quality.fd_translated:.4g}"],
                                                                       ["untranslated sources", f"{quality.fd_untranslated:.4g}"]])]))
    sections.append(Section("structure", "Structure kept",
                            "SSIM compares brightness patterns of each translation with its source (1: the same); a change of "
                            "palette lowers it, so read it beside the edge correlation, which asks only whether the edges sit "
                            "in the same places (1: the same outlines, 0: unrelated). A translator that keeps the scene and "
                            "changes the style keeps the edge correlation high.",
                            [Table(["Measure", "Mean over the held-out images"],
                                   [["SSIM", f"{quality.ssim:.3f}"], ["edge correlation", f"{quality.edge_correlation:.3f}"]])]))
    return Report(title=f"Translation report: {run.name}", run_name=run.name, status="green" if closer else "amber",
                  findings=[], sections=sections, created_at=time.time())


def write_translation_report(run_path: Path, out: Path, task=None) -> Path:
    """Measure the run at ``run_path`` and write its report to ``out`` (.html, .pdf or .md); returns ``out``."""
    from studio.core.translation.data import load_pair
    from studio.core.translation.quality import measure_translation
    from studio.core.translation.run import TranslationRun
    from studio.reporting.export import check_report_file, write_report_file

    check_report_file(out)
    run = TranslationRun.open(run_path)
    pair = load_pair(run.set_config("source"), run.set_config("target"), task)
    return write_report_file(build_translation_report(run, measure_translation(run, pair)), out)
