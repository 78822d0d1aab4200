"""How fast and how close the projection of an image is. Figures, not assertions.

Run from the repository root (a script, not a test), on an otherwise idle machine:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_projection.py [--train-steps 600]

For each resolution (32 and 64 px) a conditional DCGAN with the studio's defaults is trained on the demo
set for --train-steps steps, then:
  encoder     seconds to train the projection's encoder once for the checkpoint (cached afterwards)
  project     seconds for one image with the default number of steps, the encoder's guess and the
              feature loss (what the explorer and 'project' do)
  PSNR        median and worst over 8 images the model drew itself (G(z*) for random z* and classes),
              with the encoder's guess and with random starting points only
  real        8 held-in training images: median PSNR and feature distance with the feature loss and
              with the pixel loss alone
  stall       the longest gap between 5 ms timer ticks of a Qt event loop while one projection runs on
              the studio's task runner (what the explorer does): the window's responsiveness
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from studio.core.config import RunConfig  # noqa: E402
from studio.core.data import load_dataset  # noqa: E402
from studio.core.explore.encoder import latent_encoder  # noqa: E402
from studio.core.explore.feature_distance import run_feature_distance  # noqa: E402
from studio.core.explore.projection import PROJECTION_STEPS, project, project_image  # noqa: E402
from studio.core.sampling import Sampler, latents  # noqa: E402
from studio.core.training.jobs import new_run  # noqa: E402
from studio.core.training.trainer import Trainer  # noqa: E402


def _trained(resolution: int, steps: int, root: Path):
    config = RunConfig()
    config.data.resolution, config.data.demo_images = resolution, 4000
    config.train.steps, config.train.eval_every, config.train.device = steps, 0, "cpu"
    dataset = load_dataset(config.data)
    run = new_run(root, config, dataset)
    Trainer(run, dataset).run()
    return run


def _stall(sampler, image, encoder, features) -> float:
    """The longest gap between timer ticks while a projection runs on the task runner."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.tasks import ThreadHost

    app = QApplication.instance() or QApplication([])
    host, loop, clock, gaps = ThreadHost(), QEventLoop(), QElapsedTimer(), []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: (gaps.append(clock.restart())))
    clock.start()
    timer.start()
    host.run(project_image, sampler, image, "bench", "", PROJECTION_STEPS, None, 0, encoder=encoder, features=features,
             doing="Projecting",
             on_result=lambda result: loop.quit(), on_error=lambda sentence: loop.quit())
    loop.exec()
    timer.stop()
    host.shutdown()
    app.processEvents()
    return float(max(gaps[1:], default=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-steps", type=int, default=600)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gan-studio-bench-projection-"))
    for resolution in (32, 64):
        run = _trained(resolution, args.train_steps, root)
        sampler = Sampler.from_run(run)
        began = time.perf_counter()
        encoder = latent_encoder(run, sampler, run.latest_checkpoint())
        encoder_s = time.perf_counter() - began
        features = run_feature_distance(run, run.latest_checkpoint(), sampler.num_classes, sampler.device)
        truth = sampler.render(latents(99, 8, sampler.latent_dim))
        began = time.perf_counter()
        project(sampler, truth[:1], encoder=encoder, features=features)
        one_s = time.perf_counter() - began
        with_encoder = [fit.psnr for fit in project(sampler, truth, encoder=encoder, features=features)]
        random_only = [fit.psnr for fit in project(sampler, truth, features=features)]
        real = run.split(load_dataset(run.config.data))[0].images[:8].permute(0, 2, 3, 1).numpy()
        measured = [project(sampler, real, encoder=encoder, features=features),
                    [fit._replace(feature_distance=_distance(features, image, fit.reconstruction, sampler))
                     for image, fit in zip(real, project(sampler, real, encoder=encoder))]]
        (loss_psnr, loss_distance), (pixel_psnr, pixel_distance) = (
            (np.median([fit.psnr for fit in fits]), np.median([fit.feature_distance for fit in fits])) for fits in measured)
        stall = _stall(sampler, truth[0], encoder, features)
        print(f"{resolution} px: encoder {encoder_s:.1f} s · project one image ({PROJECTION_STEPS} steps) {one_s:.1f} s · "
              f"PSNR with encoder median {np.median(with_encoder):.1f} dB (worst {min(with_encoder):.1f}) · random starts "
              f"median {np.median(random_only):.1f} dB (worst {min(random_only):.1f}) · longest event-loop gap {stall:.0f} ms")
        print(f"{resolution} px, held-in real images: with the feature loss {loss_psnr:.2f} dB, feature distance "
              f"{loss_distance:.4f} · pixel loss alone {pixel_psnr:.2f} dB, feature distance {pixel_distance:.4f}")


def _distance(features, image, reconstruction, sampler) -> float:
    from studio.core.explore.projection import _feature_distance

    return _feature_distance(features, image, reconstruction, sampler.device)


if __name__ == "__main__":
    main()
