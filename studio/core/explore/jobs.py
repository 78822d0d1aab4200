"""The explorer's long jobs as plain functions: open a checkpoint, find its directions, save and
export pinned samples, export walks and batches, project an image.

Each takes paths and plain data (never a widget) and, when it can take long, a ``TaskState``; the
GUI runs them with its task runner and the tests call them directly. Torch-using modules are
imported inside the functions, so the GUI can import this module before torch is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.explore.favourites import Favourite
from studio.core.explore.latent_spec import LatentSpec
from studio.core.tasks import TaskState


@dataclass(frozen=True)
class ExplorerModel:
    """What the explorer needs to know about an opened checkpoint, as plain data."""

    run_path: Path
    checkpoint: Path
    fingerprint: str
    step: int
    latent_dim: int
    class_names: list[str]
    num_classes: int
    directions: Any = None  # studio.core.explore.directions.Directions, when cached
    favourites: list[Favourite] = field(default_factory=list)  # of every checkpoint of the run

    def class_name(self, index: int) -> str:
        return self.class_names[index] if index < len(self.class_names) else f"class {index}"


def open_model(run_path: Path) -> ExplorerModel:
    """The run's latest checkpoint with its cached directions and the run's favourites."""
    from studio.core.explore.directions import load_directions
    from studio.core.explore.favourites import load_favourites
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    run = Run.open(run_path)
    checkpoint = run.latest_checkpoint()
    sampler = Sampler.from_run(run, checkpoint)
    return ExplorerModel(
        run_path=run.path, checkpoint=checkpoint, fingerprint=sampler.fingerprint, step=sampler.step,
        latent_dim=sampler.latent_dim, class_names=list(sampler.class_names), num_classes=sampler.num_classes,
        directions=load_directions(run, sampler.fingerprint),
        favourites=load_favourites(run))


def find_directions(model: ExplorerModel, task: TaskState) -> Any:
    """The checkpoint's principal directions (GANSpace), computed once and cached in the run."""
    from studio.core.explore.directions import directions_for

    run, sampler = _open(model)
    return directions_for(run, sampler, task)


def save_pinned(run_path: Path, fingerprint: str, favourites: list[Favourite]) -> None:
    """Make ``favourites`` the pins of checkpoint ``fingerprint``, keeping those of other checkpoints."""
    from studio.core.explore.favourites import load_favourites, save_favourites
    from studio.core.runs import Run

    run = Run.open(run_path)
    others = [f for f in load_favourites(run) if f.fingerprint != fingerprint]
    save_favourites(run, others + list(favourites))


def export_pinned(model: ExplorerModel, favourites: list[Favourite], out: Path, directions: np.ndarray | None,
                  task: TaskState) -> list[Path]:
    """Each pinned sample as a PNG in the new folder ``out``, with ``favourites.json`` to regenerate them."""
    from studio.core.explore.render import export_favourites

    _, sampler = _open(model)
    return export_favourites(sampler, favourites, out, directions, task)


def export_walk(model: ExplorerModel, out: Path, start: LatentSpec, end: LatentSpec | None,
                direction: np.ndarray | None, frames: int, directions: np.ndarray | None,
                class_index: int | None, task: TaskState) -> list[Path]:
    """An animation (GIF/WebP by name) or numbered PNG frames, from A to B or along one direction."""
    from studio.core.explore.walks import export_walk as write_walk

    _, sampler = _open(model)
    return write_walk(sampler, out, start=start, end=end, direction=direction, frames=frames, directions=directions,
                      class_index=class_index, task=task)


def export_labelled_grid(images: np.ndarray, labels: list[str], out: Path, nrow: int) -> list[Path]:
    """The shown samples as one PNG with a label under each."""
    from studio.core.explore.export import export_labelled_grid as write_grid

    return [write_grid(images, labels, out, nrow)]


def export_batch(run_path: Path, folder: Path, count: int, seed: int, truncation: float, class_index: int | None,
                 checkpoint: Path | None, task: TaskState) -> list[Path]:
    """``count`` PNGs with manifests from ``checkpoint`` (the run's latest when None) into ``folder`` if
    it is empty, else into a new sub-folder named after the run and step."""
    from studio.core.explore.export import export_images
    from studio.core.files import export_folder
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    sampler = Sampler.from_run(Run.open(run_path), checkpoint)
    out = export_folder(folder, f"{Path(run_path).name}-step-{sampler.step:06d}")
    return export_images(sampler, out, count, seed, task, truncation=truncation, class_index=class_index)


def project_image(model: ExplorerModel, path: Path, class_index: int | None,
                  on_source: Callable[[np.ndarray], None] | None, on_step: Callable[[int, np.ndarray], None] | None,
                  task: TaskState) -> Any:
    """The image file at ``path`` projected into the checkpoint's latent space (a ``Projection``, with
    ``PROJECTION_STEPS`` and ``ENCODER_STEPS`` as they are when called), searching ``class_index`` only or,
    when None, every class. ``on_source`` sees the image as the run sees it, ``on_step`` each intermediate
    reconstruction, both on the thread running this."""
    from studio.core.explore import projection

    run, sampler = _open(model)
    image, sha256 = projection.read_image(path, run.config.data)
    if on_source is not None:
        on_source(image)
    encoder, features = _projection_aids(run, sampler, model.checkpoint, task.phase(0.0, 0.5))
    return projection.project_image(sampler, image, str(path), sha256, steps=projection.PROJECTION_STEPS,
                                    class_index=class_index, task=task.phase(0.5, 1.0), on_step=on_step,
                                    encoder=encoder, features=features)


def project_folder(model: ExplorerModel, folder: Path, out: Path, class_index: int | None, task: TaskState) -> list:
    """Every image file in ``folder`` projected, written to the new (or empty) folder ``out`` as
    reconstructions, latents and ``projections.csv``; returns the ``Projection`` list and the files skipped."""
    from studio.core.explore import projection
    from studio.core.explore.batch_projection import check_output_folder, image_files, project_files, write_projections

    check_output_folder(out)
    files, skipped = image_files(folder)
    run, sampler = _open(model)
    encoder, features = _projection_aids(run, sampler, model.checkpoint, task.phase(0.0, 0.2))
    projections, unreadable = project_files(sampler, run.config.data, files, projection.PROJECTION_STEPS, class_index, 0,
                                            task.phase(0.2, 1.0), encoder, features)
    write_projections(out, projections, sampler.class_names)
    return projections, skipped + unreadable


def _projection_aids(run, sampler, checkpoint: Path, task: TaskState):
    """The projection's encoder (trained once per checkpoint, the cost ``task`` reports) and feature distance."""
    from studio.core.explore import encoder as encoders
    from studio.core.explore.feature_distance import run_feature_distance

    encoder = encoders.latent_encoder(run, sampler, checkpoint, task, steps=encoders.ENCODER_STEPS)
    return encoder, run_feature_distance(run, checkpoint, sampler.num_classes, sampler.device)


def _open(model: ExplorerModel):
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    run = Run.open(model.run_path)
    return run, Sampler.from_run(run, model.checkpoint)
