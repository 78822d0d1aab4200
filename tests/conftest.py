"""Shared fixtures: every test gets its own studio home, and tiny, fast run configurations."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def studio_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("GAN_STUDIO_HOME", str(home))
    return home


@pytest.fixture
def tiny_config():
    """A run small enough to train in about a second on two CPU cores."""
    from studio.core.config import RunConfig

    config = RunConfig()
    config.data.demo_images = 128
    config.model.latent_dim = 16
    config.model.g_width = 8
    config.model.d_width = 8
    config.train.steps = 20
    config.train.batch_size = 16
    config.train.log_every = 5
    config.train.sample_every = 10
    config.train.checkpoint_every = 10
    return config
