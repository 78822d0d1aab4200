"""The run report's picture sections: the progress filmstrip of saved sample grids and the final samples.

Saved grids are read through the run's own gate (:meth:`Run.read_grid`), so a damaged or hostile one is
left out with a note instead of failing the report.
"""

from __future__ import annotations

import numpy as np

from studio.core.errors import StudioError
from studio.core.evaluation.report_model import Picture, Section
from studio.core.runs import Run

FILMSTRIP_FRAMES = 5
FILMSTRIP_TILES = 4
MAX_CLASS_ROWS = 10


def filmstrip_section(run: Run) -> Section:
    saved = run.samples()
    if not saved:
        return Section("progress", "Progress filmstrip", "No sample grids were saved.", [])
    picks = sorted({round(i * (len(saved) - 1) / max(FILMSTRIP_FRAMES - 1, 1)) for i in range(FILMSTRIP_FRAMES)})
    side = 2 + FILMSTRIP_TILES * (run.config.data.resolution + 2)
    frames, problems = [], []
    for index in picks:
        try:
            frames.append((saved[index][0], _tile(run.read_grid(saved[index][1])[:side, :side], side)))
        except StudioError as problem:
            problems.append(str(problem))
    prose = "The same fixed noise rendered at several points of training: the images should sharpen and vary."
    if problems:
        prose += f" {len(problems)} saved grid{'s were' if len(problems) > 1 else ' was'} left out: {problems[0]}"
    if not frames:
        return Section("progress", "Progress filmstrip", prose, [])
    gap = np.full((side, 8, 3), 255, dtype=np.uint8)
    strip = np.concatenate([part for _, frame in frames for part in (frame, gap)][:-1], axis=1)
    steps = ", ".join(f"{step:,}" for step, _ in frames)
    return Section("progress", "Progress filmstrip", prose, [Picture("progress", f"Steps {steps}, left to right.", strip, 1)])


def _tile(frame: np.ndarray, side: int) -> np.ndarray:
    """``frame`` on a white square of ``side`` pixels, so grids of any size line up in the strip."""
    tile = np.full((side, side, 3), 255, dtype=np.uint8)
    tile[: frame.shape[0], : frame.shape[1]] = frame
    return tile


def final_samples_section(run: Run) -> Section:
    from studio.core.imaging import make_grid
    from studio.core.sampling import Sampler

    if run.latest_checkpoint() is None:
        return Section("samples", "Final samples", "The run has no checkpoint yet, so nothing can be sampled.", [])
    sampler = Sampler.from_run(run)
    seed = run.config.train.seed
    if sampler.num_classes:
        shown = sampler.class_names[:MAX_CLASS_ROWS]
        pictures = [Picture(f"final_samples_class_{index}", f"Class {name}",
                            make_grid(sampler.generate(seed, 8, class_index=index), nrow=8), 2)
                    for index, name in enumerate(shown)]
        more = f" (the first {len(shown)} of {sampler.num_classes} classes)" if sampler.num_classes > len(shown) else ""
        return Section("samples", "Final samples",
                       f"8 images per class{more} from the conditional model at step {sampler.step:,} (noise seed {seed}).",
                       pictures)
    images = sampler.generate(seed, 32)
    return Section("samples", "Final samples",
                   f"32 images from the checkpoint at step {sampler.step:,} (noise seed {seed}).",
                   [Picture("final_samples", f"Generated at step {sampler.step:,}", make_grid(images, nrow=8), 2)])
