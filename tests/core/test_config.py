import pytest

from studio.core.config import RunConfig, TrainConfig, parse_field, validate
from studio.core.errors import StudioError


def test_config_round_trips_through_json():
    config = RunConfig()
    config.train.lr_g = 1e-3
    config.data.resolution = 64
    assert RunConfig.from_json(config.to_json()) == config


def test_defaults_are_the_fast_cpu_preset():
    from studio.core.training.presets import apply_preset

    train = TrainConfig()
    assert (train.lr_g, train.lr_d, train.beta1, train.beta2, train.batch_size) == (1e-3, 1e-3, 0.0, 0.99, 32)
    assert apply_preset(RunConfig(), "fast-cpu") == RunConfig()


def test_defaults_validate_clean():
    assert validate(RunConfig()) == {}


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [("lr_g", "abc", "must be a number"), ("batch_size", "0", "at least 2"), ("batch_size", "2.5", "whole number"), ("device", "tpu", "one of")],
)
def test_parse_field_rejects_bad_text_with_a_sentence(name, text, fragment):
    with pytest.raises(StudioError, match=fragment):
        parse_field(TrainConfig, name, text)


def test_parse_field_accepts_good_text():
    assert parse_field(TrainConfig, "lr_g", " 0.001 ") == 0.001
    assert parse_field(TrainConfig, "steps", "5000") == 5000


def test_validate_names_each_bad_field():
    config = RunConfig()
    config.train.batch_size = 0
    config.data.resolution = 48
    config.data.source = "/no/such/folder"
    problems = validate(config)
    assert set(problems) == {"train.batch_size", "data.resolution", "data.source"}
    assert problems["data.source"].endswith("does not exist.")


def test_unknown_or_mistyped_settings_are_refused():
    with pytest.raises(StudioError, match="unknown setting"):
        RunConfig.from_dict({"train": {"learning_rate": 1}})
    with pytest.raises(StudioError, match="whole number"):
        RunConfig.from_dict({"train": {"steps": "many"}})
    with pytest.raises(StudioError, match="not valid JSON"):
        RunConfig.from_json("{")
