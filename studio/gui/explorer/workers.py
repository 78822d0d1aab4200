"""The explorer's one-shot jobs: open a checkpoint, find directions, save favourites, export assets.

Each imports the torch-using parts of ``studio.core`` inside ``work`` (on its own thread) and
hands plain data back through signals; interactive frames go through the shared RenderWorker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from studio.core.explore.favourites import Favourite
from studio.gui.workers import Job, _ProgressThrottle


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
    favourites: list[Favourite] = field(default_factory=list)


class ExplorerOpenWorker(Job):
    """Loads the run's latest checkpoint, its cached directions and the run's favourites."""

    opened = Signal(object)
    doing = "Opening the checkpoint"

    def __init__(self, run_path: Path) -> None:
        super().__init__()
        self.run_path = Path(run_path)

    def work(self) -> None:
        from studio.core.explore.directions import load_directions
        from studio.core.explore.favourites import load_favourites
        from studio.core.runs import Run
        from studio.core.sampling import Sampler

        run = Run.open(self.run_path)
        checkpoint = run.latest_checkpoint()
        sampler = Sampler.from_run(run, checkpoint)
        self.opened.emit(ExplorerModel(
            run_path=run.path, checkpoint=checkpoint, fingerprint=sampler.fingerprint, step=sampler.step,
            latent_dim=sampler.latent_dim, class_names=list(sampler.class_names), num_classes=sampler.num_classes,
            directions=load_directions(run, sampler.fingerprint), favourites=load_favourites(run)))


class DirectionsWorker(Job):
    """Finds the checkpoint's principal directions (GANSpace) and caches them in the run."""

    progress = Signal(int, int)
    found = Signal(object)
    doing = "Finding directions"

    def __init__(self, model: ExplorerModel) -> None:
        super().__init__()
        self.model = model

    def work(self) -> None:
        from studio.core.explore.directions import directions_for
        from studio.core.runs import Run
        from studio.core.sampling import Sampler

        run = Run.open(self.model.run_path)
        sampler = Sampler.from_run(run, self.model.checkpoint)
        self.found.emit(directions_for(run, sampler, _ProgressThrottle(self.progress.emit), self.is_cancelled))


class SaveFavouritesWorker(Job):
    """Writes the run's favourites file (atomically)."""

    doing = "Saving the pinned samples"

    def __init__(self, run_path: Path, favourites: list[Favourite]) -> None:
        super().__init__()
        self.run_path = Path(run_path)
        self.favourites = list(favourites)

    def work(self) -> None:
        from studio.core.explore.favourites import save_favourites
        from studio.core.runs import Run

        save_favourites(Run.open(self.run_path), self.favourites)


class ExplorerExportWorker(Job):
    """Writes one explorer asset: pinned samples, a labelled grid, or a walk; emits the written paths."""

    progress = Signal(int, int)
    exported = Signal(object)
    doing = "Exporting"

    def __init__(self, model: ExplorerModel, out: Path, kind: str, **settings: Any) -> None:
        super().__init__()
        self.model, self.out, self.kind, self.settings = model, Path(out), kind, settings

    def work(self) -> None:
        from studio.core.explore.export import export_labelled_grid

        if self.kind == "grid":
            self.exported.emit([export_labelled_grid(self.settings["images"], self.settings["labels"], self.out,
                                                     self.settings["nrow"])])
            return
        from studio.core.explore.walks import export_walk
        from studio.core.explore.render import export_favourites
        from studio.core.runs import Run
        from studio.core.sampling import Sampler

        sampler = Sampler.from_run(Run.open(self.model.run_path), self.model.checkpoint)
        progress = _ProgressThrottle(self.progress.emit)
        if self.kind == "favourites":
            paths = export_favourites(sampler, self.settings["favourites"], self.out, self.settings["directions"],
                                      progress, self.is_cancelled)
        else:
            paths = export_walk(sampler, self.out, progress=progress, cancelled=self.is_cancelled, **self.settings)
        self.exported.emit(paths)

