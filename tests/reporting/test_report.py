"""The draft report of a real (tiny) run, exported to HTML, PDF and Markdown and read back."""

import json
import re
import unicodedata

import pytest
from pypdf import PdfReader

from studio.core.training.events import QualityMeasured
from studio.core.runs import Run

HEADINGS = ("Summary", "Run card", "Data overview", "Training dynamics", "Progress filmstrip", "Final samples",
            "Quality metrics", "Memorisation check", "Diagnostics", "Limitations and next steps", "Appendix")


@pytest.fixture(scope="module")
def exported(evaluated_run, tmp_path_factory, qapp):
    """The report exported in every format (pytest-qt's QApplication serves the Qt drawing)."""
    from studio.core.evaluation.report import build_report
    from studio.reporting.export import export_report

    run = Run.open(evaluated_run[0])
    report = build_report(run)
    out = tmp_path_factory.mktemp("report")
    export_report(report, out)
    return report, out


def test_training_measures_quality_keeps_the_best_checkpoint_and_logs_it(evaluated_run):
    path, events = evaluated_run
    measured = [event for event in events if isinstance(event, QualityMeasured)]
    steps = [event.step for event in measured]
    assert steps[0] == 10 and all(step % 10 == 0 for step in steps)  # later ones may be spaced out on a CPU
    rows = [row for row in Run.open(path).read_metrics() if row.get("kind") == "eval"]
    assert [row["step"] for row in rows] == steps
    assert all(row["n_fake"] == 32 and "random conv features" in row["feature_label"] for row in rows)
    sidecar = json.loads((path / "checkpoints" / "best.json").read_text())
    assert sidecar["metric"]["fd"] == min(row["fd"] for row in rows)


def test_the_pdf_opens_with_every_section_and_the_run_figures(exported):
    report, out = exported
    reader = PdfReader(out / "report.pdf")
    assert len(reader.pages) >= 4
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages)))
    for heading in HEADINGS:
        assert heading in text, heading
    fd = report.section("metrics").blocks[0].rows[0][1]
    assert f"FD {fd}" in text
    assert "random conv features" in text and "run <i>x" in text


def test_pdf_images_are_embedded_losslessly(exported):
    _, out = exported
    filters = set()
    for page in PdfReader(out / "report.pdf").pages:
        for image in page["/Resources"].get("/XObject", {}).values():
            filters.add(str(image.get_object().get("/Filter")))
    assert filters and not any("DCT" in f for f in filters)


def test_html_is_self_contained_and_escapes_hostile_names(exported):
    _, out = exported
    html = (out / "report.html").read_text()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html and "&lt;b&gt;broken.png" in html
    assert "run &lt;i&gt;x" in html
    sources = re.findall(r"(?:src|href)=['\"]([^'\"]*)", html)
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    assert not re.search(r"url\(|@import|<link", html)


def test_markdown_links_its_assets_and_escapes_names(exported):
    _, out = exported
    md = (out / "report.md").read_text()
    links = re.findall(r"\]\((assets/[^)]+)\)", md)
    assert links and all((out / link).exists() for link in links)
    assert "<script>" not in md and "&lt;script&gt;" in md
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"report.html", "report.pdf", "report.md"} <= set(manifest["files"])


def test_diagnostics_pass_on_a_healthy_checkpoint(exported):
    report, _ = exported
    rows = report.section("diagnostics").blocks[0].rows
    assert {row[0] for row in rows} == {"No NaN losses", "Checkpoint reloads", "Finite outputs", "Seed reproduces"}
    assert all(row[1] == "pass" for row in rows)
    assert 3 <= len(report.findings) <= 5
    assert any(f.rule == "too_little_data" for f in report.findings)


def test_saved_prose_edits_reach_the_next_draft(evaluated_run):
    from studio.core.evaluation.report import build_report, save_edits

    save_edits(evaluated_run[0], {"summary": "Edited by the analyst."})
    try:
        assert build_report(Run.open(evaluated_run[0])).section("summary").prose == "Edited by the analyst."
    finally:
        (evaluated_run[0] / "report" / "edits.json").unlink()


def test_a_conditional_run_shows_final_samples_per_class(tmp_path):
    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.evaluation.report import build_report
    from studio.core.training.trainer import Trainer
    from tests.data_files import hostile_folder

    config = RunConfig()
    config.data.source = str(hostile_folder(tmp_path / "data"))
    config.model.latent_dim, config.model.g_width, config.model.d_width, config.model.conditional = 16, 8, 8, "on"
    config.train.steps, config.train.batch_size, config.train.eval_every, config.train.device = 6, 16, 0, "cpu"
    dataset = load_dataset(config.data)
    run = Run.create(tmp_path / "runs", config, dataset.summary())
    Trainer(run, dataset).run()

    pictures = build_report(Run.open(run.path)).section("samples").blocks
    assert [picture.caption for picture in pictures] == ["Class <script>", "Class plain & simple"]
    assert all(picture.image.shape[1] > 8 * 32 for picture in pictures)


def test_a_vae_report_names_its_own_losses_and_never_a_discriminator(tmp_path, tiny_config):
    from studio.core.data import load_dataset
    from studio.core.evaluation.report import build_report
    from studio.core.training.trainer import Trainer

    tiny_config.model.name = "vae"
    tiny_config.train.steps, tiny_config.train.eval_every, tiny_config.train.device = 10, 0, "cpu"
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path / "runs", tiny_config, dataset.summary())
    Trainer(run, dataset).run()

    report = build_report(Run.open(run.path))
    charts = report.section("dynamics").blocks
    assert [[series.name for series in chart.series] for chart in charts] == [["Reconstruction", "KL divergence"]]
    words = " ".join([report.section("dynamics").prose] + [finding.sentence for finding in report.findings])
    assert "Reconstruction" in words and "D(x)" not in words and "D(G(z))" not in words and "nan" not in words


def test_a_usefulness_check_becomes_a_section_once_it_has_been_run(evaluated_run, tmp_path, qapp):
    import shutil

    from studio.core.evaluation.report import build_report
    from studio.core.evaluation.usefulness_result import RESULT_FILE, WAYS, UsefulnessResult, WayResult
    from studio.reporting.export import export_report

    run = Run.open(shutil.copytree(evaluated_run[0], tmp_path / "run"))
    assert "usefulness" not in [section.key for section in build_report(run).sections]

    figures = {"real": 0.80, "synthetic": 0.55, "mixed": 0.86, "oversampled": 0.81, "flip_crop": 0.79}
    ways = [WayResult(way, [figures[way], figures[way] + 0.01], [0.7, 0.72], [[0.9, 0.2], [0.9, 0.3]]) for way in WAYS]
    ways[2].recall[:] = [[0.9, 0.7], [0.92, 0.75]]
    result = UsefulnessResult(["<script>", "plain & simple"], [40, 8], [5, 1], [0, 32], 2, ways, "the run's held-out test images",
                              12.0, 30)
    (run.path / RESULT_FILE).write_text(json.dumps(result.to_dict()))
    section = build_report(run).section("usefulness")
    assert section.prose.startswith("Adding synthetic images raised the recall of the rare class 'plain & simple' from 25% to 72%")
    assert [row[0] for row in section.blocks[1].rows] == list(WAYS.values())

    out = tmp_path / "report"
    export_report(build_report(run), out)
    markdown = (out / "report.md").read_text()
    assert "Does synthetic data help?" in markdown and "&lt;script&gt;" in (out / "report.html").read_text()
