"""Writing an augmented dataset: the run's real training images and the synthetic ones, in the source's
class-folder layout, with ``manifest.csv`` (one row per image), ``dataset.json`` (the settings and the
per-class tallies) and a short ``README.txt``.

Synthetic images are written as they are made, so memory does not grow with the number asked for; a
request that may not fit on the disk is refused before anything is made. The folder is filled in a
hidden staging folder and renamed into place at the end (see
:func:`studio.core.files.write_new_folder`), so a cancel, a crash or a full disk leaves nothing half
written. The run's held-out test images are left out: they stay untouched for testing.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from studio.core.augment.gates import Gates, Judge
from studio.core.augment.room import check_room
from studio.core.augment.synthesis import Batch, Synthetic, Tally, synthesize
from studio.core.augment.targets import Target, synthetic_targets
from studio.core.class_folders import class_folder_names
from studio.core.data.dataset import ImageDataset
from studio.core.data.folder import UNLABELLED
from studio.core.data.readers import FolderReader, ZipReader
from studio.core.errors import StudioError
from studio.core.evaluation.evaluate import checkpoint_for
from studio.core.files import write_new_folder, write_text_atomic
from studio.core.imaging import png_bytes
from studio.core.runs import Run
from studio.core.tasks import TaskState, quiet

REAL_FILES = ("copy", "link", "resized")
FORMAT = "gan-studio-augmented/1"
MANIFEST_COLUMNS = ["file", "origin", "class", "source", "checkpoint_sha256", "step", "seed", "truncation",
                    "confidence", "nearest_training_distance"]
CACHE_DIR = "augment"


@dataclass(frozen=True)
class AugmentRequest:
    """What the analyst asked for. ``real_files``: copy the source's files as they are, link them (hard
    links, copies where the disk cannot), or write them as PNGs at the run's resolution; sources that are
    not image files (arrays, CIFAR, MNIST, the demo) are always written as PNGs."""

    target: Target = field(default_factory=Target)
    gates: Gates = field(default_factory=Gates)
    real_files: str = "copy"
    truncation: float = 1.0
    seed: int = 0
    checkpoint: str = "last"


@dataclass(frozen=True)
class AugmentResult:
    out_dir: Path
    real: dict[str, int]
    tallies: dict[str, Tally]
    held_out: int
    classifier_accuracy: float | None

    def lines(self) -> list[str]:
        """Per class: real, asked, generated, kept, dropped and why (what the CLI prints and the panel shows)."""
        lines = []
        for name, tally in self.tallies.items():
            dropped = ", ".join(f"{count:,} {reason}" for reason, count in tally.dropped.items() if count)
            short = f"; {tally.short:,} short of the target (the gates refused too many)" if tally.short else ""
            real = f"{self.real.get(name, 0):,} real + " if name in self.real else ""
            lines.append(f"{name}: {real}{tally.kept:,} synthetic (asked {tally.asked:,}, generated {tally.generated:,}"
                         f"{', dropped ' + dropped if dropped else ''}){short}")
        return lines


def plan(run: Run, dataset: ImageDataset, request: AugmentRequest) -> tuple[ImageDataset, object, Judge, dict[str, int]]:
    """The training images, the sampler, the judge and the synthetic images wanted per class: every
    setting checked before anything is generated."""
    from studio.core.sampling import Sampler

    if request.real_files not in REAL_FILES:
        raise StudioError(f"Real images must be one of {', '.join(REAL_FILES)}, not '{request.real_files}'.")
    if not 0.0 < request.truncation <= 2.0:
        raise StudioError(f"Truncation ψ must be above 0 and at most 2, not {request.truncation:g}.")
    request.gates.check()
    training, _ = run.split(dataset)
    sampler = Sampler.from_run(run, checkpoint_for(run, request.checkpoint))
    conditional = bool(sampler.num_classes)
    request.target.check(conditional)
    if conditional and list(sampler.class_names) != list(training.class_names):
        raise StudioError("The run's classes differ from the dataset's now; the dataset changed since the run was made.")
    labelled = len(training.class_names) >= 2
    judge = Judge(training, run.path / CACHE_DIR, classify=bool(request.gates.min_confidence) or (labelled and not conditional),
                  copies=request.gates.drop_copies)
    return training, sampler, judge, synthetic_targets(training.class_counts(), request.target)


def export_augmented(run: Run, dataset: ImageDataset, request: AugmentRequest, out_dir: Path,
                     task: TaskState | None = None) -> AugmentResult:
    """Write the augmented dataset into the new or empty folder ``out_dir``: the real images first, then
    each batch of synthetic images as it is made (memory does not grow with the number asked for)."""
    task = task or quiet()
    training, sampler, judge, wanted = plan(run, dataset, request)
    check_room(Path(out_dir), len(training), sum(wanted.values()), training.resolution)
    held = run.held_out()

    def fill(staging: Path) -> Synthetic:
        with open(staging / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
            manifest = csv.writer(handle, lineterminator="\n")
            manifest.writerow(MANIFEST_COLUMNS)
            taken: set[str] = set()
            manifest.writerows(_write_real(training, training.source, request.real_files, staging, task.phase(0.0, 0.1),
                                           taken))
            write = _synthetic_writer(training, sampler, request.truncation, staging, taken, manifest)
            synthetic = synthesize(sampler, judge, request.gates, wanted, training.class_names, request.seed,
                                   request.truncation, task.phase(0.1, 1.0), sink=write)
        description = _description(run, training, synthetic, judge, sampler, request, held.count if held else 0)
        write_text_atomic(staging / "dataset.json", json.dumps(description, indent=2))
        write_text_atomic(staging / "README.txt", _readme(description))
        return synthetic

    synthetic = write_new_folder(Path(out_dir), fill)
    return AugmentResult(Path(out_dir), training.class_counts(), synthetic.tallies, held.count if held else 0,
                         judge.classifier_accuracy)


def _class_folders(class_names: list[str]) -> list[str]:
    """Each class's folder in the export; an unlabelled source has none (its files lie at the top)."""
    return [""] if class_names == [UNLABELLED] else class_folder_names(class_names)


