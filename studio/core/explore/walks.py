"""Walks through latent space (A→B interpolation, or along one direction) as GIF, WebP or numbered PNG frames."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from studio.core.files import write_bytes_atomic, write_new_folder
from studio.core.data.limits import current_limits
from studio.core.errors import StudioError
from studio.core.imaging import png_bytes
from studio.core.explore.render import spec_latents
from studio.core.explore.latent_spec import LatentSpec
from studio.core.sampling import Sampler, slerp
from studio.core.tasks import TaskState, quiet

ANIMATED = {".gif": "GIF", ".webp": "WEBP"}
WALK_BATCH = 32
DIRECTION_WALK_SIGMA = 3.0
MIN_FRAMES, MAX_FRAMES = 2, 10_000
MIN_FPS, MAX_FPS = 0.1, 50.0


def interpolation_latents(a: LatentSpec, b: LatentSpec, frames: int, latent_dim: int,
                          directions: np.ndarray | None = None) -> torch.Tensor:
    """``(frames, latent_dim)`` latents from A to B, both included, by spherical interpolation."""
    start, end = spec_latents(a, 1, latent_dim, directions), spec_latents(b, 1, latent_dim, directions)
    return torch.cat([slerp(start, end, t) for t in np.linspace(0.0, 1.0, check_frames(frames))])


def direction_latents(spec: LatentSpec, direction: np.ndarray, frames: int, latent_dim: int,
                      directions: np.ndarray | None = None, sigma: float = DIRECTION_WALK_SIGMA) -> torch.Tensor:
    """``(frames, latent_dim)`` latents moving the spec's sample from -σ to +σ along one unit ``direction``."""
    base = spec_latents(spec, 1, latent_dim, directions)
    steps = torch.linspace(-sigma, sigma, check_frames(frames))[:, None]
    return base + steps * torch.from_numpy(np.asarray(direction, dtype=np.float32))[None, :]


def render_frames(
    sampler: Sampler,
    z: torch.Tensor,
    class_index: int | None = None,
    task: TaskState | None = None,
) -> np.ndarray:
    """``(F, H, W, 3)`` uint8 frames, one per latent row, all of one class (or of the first for conditional models)."""
    task = task or quiet()
    frames = []
    for start in range(0, len(z), WALK_BATCH):
        task.check("The walk", "no files were kept")
        chunk = z[start : start + WALK_BATCH]
        labels = sampler.labels_for(len(chunk), class_index if class_index is not None else 0)
        frames.append(sampler.render(chunk, labels))
        task.progress(start + len(chunk), len(z))
    return np.concatenate(frames)


def save_walk(frames: np.ndarray, out: Path, fps: float = 12.0) -> list[Path]:
    """Write ``frames`` as an animated ``.gif`` / ``.webp`` file, or as numbered PNGs in a new folder ``out``.

    Nothing is ever overwritten: an existing file or non-empty folder gives one sentence instead.
    GIF and WebP encoders store identical consecutive frames as one frame shown for their summed
    time, so an animation always plays for ``frames / fps``; PNG frames keep every frame.
    """
    out = Path(out)
    kind = ANIMATED.get(out.suffix.lower())
    if kind is None:
        if out.suffix:
            raise StudioError(f"'{out.name}' should end in .gif or .webp, or have no extension for a folder of PNG frames.")
        return [out / name for name in write_new_folder(out, lambda staging: _write_frames(frames, staging))]
    if out.exists():
        raise StudioError(f"'{out}' already exists; choose another name.")
    pictures = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    options = {"lossless": True} if kind == "WEBP" else {"disposal": 1}
    pictures[0].save(buffer, format=kind, save_all=True, append_images=pictures[1:], duration=frame_ms(fps),
                     loop=0, **options)
    write_bytes_atomic(out, buffer.getvalue())
    return [out]


def frame_ms(fps: float) -> int:
    """A frame's display time in whole hundredths of a second (GIF's unit), at least 20 ms."""
    return max(20, round(100 / check_fps(fps)) * 10)


def check_fps(fps: float) -> float:
    """Frames per second a walk can play at: 0.1 (ten seconds a frame) to 50 (GIF's fastest)."""
    if not MIN_FPS <= fps <= MAX_FPS:
        raise StudioError(f"A walk plays at {MIN_FPS:g} to {MAX_FPS:g} frames per second, not {fps:g}.")
    return fps


def check_frames(frames: int) -> int:
    if not MIN_FRAMES <= frames <= MAX_FRAMES:
        raise StudioError(f"A walk needs between {MIN_FRAMES} and {MAX_FRAMES:,} frames, not {frames}.")
    return frames


def _write_frames(frames: np.ndarray, staging: Path) -> list[str]:
    digits = max(4, len(str(len(frames) - 1)))
    names = [f"frame-{index:0{digits}d}.png" for index in range(len(frames))]
    for name, frame in zip(names, frames):
        (staging / name).write_bytes(png_bytes(frame))
    return names


def export_walk(
    sampler: Sampler,
    out: Path,
    start: LatentSpec,
    end: LatentSpec | None = None,
    direction: np.ndarray | None = None,
    frames: int = 24,
    directions: np.ndarray | None = None,
    class_index: int | None = None,
    fps: float = 12.0,
    task: TaskState | None = None,
) -> list[Path]:
    """Render and save a walk: from ``start`` to ``end`` (slerp), or from ``start`` along the unit ``direction``."""
    if (end is None) == (direction is None):
        raise StudioError("A walk goes either from sample A to sample B, or along one direction.")
    check_fps(fps)
    check_frames(frames)
    current_limits().check_images("the walk's frames", frames, sampler.resolution)  # all are held until written
    if end is not None:
        z = interpolation_latents(start, end, frames, sampler.latent_dim, directions)
    else:
        z = direction_latents(start, direction, frames, sampler.latent_dim, directions)
    return save_walk(render_frames(sampler, z, class_index, task), out, fps)
