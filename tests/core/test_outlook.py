"""The estimate of the time to a first recognisable grid."""

import pytest

from studio.core.config import RunConfig
from studio.core.errors import Cancelled
from studio.core.tasks import TaskState
from studio.core.training.outlook import RECOGNISABLE_IMAGES, Outlook, measure_outlook, steps_to_recognisable


def test_the_steps_needed_follow_the_images_seen():
    config = RunConfig()
    config.train.batch_size = 64
    assert steps_to_recognisable(config) == round(RECOGNISABLE_IMAGES["dcgan"] / 64)
    config.train.batch_size = 32
    assert steps_to_recognisable(config) == round(RECOGNISABLE_IMAGES["dcgan"] / 32)
    config.model.name = "vae"
    assert steps_to_recognisable(config) is None


def test_the_estimate_reads_as_a_sentence():
    assert Outlook(0.1, 300).describe().startswith("First recognisable grid in about 35 s on this machine (10.0 steps/s")
    assert Outlook(0.1, 3000).describe().startswith("First recognisable grid in about 6 min")
    assert "no estimate" in Outlook(0.1, None).describe()


def test_a_measured_warm_up_times_the_chosen_model(tiny_config):
    tiny_config.train.device = "cpu"
    outlook = measure_outlook(tiny_config, num_classes=4)
    assert 0 < outlook.step_seconds < 5
    assert outlook.steps_needed == steps_to_recognisable(tiny_config)
    assert outlook.seconds == pytest.approx(outlook.steps_needed * outlook.step_seconds * 1.1)


def test_the_warm_up_stops_when_cancelled(tiny_config):
    tiny_config.train.device = "cpu"
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        measure_outlook(tiny_config, num_classes=4, task=task)