def _write_real(training: ImageDataset, source: str, real_files: str, staging: Path, task: TaskState,
                taken: set[str]) -> list[list]:
    reader = _reader(source)
    rows = []
    folders = _class_folders(training.class_names)
    for index in range(len(training)):
        if index % 256 == 0:
            task.check("The export", "no files were kept")
            task.progress(index, len(training))
        name = training.name_of(index)
        label = int(training.labels[index])
        folder = folders[label] if label >= 0 else ""
        has_file = not name.startswith("#")
        copied = reader is not None and real_files != "resized" and has_file
        stem = PurePosixPath(name).stem if has_file else f"real-{name[1:]}"
        relative = _unique(f"{folder}/{stem}" if folder else stem, PurePosixPath(name).suffix if copied else ".png", taken)
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if copied and real_files == "link" and isinstance(reader, FolderReader):
            _link_or_copy(reader.root / name, target)
        elif copied:
            target.write_bytes(reader(name))
        else:
            target.write_bytes(png_bytes(training.images[index].permute(1, 2, 0).numpy()))
        rows.append([relative, "real", training.class_names[int(training.labels[index])],
                     name if has_file else f"{source} {name}", "", "", "", "", "", ""])
    task.progress(len(training), len(training))
    return rows


def _synthetic_writer(training: ImageDataset, sampler, psi: float, staging: Path, real_names: set[str],
                      manifest) -> Callable[[Batch], None]:
    """Writes each batch's images and manifest rows at once. A synthetic image's name holds its seed, which no
    other synthetic image of its class shares, so only the real images' names need remembering."""
    folders = _class_folders(training.class_names)

    def write(batch: Batch) -> None:
        for i in range(len(batch.images)):
            label = max(int(batch.labels[i]), 0)  # -1: a model without classes on a one-class source
            folder = folders[label]
            seed = int(batch.seeds[i])
            stem = f"synthetic-{seed}"
            relative = _unique(f"{folder}/{stem}" if folder else stem, ".png", real_names, remember=False)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png_bytes(batch.images[i]))
            manifest.writerow([relative, "synthetic", training.class_names[label], "", sampler.fingerprint, sampler.step,
                               seed, psi, _number(batch.confidence[i]), _number(batch.nearest_distance[i])])

    return write


