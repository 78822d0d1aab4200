"""Bringing your own images into a run: ``project`` finds each image's latent, writes the reconstructions,
the latents (JSON, usable as ``walk --from/--to``) and a CSV of how well the model draws each image."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.cli.common import seed_argument
from studio.cli.explore import class_index
from studio.cli.progress import ProgressBar
from studio.core.errors import Cancelled
from studio.core.tasks import TaskState


def add_project_command(commands) -> None:
    project = commands.add_parser("project", help="find your own images in a run's latent space")
    project.add_argument("--run", required=True, type=Path)
    project.add_argument("--image", required=True, type=Path, help="an image file, or a folder of them")
    project.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    project.add_argument("--steps", type=int, help="optimisation steps (more: a closer match, slower; default 300)")
    project.add_argument("--class", dest="class_", metavar="CLASS", help="a conditional model's class, by name or number "
                         "(default: the class that fits best)")
    project.add_argument("--seed", type=seed_argument, default=0, help="seed of the random starting points")
    project.add_argument("--no-encoder", action="store_true", help="start from random latents only, without training "
                         "the encoder that guesses a starting point (a one-off cost per checkpoint)")
    project.set_defaults(command=_project)


def _project(args: argparse.Namespace) -> int:
    from studio.core.explore.batch_projection import check_output_folder, image_files, project_files, write_projections
    from studio.core.explore.encoder import latent_encoder
    from studio.core.explore.feature_distance import run_feature_distance
    from studio.core.explore.projection import PROJECTION_STEPS
    from studio.core.runs import Run
    from studio.core.sampling import Sampler

    steps = args.steps if args.steps is not None else PROJECTION_STEPS
    check_output_folder(args.out)
    files, skipped = image_files(args.image)
    run = Run.open(args.run)
    checkpoint = run.latest_checkpoint()
    sampler = Sampler.from_run(run, checkpoint)
    chosen = class_index(sampler, args.class_)
    features = run_feature_distance(run, checkpoint, sampler.num_classes, sampler.device)
    bar = ProgressBar("encoder (once per checkpoint)")
    try:
        encoder = None if args.no_encoder else latent_encoder(run, sampler, checkpoint, TaskState(bar.update))
        bar.close()
        bar = ProgressBar("projecting")
        projections, unreadable = project_files(sampler, run.config.data, files, steps, chosen, args.seed,
                                                TaskState(bar.update), encoder, features)
    except KeyboardInterrupt:
        raise Cancelled("The projection was cancelled; no files were written.") from None
    finally:
        bar.close()
    write_projections(args.out, projections, sampler.class_names)
    for projection in projections:
        note = f"  {projection.warning}" if projection.warning else ""
        print(f"{Path(projection.source).name}: {projection.psnr:.1f} dB{note}")
    skipped += unreadable
    if skipped:
        print(f"Skipped {len(skipped)} files:", file=sys.stderr)
        for item in skipped:
            print(f"  {item.path}: {item.reason}", file=sys.stderr)
    print(f"Wrote {len(projections)} reconstructions and latents to {args.out}")
    return 0
