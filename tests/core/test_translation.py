"""Style-transfer engine: training, resuming bit for bit, applying with a strength, exporting a folder,
and refusing files that are not what they claim."""

import csv
import hashlib
import json

import numpy as np
import pytest
import torch
from PIL import Image

from studio.core.errors import StudioError
from studio.core.runs import Run
from studio.core.training.checkpoints import load_checkpoint
from studio.core.training.events import Finished, Recovered
from studio.core.translation.apply import Translator
from studio.core.translation.data import load_config_pair, new_translation_run
from studio.core.translation.events import PreviewReady, TranslationLogged
from studio.core.translation.export import translate_folder
from studio.core.translation.run import TranslationRun
from studio.core.translation.trainer import TranslationTrainer
from tests.translation_files import tiny_translation_config, translation_sets


@pytest.fixture(autouse=True)
def one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def image_sets(tmp_path_factory):
    return translation_sets(tmp_path_factory.mktemp("sets"))


def train(run, config, steps=None):
    events = []
    if steps is not None:
        run.continue_to(steps)
    TranslationTrainer(run, load_config_pair(config), events.append).run()
    return events


def new_run(tmp_path, image_sets, model="cut", steps=6, name="run"):
    config = tiny_translation_config(*image_sets, model=model, steps=steps)
    return new_translation_run(tmp_path, config, load_config_pair(config), name=name), config


@pytest.mark.parametrize("model", ["cut", "fastcut", "cyclegan"])
def test_each_model_trains_logs_its_losses_and_saves_a_before_after_row(tmp_path, image_sets, model):
    run, config = new_run(tmp_path, image_sets, model)
    events = train(run, config)
    assert isinstance(events[-1], Finished) and events[-1].step == 6
    logged = [event for event in events if isinstance(event, TranslationLogged)]
    expected = {"cut": {"adversarial", "nce", "identity"}, "fastcut": {"adversarial", "nce"},
                "cyclegan": {"adversarial", "cycle", "identity"}}[model]
    assert set(logged[-1].losses) == expected
    assert [record["step"] for record in run.read_metrics()] == [2, 4, 6]
    preview = [event for event in events if isinstance(event, PreviewReady)][-1]
    held = run.held_out()
    assert held.count == 2 and preview.sources.shape == (2, 16, 16, 3)
    assert preview.translations.shape == preview.sources.shape
    grid = np.asarray(Image.open(run.latest_samples()))
    assert grid.shape[0] > 2 * 16  # two rows: the sources above their translations
    assert json.loads((run.path / "run.json").read_text())["kind"] == "translation"


def test_a_stopped_and_resumed_run_ends_bit_for_bit_where_an_uninterrupted_one_does(tmp_path, image_sets):
    whole, config = new_run(tmp_path, image_sets, name="whole")
    train(whole, config)
    parts, config = new_run(tmp_path, image_sets, name="parts", steps=3)
    train(parts, config)
    parts = TranslationRun.open(parts.path)
    train(parts, config, steps=6)
    expected, _ = load_checkpoint(whole.latest_checkpoint())
    resumed, _ = load_checkpoint(parts.latest_checkpoint())
    assert expected.keys() == resumed.keys()
    assert all(torch.equal(expected[key], resumed[key]) for key in expected)
    assert whole.read_metrics()[-1]["nce"] == parts.read_metrics()[-1]["nce"]  # the last window, steps 5-6, in both


def test_a_diverged_step_rolls_back_to_the_checkpoint_with_the_learning_rate_halved(tmp_path, image_sets, monkeypatch):
    from studio.core.translation import objectives

    run, config = new_run(tmp_path, image_sets)
    real_step, calls = objectives.ContrastiveObjective.step, []

    def diverging_once(self, *args):
        stats = real_step(self, *args)
        calls.append(1)
        if len(calls) == 4:
            stats[-1] = 0.0
        return stats

    monkeypatch.setattr(objectives.ContrastiveObjective, "step", diverging_once)
    events = train(run, config)
    recovered = [event for event in events if isinstance(event, Recovered)]
    assert [(event.step, event.rolled_back_to) for event in recovered] == [(4, 3)]
    assert isinstance(events[-1], Finished) and events[-1].step == 6
    assert TranslationRun.open(run.path).config.train.lr == pytest.approx(1e-4)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, image_sets):
    run, config = new_run(tmp_path_factory.mktemp("runs"), image_sets)
    train(run, config)
    return run