def _unique(stem: str, suffix: str, taken: set[str], remember: bool = True) -> str:
    """``stem + suffix``, or with ``-2``, ``-3``… when two sources share a file name (case-insensitively,
    so the folder also works on Windows and macOS); ``remember`` adds the name to ``taken``."""
    candidate, count = f"{stem}{suffix}", 1
    while candidate.lower() in taken:
        count += 1
        candidate = f"{stem}-{count}{suffix}"
    if remember:
        taken.add(candidate.lower())
    return candidate


def _reader(source: str):
    """How to read the source's original files, or None when it has none (arrays, CIFAR, MNIST, the demo)."""
    from studio.core.data.limits import current_limits
    from studio.core.data.load import source_kind
    from studio.core.config import DEMO_SOURCE

    if source == DEMO_SOURCE:
        return None
    path = Path(source)
    kind = source_kind(path)
    limit = current_limits().file_bytes
    return FolderReader(path, limit) if kind == "folder" else ZipReader(path, limit) if kind == "zip" else None


def _link_or_copy(original: Path, target: Path) -> None:
    try:
        os.link(original, target)
    except OSError:
        shutil.copyfile(original, target)


def _number(value: float) -> str:
    return "" if value != value else f"{value:.4f}"


def _description(run: Run, training: ImageDataset, synthetic: Synthetic, judge: Judge, sampler, request: AugmentRequest,
                 held_out: int) -> dict:
    real = training.class_counts()
    return {
        "format": FORMAT,
        "created_at": time.time(),
        "run": run.name,
        "source": training.source,
        "checkpoint_sha256": sampler.fingerprint,
        "step": sampler.step,
        "resolution": training.resolution,
        "target": {**asdict(request.target), "described": request.target.describe()},
        "gates": {**asdict(request.gates), "described": request.gates.describe(),
                  "classifier_accuracy": judge.classifier_accuracy, "near_copy_distance": judge.copy_threshold},
        "real_files": request.real_files,
        "truncation": request.truncation,
        "seed": request.seed,
        "held_out_left_out": held_out,
        "classes": {name: {"real": real.get(name, 0), **asdict(tally), "short": tally.short}
                    for name, tally in synthetic.tallies.items()},
        "images": {"real": len(training), "synthetic": sum(tally.kept for tally in synthetic.tallies.values())},
    }


def _readme(description: dict) -> str:
    gates = description["gates"]
    accuracy = gates["classifier_accuracy"]
    lines = [
        "Augmented dataset made with GAN Studio",
        "",
        f"{description['images']['real']:,} real images from {description['source']} and "
        f"{description['images']['synthetic']:,} synthetic images from the run '{description['run']}' "
        f"(checkpoint at step {description['step']:,}, ψ {description['truncation']:g}).",
        f"Target: {description['target']['described']}.",
        gates["described"] + (f" The classifier was right on {accuracy:.0%} of real images it had not trained on."
                              if accuracy is not None else ""),
        "",
        "Each class is a folder, as in the source, so any tool that read the source reads this folder.",
        "manifest.csv lists every image: real or synthetic, its source file or its checkpoint and seed, its class,",
        "the truncation ψ and the gate scores. dataset.json holds the settings and, per class, how many images",
        "were asked for, generated, kept and dropped (and why).",
    ]
    if description["held_out_left_out"]:
        lines += ["", f"The run's {description['held_out_left_out']:,} held-out test images are not included: keep "
                      "them for testing a model trained on this folder."]
    return "\n".join(lines) + "\n"
