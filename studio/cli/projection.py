"""Bringing your own images into a run: ``project`` finds each image's latent, writes the reconstructions,
the latents (JSON, usable as ``walk --from/--to``) and a CSV of how well the model draws each image."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

from studio.cli.explore import class_index
from studio.cli.progress import ProgressBar
from studio.core.errors import Cancelled, StudioError
from studio.core.tasks import TaskState

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
CHUNK = 16  # images projected together


def add_project_command(commands) -> None:
    project = commands.add_parser("project", help="find your own images in a run's latent space")
    project.add_argument("--run", required=True, type=Path)
    project.add_argument("--image", required=True, type=Path, help="an image file, or a folder of them")
    project.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    project.add_argument("--steps", type=int, help="optimisation steps (more: a closer match, slower; default 300)")
    project.add_argument("--class", dest="class_", metavar="CLASS", help="a conditional model's class, by name or number "
                         "(default: the class that fits best)")
    project.add_argument("--seed", type=int, default=0, help="seed of the random starting points")
    project.add_argument("--no-encoder", action="store_true", help="start from random latents only, without training "
                         "the encoder that guesses a starting point (a one-off cost per checkpoint)")
    project.set_defaults(command=_project)


def _images(path: Path) -> list[Path]:
    if not path.exists():
        raise StudioError(f"'{path}' does not exist.")
    if path.is_file():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not found:
        raise StudioError(f"The folder '{path}' holds no image files.")
    return found


def _project(args: argparse.Namespace) -> int:
    import numpy as np

    from studio.core.explore.encoder import latent_encoder
    from studio.core.explore.projection import PROJECTION_STEPS, Projection, project, read_image
    from studio.core.files import write_new_folder
    from studio.core.imaging import png_bytes
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    steps = args.steps if args.steps is not None else PROJECTION_STEPS
    files = _images(args.image)
    run = Run.open(args.run)
    sampler = Sampler.from_run(run)
    chosen = class_index(sampler, args.class_)
    read = [read_image(path, run.config.data) for path in files]
    projections: list[Projection] = []
    bar = ProgressBar("encoder (once per checkpoint)")
    try:
        encoder = None if args.no_encoder else latent_encoder(run, sampler, run.latest_checkpoint(), TaskState(bar.update))
        bar.close()
        bar = ProgressBar("projecting")
        for start in range(0, len(files), CHUNK):
            part = read[start : start + CHUNK]
            done = len(projections)
            task = TaskState(lambda step, total: bar.update(done * total + step * len(part), len(files) * total))
            results = project(sampler, np.stack([pixels for pixels, _ in part]), steps, chosen, args.seed, task,
                              encoder=encoder)
            for path, (_, digest), result in zip(files[start:], part, results):
                projections.append(Projection(*result, str(path), digest, sampler.fingerprint, steps, args.seed))
    except KeyboardInterrupt:
        raise Cancelled("The projection was cancelled; no files were written.") from None
    finally:
        bar.close()

    def fill(staging: Path) -> None:
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(["image", "reconstruction", "latent", "class", "psnr_db", "prior_deviation", "warning"])
        taken: set[str] = set()
        for projection in projections:
            stem = Path(projection.source).stem
            while stem in taken:
                stem += "-2"
            taken.add(stem)
            (staging / f"{stem}.png").write_bytes(png_bytes(projection.reconstruction))
            (staging / f"{stem}.latent.json").write_text(json.dumps(projection.to_dict(), indent=2), encoding="utf-8")
            name = "" if projection.class_index is None else sampler.class_names[projection.class_index]
            writer.writerow([projection.source, f"{stem}.png", f"{stem}.latent.json", name, f"{projection.psnr:.2f}",
                             f"{projection.prior_deviation:.2f}", projection.warning])
        (staging / "projections.csv").write_text(table.getvalue(), encoding="utf-8")

    write_new_folder(args.out, fill)
    for projection in projections:
        note = f"  {projection.warning}" if projection.warning else ""
        print(f"{Path(projection.source).name}: {projection.psnr:.1f} dB{note}")
    print(f"Wrote {len(projections)} reconstructions and latents to {args.out}")
    return 0
