"""A sweep's search space, its ``--param`` text, and its files from strangers: sweep.json and study.journal."""

import json
from types import SimpleNamespace

import pytest

from studio.core.config import DataConfig
from studio.core.errors import StudioError
from studio.core.sweep.jobs import check_same_data, create_sweep, plan_sweep, sweep_results
from studio.core.sweep.runner import SweepRunner, TrialOutcome
from studio.core.sweep.space import CHOICE, FLOAT, INT, Parameter, default_space, parse_param, with_params
from studio.core.sweep.spec import read_spec

UNLABELLED = SimpleNamespace(class_names=["all"])


def test_the_default_space_searches_the_common_options():
    space = {p.name: p for p in default_space()}
    assert {name for name, p in space.items() if p.enabled} == {
        "lr_g", "lr_d", "beta1", "batch_size", "g_width", "d_width", "loss", "diffaugment"}
    assert space["model"].choices == ("dcgan", "sngan")
    for parameter in space.values():
        parameter.check()
        assert Parameter.from_dict(json.loads(json.dumps(parameter.to_dict()))) == parameter


@pytest.mark.parametrize("text, expected", [
    ("lr_g=1e-5:1e-3:log", Parameter("lr_g", FLOAT, 1e-5, 1e-3, log=True)),
    ("beta1=0:0.9", Parameter("beta1", FLOAT, 0.0, 0.9)),
    ("latent_dim=32:128", Parameter("latent_dim", INT, 32, 128)),
    ("batch_size=16,32,64", Parameter("batch_size", CHOICE, choices=(16, 32, 64))),
    ("model=dcgan,sngan", Parameter("model", CHOICE, choices=("dcgan", "sngan"))),
    ("loss=hinge", Parameter("loss", CHOICE, choices=("bce", "hinge"), enabled=False, value="hinge")),
    ("r1_gamma=off", Parameter("r1_gamma", FLOAT, 0.01, 10.0, log=True, enabled=False)),
    ("lr_d=0.0002", Parameter("lr_d", FLOAT, 1e-5, 1e-2, log=True, enabled=False, value=0.0002)),
])
def test_param_text(text, expected):
    assert parse_param(text) == expected


@pytest.mark.parametrize("text, says", [
    ("lr_g", "NAME=VALUES"),
    ("speed=1:2", "NAME=VALUES"),
    ("lr_g=1e-3:1e-5", "lr_g (Learning rate G) needs a range whose low end is below its high end"),
    ("lr_g=0:1e-3:log", "log scale needs a range above 0"),
    ("lr_g=a:b", "lr_g must be written lr_g=LOW:HIGH"),
    ("lr_g=1:2:3", "lr_g must be written lr_g=LOW:HIGH"),
    ("beta1=0:2", "beta1: Adam β1 must be at most 0.999"),
    ("batch_size=16,x", "batch_size must be written"),
    ("batch_size=1.5:8", "batch_size must be written"),
    ("loss=fancy", "Loss must be one of"),
    ("model=vae", "model must be one of dcgan, sngan"),
    ("loss=a:b", "loss (Loss) is a choice, not a range; write e.g. loss=bce,hinge"),
    ("lr_g=", "lr_g must be written"),
])
def test_bad_param_text_is_one_sentence_naming_the_parameter(text, says):
    with pytest.raises(StudioError) as raised:
        parse_param(text)
    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


def test_params_apply_in_turn_and_reach_the_trial_config():
    space = with_params(default_space(), ["loss=hinge", "r1_gamma=0.1:1:log", "batch_size=16"])
    spec = plan_sweep(DataConfig(resolution=16), UNLABELLED, space=space, steps=40, eval_every=20)
    assert spec.features == "random"
    config = spec.trial_config({"lr_g": 2e-4, "r1_gamma": 0.5})
    assert (config.train.loss, config.train.batch_size, config.train.lr_g, config.train.r1_gamma) == ("hinge", 16, 2e-4, 0.5)
    assert (config.train.steps, config.train.eval_every, config.data.resolution) == (40, 20, 16)


