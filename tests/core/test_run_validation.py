"""Tampered run folders: every bad file or field is one sentence naming the file and the field, and a
run's dataset outside its folder is never read unless this studio recorded it or the analyst chose it."""

import json
import os

import pytest
import torch

from studio.core.config import ModelConfig, RunConfig, check
from studio.core.data_source import DataSourceNotApproved
from studio.core.errors import StudioError
from studio.core.explore.directions import Directions, directions_path, load_directions, save_directions
from studio.core.explore.favourites import Favourite, Source, load_favourites, save_favourites
from studio.core.explore.latent_spec import LatentSpec
from studio.core.models import build_models
from studio.core.runs import Run
from studio.core.training.checkpoints import load_checkpoint, restore_optimizers, save_checkpoint
from tests.data_files import png_bytes

LOSS = {"g_loss": 1.0, "d_loss": 1.0, "d_real": 0.5, "d_fake": 0.5}


def image_folder(path):
    path.mkdir(parents=True)
    for index in range(3):
        (path / f"secret-{index}.png").write_bytes(png_bytes())
    return path


def edited(run, change):
    """The run's run.json after ``change(info)``."""
    info = json.loads((run.path / "run.json").read_text())
    change(info)
    (run.path / "run.json").write_text(json.dumps(info))
    return run.path / "run.json"


def refused(path_or_call, *fragments):
    with pytest.raises(StudioError) as caught:
        path_or_call()
    sentence = str(caught.value)
    assert "\n" not in sentence and sentence.endswith("."), sentence
    for fragment in fragments:
        assert fragment in sentence, sentence
    return sentence


# ---------------------------------------------------------------------------------------------- run.json
@pytest.mark.parametrize(("section", "key", "value", "field", "words"), [
    ("model", "name", "biggan", "config.model.name", "Model must be one of dcgan, sngan, vae, not 'biggan'"),
    ("model", "latent_dim", -5, "config.model.latent_dim", "Latent size must be at least 2, not -5"),
    ("model", "latent_dim", "64", "config.model.latent_dim", "Latent size must be a whole number"),
    ("data", "resolution", 100_000, "config.data.resolution", "Resolution must be one of 16, 32, 64, 128, 256"),
    ("train", "steps", 10**40, "config.train.steps", "Steps must be at most"),
    ("train", "lr_g", True, "config.train.lr_g", "Learning rate G must be a number"),
    ("train", "warp_speed", 9, "config.train.warp_speed", "unknown setting"),
])
def test_a_bad_config_value_names_the_file_and_the_field(tmp_path, section, key, value, field, words):
    run = Run.create(tmp_path, RunConfig(), {})
    file = edited(run, lambda info: info["config"][section].__setitem__(key, value))
    refused(lambda: Run.open(run.path), str(file), f"at {field}:", words)


def test_a_model_too_large_to_allocate_is_refused_before_torch_sees_it(tmp_path):
    config = RunConfig()
    config.model.name, config.model.g_width, config.model.d_width, config.data.resolution = "sngan", 512, 512, 256
    refused(lambda: check(config), "million weights", "lower the widths or the resolution")
    run = Run.create(tmp_path, RunConfig(), {})
    edited(run, lambda info: info["config"].update(model={"name": "sngan", "g_width": 512, "d_width": 512},
                                                   data={"resolution": 256}))
    refused(lambda: Run.open(run.path), "at config.model.g_width:", "million weights")
    config.model.g_width = config.model.d_width = 64
    check(config)  # a large but reasonable model still passes


