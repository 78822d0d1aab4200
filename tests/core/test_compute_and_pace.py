"""How a run computes (precision, layout, optimizer kernel) and the speed and time left it reports."""

import math

import pytest
import torch

from studio.core.config import ModelConfig, RunConfig
from studio.core.data import load_dataset
from studio.core.runs import Run
from studio.core.training import compute
from studio.core.training.compute import plan_compute
from studio.core.training.events import StepLogged
from studio.core.training.pace import Pace
from studio.core.training.trainer import Trainer

CPU = torch.device("cpu")


@pytest.mark.parametrize("native, expected", [(True, "bf16"), (False, "fp32")])
def test_auto_precision_takes_bf16_only_where_the_device_has_it(monkeypatch, native, expected):
    monkeypatch.setattr(compute, "native_bf16", lambda device: native)
    plan = plan_compute(RunConfig().train, CPU)
    assert plan.precision == expected
    assert ("native bf16" in plan.describe()) and (("no native" in plan.describe()) != native)


def test_a_chosen_precision_is_kept(monkeypatch):
    monkeypatch.setattr(compute, "native_bf16", lambda device: False)
    train = RunConfig().train
    train.precision = "bf16"
    assert plan_compute(train, CPU).precision == "bf16"
    assert plan_compute(train, CPU).describe() == "bf16 (as chosen)"


def test_conditional_auto_learns_classes_from_two_up():
    model = ModelConfig()
    assert model.conditional == "auto"
    assert not model.conditional_on(1) and model.conditional_on(2)
    model.conditional = "off"
    assert not model.conditional_on(10)


def test_a_new_run_records_how_it_computed_and_is_conditional_on_the_demo_classes(tiny_config, tmp_path):
    from studio.core.sampling import Sampler

    tiny_config.train.device = "cpu"
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    events = []
    Trainer(run, dataset, events.append).run()
    info = Run.open(run.path).info
    import torch

    from studio.core.training.compute import native_bf16

    assert info["compute"]["precision"] == ("bf16" if native_bf16(torch.device("cpu")) else "fp32")
    assert info["compute"]["channels_last"] is True
    assert info["compute_history"][0]["from_step"] == 0
    sampler = Sampler.from_run(Run.open(run.path))
    assert sampler.num_classes == len(dataset.class_names) == 4
    started = events[0]
    assert info["compute"]["precision"] in started.device


def test_the_speed_counts_every_second_but_the_paused_ones():
    now = [100.0]
    pace = Pace(start_step=10, images_per_step=64, clock=lambda: now[0])
    now[0] += 10  # 100 steps in 10 s, an evaluation included
    assert pace.at(110, 210) == pytest.approx((640, 10, 10))
    pace.paused.began()
    now[0] += 1000
    assert pace.at(110, 210) == pytest.approx((640, 10, 10))
    pace.paused.ended()
    now[0] += 10
    assert pace.at(210, 310) == pytest.approx((640, 20, 10))
    assert math.isinf(Pace(5, 64, clock=lambda: now[0]).at(5, 10)[2])


def test_the_logged_speed_is_by_the_wall_clock_with_evaluations_included(tiny_config, tmp_path):
    tiny_config.train.device = "cpu"
    tiny_config.train.steps, tiny_config.train.log_every = 60, 20
    tiny_config.train.eval_every, tiny_config.train.eval_samples = 20, 32
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    logs = []
    Trainer(run, dataset, lambda event: logs.append(event) if isinstance(event, StepLogged) else None).run()
    first, last = logs[0], logs[-1]
    assert first.step == 20 and last.step == 60
    assert first.eta_s > 0 and last.eta_s == 0
    assert 0 < first.elapsed_s <= last.elapsed_s
    assert last.images_per_sec == pytest.approx(60 * 16 / last.elapsed_s)
    assert first.eta_s == pytest.approx(first.elapsed_s * 2)  # 40 steps left at the pace of the first 20


def test_a_run_from_before_the_compute_plan_opens_resumes_and_samples(tiny_config, tmp_path):
    """run.json as older versions wrote it: the old defaults spelled out, no compute plan."""
    import json

    from studio.core.sampling import Sampler

    tiny_config.train.device = "cpu"
    tiny_config.model.conditional, tiny_config.train.precision = "off", "fp32"
    tiny_config.train.lr_g = tiny_config.train.lr_d = 2e-4
    tiny_config.train.beta1, tiny_config.train.beta2, tiny_config.train.steps = 0.5, 0.999, 10
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    Trainer(run, dataset).run()
    info = json.loads((run.path / "run.json").read_text())
    del info["compute"], info["compute_history"]
    (run.path / "run.json").write_text(json.dumps(info))

    old = Run.open(run.path)
    old.continue_to(20)
    events = []
    Trainer(old, dataset, events.append).run()
    assert events[0].resumed and events[-1].step == 20
    assert [entry["from_step"] for entry in Run.open(run.path).info["compute_history"]] == [10]
    assert Sampler.from_run(Run.open(run.path)).num_classes == 0