def test_sweep_json_round_trips_and_a_resume_with_other_data_is_refused(tmp_path):
    spec = plan_sweep(DataConfig(resolution=16), SimpleNamespace(class_names=["a", "b"]), steps=40, eval_every=20)
    create_sweep(tmp_path / "sweep", spec)
    again = read_spec(tmp_path / "sweep")
    assert again.to_dict() == spec.to_dict() and again.features == "classifier"
    check_same_data(again, DataConfig(resolution=16))
    with pytest.raises(StudioError, match="made with resolution 16, not 32"):
        check_same_data(again, DataConfig(resolution=32))
    check_same_data(again, DataConfig(resolution=32), given={"source"})
    with pytest.raises(StudioError, match="already exists"):
        create_sweep(tmp_path / "sweep", spec)


@pytest.mark.parametrize("edit, says", [
    (lambda raw: raw.update(format="something-else/1"), "at format"),
    (lambda raw: raw["budget"].update(trials="many"), "at budget.trials: expected a whole number"),
    (lambda raw: raw["budget"].update(steps=10), "Each trial must train at least 20 steps"),
    (lambda raw: raw["space"][0].update(low="__import__('os')"), "space[0].low must be a finite number"),
    (lambda raw: raw["space"].append(raw["space"][0]), "names a parameter twice"),
    (lambda raw: raw["base"]["train"].update(loss=7), "Loss must be text"),
    (lambda raw: raw.update(data=[1]), "is damaged"),
    (lambda raw: raw.pop("seed"), "at seed: this required field is missing"),
])
def test_a_damaged_sweep_json_is_one_sentence(tmp_path, edit, says):
    spec = plan_sweep(DataConfig(resolution=16), UNLABELLED, steps=40, eval_every=20)
    create_sweep(tmp_path / "sweep", spec)
    path = tmp_path / "sweep" / "sweep.json"
    raw = json.loads(path.read_text())
    edit(raw)
    path.write_text(json.dumps(raw))
    with pytest.raises(StudioError) as raised:
        read_spec(tmp_path / "sweep")
    assert says in str(raised.value) and "\n" not in str(raised.value)


def _tiny_sweep(tmp_path, name="sweep"):
    spec = plan_sweep(DataConfig(resolution=16), UNLABELLED, trials=2, steps=40, eval_every=20)
    create_sweep(tmp_path / name, spec)
    return tmp_path / name


def _quick(job, hooks):
    hooks.report(20, 3.0)
    hooks.report(40, 2.0)
    return TrialOutcome(40)


@pytest.mark.parametrize("content", [
    b"\x00\xff\xfe garbage \x89PNG\r\n",
    b'[1, 2, 3]\n',
    b'{"op_code": 99}\n',
    b'{"op_code": 0, "worker_id": "w", "study_name": "someone-else", "directions": [1]}\n',
])
def test_a_damaged_or_foreign_study_is_one_sentence(tmp_path, content):
    folder = _tiny_sweep(tmp_path)
    (folder / "study.journal").write_bytes(content)
    for attempt in (lambda: sweep_results(folder), lambda: SweepRunner(folder, None, train_trial=_quick).run()):
        with pytest.raises(StudioError) as raised:
            attempt()
        assert "study" in str(raised.value) and "\n" not in str(raised.value)


def test_another_sweeps_journal_is_refused(tmp_path):
    first, second = _tiny_sweep(tmp_path, "first"), _tiny_sweep(tmp_path, "second")
    SweepRunner(first, None, train_trial=_quick).run()
    (second / "study.journal").write_bytes((first / "study.journal").read_bytes())
    with pytest.raises(StudioError, match="belongs to another sweep"):
        sweep_results(second)
    assert [row.value for row in sweep_results(first).trials] == [2.0, 2.0]


def test_a_sweep_that_has_not_run_reads_as_empty_and_a_stranger_folder_is_refused(tmp_path):
    folder = _tiny_sweep(tmp_path)
    assert sweep_results(folder).trials == []
    with pytest.raises(StudioError, match="is not a GAN Studio sweep"):
        sweep_results(tmp_path)


def test_binned_importances_find_the_parameter_that_decides_fd():
    from studio.core.sweep.results import TrialRow, binned_importances

    rows = [TrialRow(i, {"loss": "hinge" if i % 2 else "bce", "beta1": 0.1 * (i % 5)}, "COMPLETE",
                     (1.0 if i % 2 else 5.0) + 0.01 * (i % 5), 40, 1.0, None) for i in range(12)]
    space = [p for p in default_space() if p.name in ("loss", "beta1")]
    found = binned_importances(rows, space)
    assert list(found) == ["loss", "beta1"] and found["loss"] > 0.9 and abs(sum(found.values()) - 1) < 1e-9