@pytest.mark.parametrize(("text", "words"), [
    (b'{"config": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested more than 20 levels"),
    (b'{"config": {}, "created_at": ' + b"9" * 5000 + b"}", "not valid JSON (a number is too long)"),
    (b'{"config": {}, "x": ' + b"[" * 25 + b"]" * 25 + b"}", "nested more than 20 levels"),
    (b"\xff\xfe{}", "not valid JSON"),
])
def test_unreadable_json_is_one_sentence(tmp_path, text, words):
    (tmp_path / "run.json").write_bytes(text)
    refused(lambda: Run.open(tmp_path), str(tmp_path / "run.json"), words)


def test_summary_fields_the_report_prints_are_checked(tmp_path):
    run = Run.create(tmp_path, RunConfig(), {"images": 10})
    file = edited(run, lambda info: info["dataset"].__setitem__("images", "ten"))
    refused(lambda: Run.open(run.path), str(file), "at dataset.images:", "expected a whole number")
    edited(run, lambda info: info.update(dataset={"classes": {"cat": [1]}}))
    refused(lambda: Run.open(run.path), "at dataset.classes.cat:")
    edited(run, lambda info: info.update(dataset={}, versions={"torch": 2}))
    refused(lambda: Run.open(run.path), "at versions.torch:", "expected text")


def test_a_huge_run_json_is_refused_from_its_size_without_reading_it(tmp_path):
    with open(tmp_path / "run.json", "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: reading it would take 2 GiB
    refused(lambda: Run.open(tmp_path), "2,048.0 MiB, over the limit of 16.0 MiB", "GAN_STUDIO_MAX_JSON_MB")


def test_a_pipe_in_place_of_run_json_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "run.json")
    refused(lambda: Run.open(tmp_path), "run.json' is not a regular file")


# ----------------------------------------------------------------------------------------- metrics.jsonl
def test_damaged_metrics_lines_are_skipped_and_counted(tmp_path):
    run = Run.create(tmp_path, RunConfig(), {})
    good = [{"step": 10, **LOSS}, {"step": 20, **LOSS, "g_loss": float("nan")},
            {"step": 20, "kind": "eval", "fd": 3.0, "feature_label": "random conv features", "n_fake": 32}]
    bad = ["[1, 2]", '"text"', "17", '{"g_loss": 1}', '{"step": "5", "g_loss": 1, "d_loss": 1, "d_real": 1, "d_fake": 1}',
           '{"step": NaN, "g_loss": 1, "d_loss": 1, "d_real": 1, "d_fake": 1}', '{"step": 1e400}',
           '{"step": 30, "g_loss": "x", "d_loss": 1, "d_real": 1, "d_fake": 1}', '{"step": 30, "kind": ["eval"]}',
           '{"step": 30, "d_loss": 1}', '{"step": 30, "kind": "eval", "fd": 1}', "[" * 5000, '{"step": 3' + "0" * 5000 + "}",
           '{"step": -1, "g_loss": 1, "d_loss": 1, "d_real": 1, "d_fake": 1}']
    lines = [json.dumps(good[0]), *bad[:7], json.dumps(good[1]), *bad[7:], json.dumps(good[2]), ""]
    (run.path / "metrics.jsonl").write_text("\n".join(lines))
    records = run.read_metrics()
    assert [record["step"] for record in records] == [10, 20, 20]
    assert run.skipped_metric_lines == len(bad)
    run.truncate_metrics(15)
    assert [record["step"] for record in Run.open(run.path).read_metrics()] == [10]


def test_a_huge_metrics_log_is_refused_from_its_size(tmp_path, monkeypatch):
    run = Run.create(tmp_path, RunConfig(), {})
    (run.path / "metrics.jsonl").write_text(json.dumps({"step": 1, **LOSS}) + "\n" * 3000)
    monkeypatch.setenv("GAN_STUDIO_MAX_METRICS_MB", "0.001")
    refused(run.read_metrics, "metrics.jsonl", "over the limit", "GAN_STUDIO_MAX_METRICS_MB")
    monkeypatch.setenv("GAN_STUDIO_MAX_METRICS_MB", "lots")
    refused(run.read_metrics, "GAN_STUDIO_MAX_METRICS_MB must be a positive number of MiB, not 'lots'")


# ------------------------------------------------------------------------------------------- checkpoints
@pytest.fixture
def checkpoint(tmp_path):
    generator, _ = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 16)
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3)
    generator(torch.randn(2, 8)).mean().backward()
    optimizer.step()
    path = tmp_path / "step-000001.safetensors"
    save_checkpoint(path, 1, {"generator": generator}, {"generator_optimizer": optimizer}, extra={"class_names": ["a"]})
    return path, generator


def tamper_sidecar(path, change):
    sidecar = path.with_suffix(".json")
    raw = json.loads(sidecar.read_text())
    change(raw)
    sidecar.write_text(json.dumps(raw))
    return sidecar


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda raw: raw.update(step="12"), "step", "expected a whole number from 0 to 10,000,000, not '12'"),
    (lambda raw: raw.update(step=10**30), "step", "expected a whole number"),
    (lambda raw: raw.update(class_names=5), "class_names", "expected a list of at most 100,000 texts, not 5"),
    (lambda raw: raw.update(class_names=["a", 3]), "class_names", "expected a list"),
    (lambda raw: raw.update(weights_sha256=7), "weights_sha256", "expected text"),
    (lambda raw: raw.update(optimizers=[]), "optimizers", "expected a JSON object"),
    (lambda raw: raw["optimizers"]["generator_optimizer"][0].update(lr="fast"),
     "optimizers.generator_optimizer[0].lr", "expected a finite number from 0 to 1e+06"),
    (lambda raw: raw["optimizers"]["generator_optimizer"][0].update(betas=[0.5]),
     "optimizers.generator_optimizer[0].betas", "expected a list of 2 finite numbers from 0 to 0.99999"),
    (lambda raw: raw["optimizers"]["generator_optimizer"][0].update(amsgrad="yes"),
     "optimizers.generator_optimizer[0].amsgrad", "expected true or false"),
    (lambda raw: raw["optimizers"]["generator_optimizer"][0].update(params="all"),
     "optimizers.generator_optimizer[0].params", "expected a list of parameter numbers"),
    (lambda raw: raw.update(metric=4), "metric", "expected a JSON object"),
])
def test_a_tampered_sidecar_names_the_file_and_the_field(checkpoint, change, field, words):
    path, _ = checkpoint
    sidecar = tamper_sidecar(path, change)
    refused(lambda: load_checkpoint(path), str(sidecar), f"at {field}:", words)


