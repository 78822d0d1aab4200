"""The explorer's headless side: ``sample`` (PNGs with ψ and class) and ``walk`` (GIF, WebP or PNG frames)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from studio.cli.common import count_argument, seed_argument
from studio.cli.progress import ProgressBar
from studio.core.config import MAX_EXPORT_IMAGES
from studio.core.errors import StudioError
from studio.core.runs import Run
from studio.core.tasks import TaskState


def add_sample_command(commands) -> None:
    sample = commands.add_parser("sample", help="generate images from a run's last checkpoint")
    sample.add_argument("--run", required=True, type=Path)
    sample.add_argument("--n", type=count_argument(MAX_EXPORT_IMAGES), default=64,
                        help=f"how many images, 1 to {MAX_EXPORT_IMAGES:,} (default 64)")
    sample.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    sample.add_argument("--seed", type=seed_argument, default=0, help="first seed, 0 to 2**63-1 (default 0)")
    sample.add_argument("--grid", action="store_true", help="also write grid.png with all the images")
    sample.add_argument("--truncation", type=float, default=1.0,
                        help="ψ, 0 to 2: below 1 gives more typical images, above 1 more varied ones (default 1)")
    sample.add_argument("--class", dest="class_", metavar="CLASS",
                        help="a conditional model's class, by name or number (default: every class in turn)")
    sample.set_defaults(command=_sample)


def add_walk_command(commands) -> None:
    walk = commands.add_parser("walk", help="an A-to-B interpolation or a direction walk as GIF, WebP or PNG frames")
    walk.add_argument("--run", required=True, type=Path)
    walk.add_argument("--out", required=True, type=Path, help="FILE.gif, FILE.webp, or a new folder for PNG frames")
    walk.add_argument("--from", dest="from_seed", help="seed of sample A, or a latent file written by 'project'")
    walk.add_argument("--to", dest="to_seed", help="seed of sample B, or a latent file written by 'project'")
    walk.add_argument("--direction", type=int, help="principal direction number (0 = most variance), found and cached on first use")
    walk.add_argument("--seed", type=seed_argument, default=0, help="the sample a direction walk starts from (default 0)")
    walk.add_argument("--frames", type=int, default=24, help="2 to 10,000 (default 24)")
    walk.add_argument("--fps", type=float, default=12.0, help="frames per second of a GIF or WebP, 0.1 to 50 (default 12)")
    walk.add_argument("--truncation", type=float, default=1.0, help="ψ applied to the samples walked between")
    walk.add_argument("--class", dest="class_", metavar="CLASS", help="a conditional model's class, by name or number")
    walk.set_defaults(command=_walk)


def check_truncation(psi: float) -> float:
    if not 0.0 <= psi <= 2.0:
        raise StudioError(f"--truncation must be between 0 and 2, not {psi}.")
    return psi


def class_index(sampler, text: str | None) -> int | None:
    """``--class`` as an index: a class name or number; None when not given."""
    if text is None:
        return None
    if not sampler.num_classes:
        raise StudioError("This model is not conditional, so it has no classes to choose from; leave out --class.")
    if text in sampler.class_names:
        return sampler.class_names.index(text)
    if text.isdigit() and int(text) < sampler.num_classes:
        return int(text)
    raise StudioError(f"Class '{text}' does not exist; choose one of: {', '.join(sampler.class_names)}.")


def _sample(args: argparse.Namespace) -> int:
    from studio.core.data.limits import current_limits
    from studio.core.explore.export import export_grid, export_images
    from studio.core.imaging import load_png
    from studio.core.sampling import Sampler

    psi = check_truncation(args.truncation)
    sampler = Sampler.from_run(Run.open(args.run))
    if args.grid:  # the grid holds every image at once
        current_limits().check_images("the grid", args.n, sampler.resolution)
    bar = ProgressBar("sampling")
    paths = export_images(sampler, args.out, args.n, seed=args.seed, task=TaskState(bar.update), truncation=psi,
                          class_index=class_index(sampler, args.class_))
    bar.close()
    if args.grid:
        export_grid(np.stack([load_png(path) for path in paths]), args.out / "grid.png")
    print(f"Wrote {len(paths)} images to {args.out}")
    return 0


def _end_point(text: str, sampler, psi: float):
    """A walk's end: a seed, or the latent (and class) of a file written by ``project``."""
    from dataclasses import replace

    from studio.core.explore.latent_spec import LatentSpec
    from studio.core.explore.projection import read_latent_file

    if text.lstrip("-").isdigit():
        try:
            return LatentSpec(seed=seed_argument(text), psi=psi)
        except argparse.ArgumentTypeError as problem:
            raise StudioError(f"--from and --to: {problem}.") from None
    return replace(read_latent_file(Path(text), sampler.latent_dim), psi=psi)


def _walk(args: argparse.Namespace) -> int:
    from studio.core.explore.walks import check_fps, check_frames, export_walk
    from studio.core.explore.directions import directions_for
    from studio.core.explore.latent_spec import LatentSpec
    from studio.core.sampling import Sampler

    between_seeds = args.from_seed is not None or args.to_seed is not None
    if between_seeds == (args.direction is not None) or (between_seeds and None in (args.from_seed, args.to_seed)):
        raise StudioError("Give either --from SEED --to SEED, or --direction K.")
    psi = check_truncation(args.truncation)
    check_frames(args.frames)
    check_fps(args.fps)
    run = Run.open(args.run)
    sampler = Sampler.from_run(run)
    chosen = class_index(sampler, args.class_)
    start = _end_point(args.from_seed, sampler, psi) if between_seeds else LatentSpec(seed=args.seed, psi=psi)
    end = _end_point(args.to_seed, sampler, psi) if between_seeds else None
    if chosen is None and between_seeds:
        chosen = start.class_index if start.class_index is not None else end.class_index
    direction = None
    if not between_seeds:
        bar = ProgressBar("finding directions")
        directions = directions_for(run, sampler, TaskState(bar.update))
        bar.close()
        if not 0 <= args.direction < len(directions.vectors):
            raise StudioError(f"Direction {args.direction} does not exist; choose 0 to {len(directions.vectors) - 1}.")
        direction = directions.vectors[args.direction]
    bar = ProgressBar("rendering")
    paths = export_walk(sampler, args.out, start, end, direction, args.frames, class_index=chosen, fps=args.fps,
                        task=TaskState(bar.update))
    bar.close()
    print(f"Wrote {args.frames} frames to {args.out}" + ("" if len(paths) == 1 else f" ({len(paths)} PNG files)"))
    return 0
