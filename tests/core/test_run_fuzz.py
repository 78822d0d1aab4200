"""Randomly tampered run folders: run.json, checkpoint sidecars and metrics lines edited at random
places. Each gives a run that works (its model builds, its optimizer steps, its charts draw) or the
studio's own one-sentence error; nothing else ever escapes."""

import copy
import json

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.core.config import ModelConfig, RunConfig
from studio.core.errors import StudioError
from studio.core.models import build_models
from studio.core.runs import Run
from studio.core.training.checkpoints import load_checkpoint, restore_modules, restore_optimizers, save_checkpoint

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**18) | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8)


def _places(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _places(child, (*prefix, key))


@st.composite
def tampered(draw, original):
    """``original`` with one to three values replaced by random JSON or removed, anywhere in it."""
    value = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(list(_places(value))))
        new = draw(JSON)
        if not place:
            value = new
            continue
        parent = value
        for key in place[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[place[-1]]
        else:
            parent[place[-1]] = new
    return value


def _one_sentence(error: StudioError) -> None:
    assert str(error) and "\n" not in str(error)


def _base_run(root):
    config = RunConfig()
    config.model.latent_dim, config.model.g_width, config.model.d_width = 8, 4, 4
    return Run.create(root, config, {"source": "demo", "images": 64, "classes": {"all": 64}, "skipped": 0})


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    run = _base_run(tmp_path_factory.mktemp("fuzz-run"))
    return run.path, json.loads((run.path / "run.json").read_text())


@FUZZ
@given(data=st.data())
def test_a_tampered_run_json_opens_or_says_why(run_folder, data):
    path, original = run_folder
    info = data.draw(tampered(original))
    (path / "run.json").write_text(json.dumps(info))
    try:
        run = Run.open(path)
    except StudioError as error:
        _one_sentence(error)
        return
    try:
        run.data_config()
    except StudioError as error:
        _one_sentence(error)
    with torch.device("meta"):
        build_models(run.config.model, run.config.data.resolution, 2)
    assert run.config.model.kind in ("gan", "vae")


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    generator, _ = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 16)
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.99))
    generator(torch.randn(2, 8)).mean().backward()
    optimizer.step()
    path = tmp_path_factory.mktemp("fuzz-checkpoint") / "step-000001.safetensors"
    save_checkpoint(path, 1, {"generator": generator}, {"generator_optimizer": optimizer},
                    extra={"class_names": ["a", "b"], "world_size": 1, "replicas_in_sync": True})
    return path, json.loads(path.with_suffix(".json").read_text())


@FUZZ
@given(data=st.data())
def test_a_tampered_sidecar_restores_a_working_optimizer_or_says_why(checkpoint, data):
    path, original = checkpoint
    sidecar = data.draw(tampered(original))
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    generator, _ = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 16)
    optimizer = torch.optim.Adam(generator.parameters())
    try:
        tensors, loaded = load_checkpoint(path)
        restore_modules({"generator": generator}, tensors)
        restore_optimizers({"generator_optimizer": optimizer}, tensors, loaded)
    except StudioError as error:
        _one_sentence(error)
        return
    assert isinstance(loaded["step"], int) and all(isinstance(name, str) for name in loaded.get("class_names", []))
    generator(torch.randn(2, 8)).mean().backward()
    optimizer.step()


GOOD_LINES = [{"step": 10, "total_steps": 30, "g_loss": 1.0, "d_loss": 1.2, "d_real": 0.6, "d_fake": 0.4,
               "images_per_sec": 300.0, "elapsed_s": 1.5, "time": 1.7e9},
              {"step": 10, "kind": "eval", "features": "random", "feature_label": "random conv features", "n_real": 32,
               "n_fake": 32, "fd": 12.5, "kid": 3.0, "eval_seconds": 0.2}]


@FUZZ
@given(lines=st.lists(st.one_of(st.sampled_from(GOOD_LINES).flatmap(tampered).map(json.dumps),
                                st.sampled_from(GOOD_LINES).map(json.dumps),
                                JSON.map(json.dumps), st.text(max_size=30)), max_size=8))
def test_tampered_metrics_lines_are_skipped_and_the_rest_charts(tmp_path_factory, qapp, lines):
    from studio.core.evaluation.report_model import Chart, Series
    from studio.reporting.charts import render_chart

    run = _base_run(tmp_path_factory.mktemp("fuzz-metrics"))
    (run.path / "metrics.jsonl").write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    records = run.read_metrics()
    assert len(records) + run.skipped_metric_lines == sum(1 for line in lines for part in line.splitlines() if part.strip())
    losses = [record for record in records if record.get("kind") != "eval"]
    evals = [record for record in records if record.get("kind") == "eval"]
    steps = [float(record["step"]) for record in losses]
    for bars in (False, True):
        chart = Chart("losses", "Losses", "loss", [Series("G loss", "#e4572e", steps, [r["g_loss"] for r in losses]),
                                                   Series("D(x)", "#3bb273", steps, [r["d_real"] for r in losses])],
                      markers=[(float(e["step"]), f"FD {e['fd']}") for e in evals], bars=bars)
        assert render_chart(chart).width() > 0
    run.truncate_metrics(10)
    assert all(record["step"] <= 10 for record in run.read_metrics())