def test_a_deeply_nested_sidecar_is_one_sentence(checkpoint):
    path, _ = checkpoint
    text = path.with_suffix(".json").read_text()
    path.with_suffix(".json").write_text(text[:-1] + ', "metric": ' + "{\"a\": " * 100_000 + "1" + "}" * 100_000 + "}")
    refused(lambda: load_checkpoint(path), "nested more than 20 levels")


def test_optimizer_state_that_does_not_fit_the_model_is_one_sentence(checkpoint):
    path, generator = checkpoint
    tensors, sidecar = load_checkpoint(path)
    fresh = torch.optim.Adam(generator.parameters())
    restore_optimizers({"generator_optimizer": fresh}, tensors, sidecar)  # the untouched state fits
    key = sorted(key for key in tensors if key.endswith(".exp_avg"))[0]  # safetensors gives no fixed key order
    misfit = torch.zeros(tensors[key].numel() + 1)  # a shape no parameter of this slot has
    for bad in ({**tensors, key: misfit}, {**tensors, "generator_optimizer.state.x.exp_avg": torch.zeros(1)},
                {**tensors, "generator_optimizer.state.999.exp_avg": torch.zeros(1)}):
        refused(lambda: restore_optimizers({"generator_optimizer": fresh}, bad, sidecar),
                "generator_optimizer state does not match this run's model settings")
    fewer = {**sidecar, "optimizers": {"generator_optimizer": [{**sidecar["optimizers"]["generator_optimizer"][0], "params": [0]}]}}
    refused(lambda: restore_optimizers({"generator_optimizer": fresh}, tensors, fewer), "does not match")


# ------------------------------------------------------------------------------------ favourites, directions
def test_tampered_favourites_name_the_field(tmp_path):
    config = RunConfig()
    config.model.latent_dim = 8
    run = Run.create(tmp_path, config, {})
    good = Favourite("ab" * 32, LatentSpec(seed=3, latent=tuple([0.5] * 8), dimension_offsets={7: 1.0}), "nice",
                     (Source("mine.png", "ef" * 32),))
    save_favourites(run, [good])
    assert load_favourites(run) == [good]
    path = run.path / "favourites.json"
    for change, field in ((lambda item: item.update(seed="3"), "favourites[0].seed"),
                          (lambda item: item.update(seed=2**70), "favourites[0].seed"),
                          (lambda item: item.update(latent=[0.5] * 9), "favourites[0].latent"),
                          (lambda item: item.update(latent=[float("nan")] * 8), "favourites[0].latent"),
                          (lambda item: item.update(psi=[1]), "favourites[0].psi"),
                          (lambda item: item.update(dimension_offsets={"8": 1.0}), "favourites[0].dimension_offsets.8"),
                          (lambda item: item.update(direction_offsets={"²": 1.0}), "favourites[0].direction_offsets.²"),
                          (lambda item: item.update(class_index=-1), "favourites[0].class_index"),
                          (lambda item: item.update(sources=[{"file": "a.png"}]), "favourites[0].sources[0].sha256"),
                          (lambda item: item.update(sources=[{"file": 1, "sha256": ""}]), "favourites[0].sources[0].file"),
                          (lambda item: item.update(sources=[{"file": "a", "sha256": ""}] * 3), "favourites[0].sources")):
        raw = {"format": "gan-studio-favourites/1", "favourites": [good.to_dict()]}
        change(raw["favourites"][0])
        path.write_text(json.dumps(raw))
        refused(lambda: load_favourites(run), str(path), f"at {field}:")
    path.write_text(json.dumps({"favourites": 3}))
    refused(lambda: load_favourites(run), "at favourites:")


