"""A tiny trained run with training-time evaluations, shared by the report tests (trained once)."""

import numpy as np
import pytest
from PIL import Image


def hostile_folder(root):
    """A labelled folder dataset whose class names and a file name try to inject markup."""
    rng = np.random.default_rng(0)
    for index, name in enumerate(["<script>", "plain & simple"]):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(24):
            pixels = rng.integers(0, 60, (32, 32, 3), dtype=np.uint8)
            pixels[8:24, 8:24, index] = 220
            Image.fromarray(pixels).save(folder / f"img-{i}.png")
    (root / "plain & simple" / "<b>broken.png").write_bytes(b"not an image")
    return root


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    import torch

    from studio.core.config import RunConfig
    from studio.core.data import load_dataset
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

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
