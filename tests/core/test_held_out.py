"""The held-out test split: stratified, stable, recorded in the run and never seen by training."""

import json

import numpy as np
import pytest
import torch

from studio.core.data import load_dataset
from studio.core.data.dataset import ImageDataset
from studio.core.data.held_out import choose_held_out, held_out_count
from studio.core.errors import StudioError
from studio.core.runs import HELD_OUT_FILE, Run
from studio.core.training import trainer as trainer_module
from studio.core.training.jobs import new_run
from studio.core.training.trainer import Trainer


def _labelled(counts: list[int], side: int = 16) -> ImageDataset:
    labels = torch.cat([torch.full((count,), index) for index, count in enumerate(counts)])
    return ImageDataset(images=torch.zeros(len(labels), 3, side, side, dtype=torch.uint8), labels=labels,
                        class_names=[f"class{i}" for i in range(len(counts))], source="made",
                        names=[f"class{label}/{i}.png" for i, label in enumerate(labels.tolist())])


def test_the_split_takes_the_same_share_of_every_class_and_is_stable():
    dataset = _labelled([100, 40, 7, 1])
    held = choose_held_out(dataset.class_names, dataset.labels.numpy(), 0.1)

    assert held.per_class == {"class0": 10, "class1": 4, "class2": 1, "class3": 0}
    assert held.count == 15 and held.total == 148
    assert np.bincount(dataset.labels.numpy()[held.indices], minlength=4).tolist() == [10, 4, 1, 0]
    again = choose_held_out(dataset.class_names, dataset.labels.numpy(), 0.1)
    assert np.array_equal(held.indices, again.indices) and held.fingerprint == again.fingerprint
    assert choose_held_out(dataset.class_names, dataset.labels.numpy(), 0.0).count == 0
    assert [held_out_count(n, 0.5) for n in (1, 2, 3, 10)] == [0, 1, 2, 5]


def test_a_new_run_records_its_split_and_training_never_sees_a_held_out_image(tmp_path, tiny_config, monkeypatch):
    dataset = _labelled([48, 48], side=32)
    tiny_config.data.held_out = 0.25
    run = new_run(tmp_path, tiny_config, dataset)
    held = run.held_out()
    assert held.count == 24 and run.held_out_note().startswith("24 of 96 images (25% of each class)")
    dataset.images[torch.from_numpy(held.indices)] = 255  # held-out images are white, the rest black

    batches, evaluated = [], []
    real_build = trainer_module.build_objective

    def spying_build(*args, **kwargs):
        objective = real_build(*args, **kwargs)
        step = objective.step
        objective.step = lambda real, *rest: (batches.append(float(real.max())), step(real, *rest))[1]
        return objective

    class SpyingEvaluator(trainer_module.TrainingEvaluator):
        def __init__(self, run, seen, *args, **kwargs):
            evaluated.append(int(seen.images.max()))
            super().__init__(run, seen, *args, **kwargs)

    monkeypatch.setattr(trainer_module, "build_objective", spying_build)
    monkeypatch.setattr(trainer_module, "TrainingEvaluator", SpyingEvaluator)
    Trainer(run, dataset).run()

    assert len(batches) == tiny_config.train.steps and max(batches) < 0, "no white (held-out) image reached a batch"
    assert evaluated == [0]
    training, test = Run.open(run.path).split(dataset)
    assert len(training) == 72 and len(test) == 24 and int(test.images.min()) == 255
    assert set(training.names).isdisjoint(test.names)


def test_a_changed_dataset_or_a_damaged_split_file_is_one_sentence(tmp_path, tiny_config):
    dataset = _labelled([20, 20])
    run = new_run(tmp_path, tiny_config, dataset)
    grown = _labelled([21, 20])
    with pytest.raises(StudioError, match="dataset has changed since the run"):
        run.split(grown)
    (run.path / HELD_OUT_FILE).write_text(json.dumps({"share": 0.1, "total": 40, "fingerprint": "x", "per_class": {},
                                                       "indices": [5, 3]}))
    with pytest.raises(StudioError, match="is damaged .*held-out test images are unknown"):
        run.split(dataset)
    assert "damaged" in run.held_out_note()


def test_a_run_made_before_the_split_existed_trains_on_everything(tmp_path, tiny_config):
    dataset = load_dataset(tiny_config.data)
    run = Run.create(tmp_path, tiny_config, dataset.summary())
    training, test = run.split(dataset)
    assert training is dataset and test is None
    assert "made before the studio kept test images apart" in run.held_out_note()