def test_strength_zero_returns_the_source_and_one_the_translation(trained, image_sets):
    translator = Translator(trained)
    images = load_config_pair(trained.config).source.images[:3]
    source = images.permute(0, 2, 3, 1).numpy()
    assert np.array_equal(translator.translate(images, 0.0), source)
    assert not np.array_equal(translator.translate(images, 1.0), source)
    half = translator.translate(images, 0.5).astype(int)
    assert np.abs(half - source).mean() < np.abs(translator.translate(images, 1.0).astype(int) - source).mean()
    with pytest.raises(StudioError, match="between 0"):
        translator.translate(images, 1.5)


def test_a_translated_folder_keeps_names_and_layout_and_its_manifest_reads_back(trained, image_sets, tmp_path):
    source, _ = image_sets
    (source / "circle" / "notes.txt").write_text("not an image")
    try:
        result = translate_folder(Translator(trained), source, tmp_path / "out", 0.0)
    finally:
        (source / "circle" / "notes.txt").unlink()
    names = sorted(path.relative_to(source).as_posix() for path in source.rglob("*.png"))
    written = sorted(path.relative_to(result.folder).as_posix() for path in result.folder.rglob("*.png"))
    assert written == names and result.written == len(names)
    assert [name for name, _ in result.skipped] == ["circle/notes.txt"]
    with open(result.folder / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["file"] for row in rows] == names
    first = rows[0]
    assert first["source_sha256"] == hashlib.sha256((source / first["source_file"]).read_bytes()).hexdigest()
    assert first["checkpoint_sha256"] == Translator(trained).fingerprint and first["strength"] == "0"
    # strength 0 at the run's resolution: the file comes back pixel for pixel
    assert np.array_equal(np.asarray(Image.open(result.folder / first["file"])), np.asarray(Image.open(source / first["source_file"])))
    with pytest.raises(StudioError, match="not empty"):
        translate_folder(Translator(trained), source, result.folder)


def test_a_generation_checkpoint_is_refused_in_one_sentence(trained, trained_run):
    with pytest.raises(StudioError, match="not a style-transfer checkpoint"):
        Translator(trained, trained_run.latest_checkpoint())


def test_each_kind_of_run_refuses_to_open_as_the_other(trained, trained_run):
    with pytest.raises(StudioError, match="is a style-transfer run"):
        Run.open(trained.path)
    with pytest.raises(StudioError, match="not a style-transfer"):
        TranslationRun.open(trained_run.path)


def test_tampered_translation_run_files_are_refused_by_the_validation_gate(trained, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(trained.path, copy)
    info = json.loads((copy / "run.json").read_text())
    info["config"]["data"]["resolution"] = 999
    (copy / "run.json").write_text(json.dumps(info))
    with pytest.raises(StudioError, match="damaged at config.data.resolution"):
        TranslationRun.open(copy)
    (copy / "run.json").write_bytes(b"{" * 100_000)
    with pytest.raises(StudioError):
        TranslationRun.open(copy)
    shutil.rmtree(copy)
    shutil.copytree(trained.path, copy)
    checkpoint = TranslationRun.open(copy).latest_checkpoint()
    sidecar = checkpoint.with_suffix(".json")
    raw = json.loads(sidecar.read_text())
    raw["step"] = -5
    sidecar.write_text(json.dumps(raw))
    with pytest.raises(StudioError, match="step"):
        Translator(TranslationRun.open(copy))
    raw["step"] = 6
    sidecar.write_text(json.dumps(raw))
    checkpoint.write_bytes(checkpoint.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(StudioError, match="damaged"):
        Translator(TranslationRun.open(copy))


def test_two_classes_of_one_dataset_make_the_source_and_the_target(image_sets):
    config = tiny_translation_config(image_sets[0], image_sets[0])
    config.data.source_classes, config.data.target_classes = "circle", "square"
    pair = load_config_pair(config)
    assert set(pair.source.names) == {f"circle/circle-{i:03d}.png" for i in range(4)}
    assert set(pair.target.names) == {f"square/square-{i:03d}.png" for i in range(4)}


def test_choosing_fastcut_takes_its_nce_weight():
    from studio.core.translation.config import TranslationConfig, choose_model

    config = TranslationConfig()
    choose_model(config, "fastcut")
    assert (config.model.name, config.train.lambda_nce) == ("fastcut", 10.0)
    choose_model(config, "cut")
    assert config.train.lambda_nce == 1.0
