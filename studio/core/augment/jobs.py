"""The Augment tab's long jobs as plain functions: open a run for augmenting, export an augmented
dataset, run the usefulness check.

Each takes paths and plain data (never a widget) and a ``TaskState``; the GUI runs them with its
task runner and the tests call them directly. Torch-using modules are imported inside the
functions, so the GUI can import this module (and ``AugmentInfo``) before torch is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from studio.core.augment.targets import Target
from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState

EXPORT_FOLDER = "augmented"


@dataclass(frozen=True)
class AugmentSettings:
    """What the analyst chose in the Augment tab, as plain values (the GUI builds it without torch;
    the jobs turn it into the engine's ``AugmentRequest`` and ``Gates``). ``min_confidence`` 0 is off."""

    target: Target = field(default_factory=Target)
    min_confidence: float = 0.0
    drop_copies: bool = False
    real_files: str = "copy"
    truncation: float = 1.0
    seed: int = 0

    def gates(self) -> Any:
        from studio.core.augment.gates import Gates

        return Gates(min_confidence=self.min_confidence, drop_copies=self.drop_copies)

    def request(self) -> Any:
        from studio.core.augment.export import AugmentRequest

        return AugmentRequest(target=self.target, gates=self.gates(), real_files=self.real_files,
                              truncation=self.truncation, seed=self.seed)


@dataclass(frozen=True)
class AugmentInfo:
    """What the Augment tab shows about a run before anything is generated, as plain data.

    ``real_counts`` are the training images per class (the held-out test images left out);
    ``data_problem`` is the sentence saying why the run's dataset cannot be read now ('' when it
    can), in which case the counts come from what the run recorded when it was made.
    """

    run_path: Path
    run_name: str
    held_out_note: str
    has_checkpoint: bool = False
    step: int = 0
    conditional: bool = False
    class_names: list[str] = field(default_factory=list)
    real_counts: dict[str, int] = field(default_factory=dict)
    test_images: int = 0
    resolution: int = 0
    data_problem: str = ""
    usefulness: Any = None  # the saved UsefulnessResult (studio.core.evaluation.usefulness_result), if any

    @property
    def labelled(self) -> bool:
        return len(self.class_names) >= 2

    @property
    def ready(self) -> bool:
        """A checkpoint to generate from and a dataset to read: exporting and checking can start."""
        return self.has_checkpoint and not self.data_problem


def open_augment_run(run_path: Path, task: TaskState) -> AugmentInfo:
    """The run's latest checkpoint, its training images per class, its test split and its saved check."""
    from studio.core.data import load_dataset
    from studio.core.evaluation.usefulness_result import saved_usefulness
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    run = Run.open(run_path)
    info = AugmentInfo(run_path=run.path, run_name=run.name, held_out_note=run.held_out_note(),
                       usefulness=saved_usefulness(run))
    checkpoint = run.latest_checkpoint()
    if checkpoint is None:
        return info
    sampler = Sampler.from_run(run, checkpoint)
    info = replace(info, has_checkpoint=True, step=sampler.step, conditional=bool(sampler.num_classes),
                   resolution=run.config.data.resolution)
    try:
        dataset = load_dataset(run.data_config(), task)
        training, test = run.split(dataset)
    except Cancelled:
        raise
    except StudioError as problem:
        return replace(info, data_problem=str(problem), **_recorded_counts(run))
    return replace(info, class_names=list(training.class_names), real_counts=training.class_counts(),
                   test_images=len(test) if test is not None else 0, resolution=training.resolution)


def _recorded_counts(run) -> dict:
    """The training images per class as the run recorded them when it was made (its dataset unread)."""
    classes = run.info.get("dataset", {}).get("classes", {})
    try:
        held = run.held_out()
    except StudioError:
        held = None
    kept_apart = held.per_class if held is not None else {}
    return {"class_names": list(classes), "test_images": held.count if held is not None else 0,
            "real_counts": {name: max(0, count - kept_apart.get(name, 0)) for name, count in classes.items()}}


def export_job(run_path: Path, settings: AugmentSettings, folder: Path, task: TaskState) -> Any:
    """Write the augmented dataset ``settings`` ask for into ``folder`` when it is empty, else into a new
    ``augmented`` folder inside it; the ``AugmentResult``."""
    from studio.core.augment.export import export_augmented
    from studio.core.data import load_dataset
    from studio.core.files import export_folder
    from studio.core.runs import Run

    run = Run.open(run_path)
    dataset = load_dataset(run.data_config(), task.phase(0.0, 0.05))
    out = export_folder(Path(folder), EXPORT_FOLDER)
    return export_augmented(run, dataset, settings.request(), out, task.phase(0.05, 1.0))


def usefulness_job(run_path: Path, seeds: int, settings: AugmentSettings, test_folder: Path | None,
                   task: TaskState) -> Any:
    """The usefulness check of the run (saved into it), its synthetic images through the quality gates of
    ``settings``, tested on its held-out images or, when ``test_folder`` is given, on the real images in
    that folder; the ``UsefulnessResult``."""
    from studio.core.data import load_dataset
    from studio.core.evaluation import usefulness_result
    from studio.core.evaluation.usefulness import usefulness_check
    from studio.core.runs import Run

    run = Run.open(run_path)
    config = run.data_config()
    dataset = load_dataset(config, task.phase(0.0, 0.05))
    test = None
    if test_folder is not None:
        if _same_place(test_folder, config.source):
            raise StudioError("That folder is the run's own dataset, which it trained on; choose real images it has "
                              "never seen.")
        test = load_dataset(replace(config, source=str(test_folder)), task.phase(0.05, 0.1))
    return usefulness_check(run, dataset, seeds=seeds, gates=settings.gates(), test_data=test,
                            task=task.phase(0.1, 1.0), steps=usefulness_result.PROBE_STEPS)


def _same_place(a: Path | str, b: Path | str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return False
