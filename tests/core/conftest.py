"""Fixtures shared by the engine tests."""

import pytest


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A tiny DCGAN run trained for 40 steps (about a second), for sampling and export tests."""
    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

    config = RunConfig()
    config.data.demo_images = 64
    config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
    config.train.steps, config.train.batch_size = 40, 8
    dataset = load_dataset(config.data)
    run = Run.create(tmp_path_factory.mktemp("runs"), config, dataset.summary())
    Trainer(run, dataset).run()
    return run
