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


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A tiny unconditional DCGAN run trained for 40 steps (about a second), for sampling and export tests."""
    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

    config = RunConfig()
    config.data.demo_images = 64
    config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
    config.model.conditional = "off"
    config.train.steps, config.train.batch_size = 40, 8
    dataset = load_dataset(config.data)
    run = Run.create(tmp_path_factory.mktemp("runs"), config, dataset.summary())
    Trainer(run, dataset).run()
    return run


@pytest.fixture(scope="session")
def evaluated_run(tmp_path_factory):
    """A tiny run on a labelled folder whose names try to inject markup, trained with evaluations
    (for the report); returns its path and the events it emitted."""
    import torch

    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer
    from tests.data_files import hostile_folder

    root = tmp_path_factory.mktemp("report-run")
    config = RunConfig()
    config.data.source = str(hostile_folder(root / "data"))
    config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
    train = config.train
    train.steps, train.batch_size, train.log_every, train.sample_every, train.checkpoint_every = 30, 16, 5, 10, 10
    train.device, train.eval_every, train.eval_samples = "cpu", 10, 32
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        dataset = load_dataset(config.data)
        run = Run.create(root, config, dataset.summary(), name="run <i>x")
        events = []
        Trainer(run, dataset, events.append).run()
    finally:
        torch.set_num_threads(threads)
    return run.path, events