def test_damaged_cached_directions_are_computed_again_rather_than_used(tmp_path):
    config = RunConfig()
    config.model.latent_dim = 4
    run = Run.create(tmp_path, config, {})
    fingerprint = "cd" * 32
    directions = Directions(fingerprint, "net.1", 64, torch.eye(4)[:2].numpy(), (0.5, 0.2))
    save_directions(run, directions)
    assert load_directions(run, fingerprint).variance_share == (0.5, 0.2)
    path = directions_path(run, fingerprint)
    raw = json.loads(path.read_text())
    for change in (lambda r: r.update(vectors=[[1.0] * 5, [0.0] * 5]), lambda r: r.update(vectors="x"),
                   lambda r: r.update(samples="64"), lambda r: r.update(variance_share=[0.5]),
                   lambda r: r.update(vectors=[[1e9] * 4] * 2)):
        changed = json.loads(json.dumps(raw))
        change(changed)
        path.write_text(json.dumps(changed))
        assert load_directions(run, fingerprint) is None
    path.write_text("[" * 100_000)
    assert load_directions(run, fingerprint) is None


# ------------------------------------------------------------------------------------------- data source
def test_a_received_source_outside_the_run_is_not_followed(tmp_path):
    image_folder(tmp_path / "private")
    run = Run.create(tmp_path / "runs", RunConfig(), {})
    for source in ("../../private", str(tmp_path / "private"), "~"):
        edited(run, lambda info: info["config"]["data"].__setitem__("source", source))
        with pytest.raises(DataSourceNotApproved) as caught:
            Run.open(run.path).data_config()
        assert caught.value.source == source and "outside the run folder" in str(caught.value)


def test_the_report_of_a_received_run_shows_nothing_of_a_folder_it_points_to(tmp_path):
    from studio.core.evaluation.report import build_report

    image_folder(tmp_path / "private")
    run = Run.create(tmp_path / "runs", RunConfig(), {})
    edited(run, lambda info: info["config"]["data"].__setitem__("source", "../../private"))
    report = build_report(Run.open(run.path))
    data = report.section("data")
    assert "could not be used now" in data.prose
    assert "secret-" not in json.dumps([repr(block) for block in data.blocks])


def test_a_source_inside_the_run_resolves_against_the_run_folder(tmp_path):
    run = Run.create(tmp_path, RunConfig(), {})
    image_folder(run.path / "data")
    edited(run, lambda info: info["config"]["data"].__setitem__("source", "data"))
    assert Run.open(run.path).data_config().source == str((run.path / "data").resolve())


def test_a_link_inside_the_run_that_leaves_it_is_outside(tmp_path):
    outside = image_folder(tmp_path / "private")
    run = Run.create(tmp_path / "runs", RunConfig(), {})
    os.symlink(outside, run.path / "data")
    edited(run, lambda info: info["config"]["data"].__setitem__("source", "data"))
    with pytest.raises(DataSourceNotApproved):
        Run.open(run.path).data_config()


def test_this_studios_own_runs_need_no_question_but_another_studios_do(tmp_path, monkeypatch):
    data = image_folder(tmp_path / "data")
    config = RunConfig()
    config.data.source = str(data)
    run = Run.create(tmp_path / "runs", config, {})
    assert Run.open(run.path).data_config().source == str(data)
    edited(run, lambda info: info["config"]["data"].__setitem__("source", str(tmp_path)))  # the seal was for data/
    with pytest.raises(DataSourceNotApproved):
        Run.open(run.path).data_config()
    edited(run, lambda info: info["config"]["data"].__setitem__("source", str(data)))
    monkeypatch.setenv("GAN_STUDIO_HOME", str(tmp_path / "another-studio"))
    with pytest.raises(DataSourceNotApproved):
        Run.open(run.path).data_config()


def test_a_dataset_the_analyst_approves_is_remembered_only_when_asked(tmp_path):
    data = image_folder(tmp_path / "data")
    run = Run.create(tmp_path / "runs", RunConfig(), {})
    edited(run, lambda info: info["config"]["data"].__setitem__("source", str(data)))
    opened = Run.open(run.path)
    opened.use_data_source(str(data))
    assert opened.data_config().source == str(data)
    with pytest.raises(DataSourceNotApproved):
        Run.open(run.path).data_config()
    opened.save_config(opened.config)  # e.g. a resume with more steps: the chosen dataset is sealed
    assert Run.open(run.path).data_config().source == str(data)

    other = image_folder(tmp_path / "other")
    opened = Run.open(run.path)
    opened.use_data_source(str(other), remember=True)
    reopened = Run.open(run.path)
    assert reopened.config.data.source == str(other) and reopened.data_config().source == str(other)
