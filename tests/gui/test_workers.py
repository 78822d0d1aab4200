"""The workers' promises: the latest render request wins, and training can be steered from any thread."""

import numpy as np

from studio.gui.render_worker import RenderWorker
from studio.gui.tasks import ThreadHost
from tests.gui.helpers import TRAIN_TIMEOUT_MS, Collector, click


def test_render_requests_made_faster_than_rendered_only_draw_the_latest(window, qtbot):
    with qtbot.waitSignal(window.training_ended, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, window.training_panel.train_button)
    host, worker = ThreadHost(), RenderWorker()
    host.start(worker)
    collector = Collector()
    worker.rendered.connect(collector.collect)
    try:
        for seed in range(1, 21):
            worker.request(window.session.run_path, seed, 4)
        qtbot.waitUntil(lambda: bool(collector.results) and collector.results[-1].request.seed == 20, timeout=30_000)
        # nothing is left waiting: a marker request posted now is the very next frame drawn, none before it
        worker.request(window.session.run_path, 99, 1)
        qtbot.waitUntil(lambda: collector.results[-1].request.seed == 99, timeout=30_000)
    finally:
        host.shutdown()
    seeds = [result.request.seed for result in collector.results[:-1]]
    assert seeds[-1] == 20 and len(seeds) < 20 and seeds == sorted(seeds)
    assert collector.results[-2].images.shape == (4, 32, 32, 3)


def test_new_noise_during_training_reaches_the_trainer(open_window, qtbot):
    from tests.gui.helpers import tiny_run_config

    window = open_window(tiny_run_config(steps=100_000))
    click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: window.curves_panel.point_count() >= 2, timeout=TRAIN_TIMEOUT_MS)
    samples = window.samples_panel
    fixed_seed = samples.seed()
    click(qtbot, samples.new_noise_button)
    qtbot.waitUntil(lambda: samples.seed() != fixed_seed, timeout=TRAIN_TIMEOUT_MS)
    assert f"noise seed {samples.seed()}" in samples.caption.text()
    assert np.asarray(samples.view.image_array()).std() > 0
