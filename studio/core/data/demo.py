"""The built-in demo set: coloured shapes on varied backgrounds, drawn procedurally from a seed.

Each shape is a signed distance (positive inside) turned into coverage over about one pixel, so
edges are anti-aliased at any resolution without supersampling. Everything comes from one numpy Generator: the same
seed, count and resolution always give the same bytes.
"""

from __future__ import annotations

import numpy as np
import torch

from studio.core.data.dataset import ImageDataset
from studio.core.tasks import TaskState, quiet

CLASS_NAMES = ["circle", "square", "triangle", "cross"]  # in the order of _SHAPE_DISTANCES
DEMO_SEED = 1234
_MAX_TILT = np.radians(25)  # shapes lean a little but keep their upright identity, so a GAN learns them fast
_CHUNK = 256


def make_demo_dataset(
    count: int = 4000,
    resolution: int = 32,
    seed: int = DEMO_SEED,
    task: TaskState | None = None,
) -> ImageDataset:
    task = task or quiet()
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % len(CLASS_NAMES))
    images = np.empty((count, resolution, resolution, 3), dtype=np.uint8)
    for start in range(0, count, _CHUNK):
        task.check("Loading the demo dataset")
        stop = min(start + _CHUNK, count)
        images[start:stop] = _draw_chunk(labels[start:stop], resolution, rng)
        task.progress(stop, count)
    return ImageDataset(
        images=torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(),
        labels=torch.from_numpy(labels.astype(np.int64)),
        class_names=list(CLASS_NAMES),
        source="demo",
        names=[f"#{index}" for index in range(count)],
    )


def _draw_chunk(labels: np.ndarray, resolution: int, rng: np.random.Generator) -> np.ndarray:
    n = len(labels)
    axis = ((np.arange(resolution) + 0.5) / resolution * 2 - 1).astype(np.float32)
    y, x = np.meshgrid(axis, axis, indexing="ij")
    background = _backgrounds(n, x, y, rng)
    mask, shade = _shapes(labels, x, y, rng, pixel=2 / resolution)
    colour = _object_colours(background, rng)
    foreground = colour[:, None, None, :] * shade[..., None]
    image = background * (1 - mask[..., None]) + foreground * mask[..., None]
    image += rng.normal(0, 0.01, image.shape).astype(np.float32)
    return np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    k = (np.stack([5 + h * 6, 3 + h * 6, 1 + h * 6], axis=-1)) % 6
    return v[..., None] - v[..., None] * s[..., None] * np.clip(np.minimum(k, 4 - k), 0, 1)


def _backgrounds(n: int, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Solid, gradient or softly striped backgrounds in muted colours."""
    hue = rng.random((n, 2))
    first = _hsv_to_rgb(hue[:, 0], rng.uniform(0.1, 0.5, n), rng.uniform(0.25, 0.9, n)).astype(np.float32)
    second = _hsv_to_rgb(hue[:, 1], rng.uniform(0.1, 0.5, n), rng.uniform(0.25, 0.9, n)).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi, n).astype(np.float32)[:, None, None]
    along = x * np.cos(angle) + y * np.sin(angle)
    kind = rng.integers(0, 3, n)[:, None, None]
    gradient = np.clip(along * 0.5 + 0.5, 0, 1)
    stripes = (np.sin(along * rng.uniform(6, 14, n).astype(np.float32)[:, None, None]) > 0).astype(np.float32)
    mix = np.where(kind == 0, np.float32(0), np.where(kind == 1, gradient, stripes * 0.3 + 0.35))
    return first[:, None, None, :] * (1 - mix[..., None]) + second[:, None, None, :] * mix[..., None]


def _object_colours(background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Saturated colours, lighter or darker than the background's mean so the shape stands out."""
    n = background.shape[0]
    mean_value = background.mean(axis=(1, 2)).max(axis=-1)
    value = np.where(mean_value < 0.55, rng.uniform(0.8, 1.0, n), rng.uniform(0.1, 0.35, n))
    return _hsv_to_rgb(rng.random(n), rng.uniform(0.6, 1.0, n), value).astype(np.float32)


def _shapes(
    labels: np.ndarray, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, pixel: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each image's shape coverage in [0, 1], and a soft shading across the shape."""
    n = len(labels)
    radius = rng.uniform(0.5, 0.75, n).astype(np.float32)[:, None, None]
    centre = rng.uniform(-0.15, 0.15, (n, 2)).astype(np.float32)
    angle = rng.uniform(-_MAX_TILT, _MAX_TILT, n).astype(np.float32)[:, None, None]
    dx = x - centre[:, 0, None, None]
    dy = y - centre[:, 1, None, None]
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    distance = np.empty_like(u)
    for label, inside in enumerate(_SHAPE_DISTANCES):
        members = labels == label
        distance[members] = inside(u[members], v[members], radius[members])
    coverage = np.clip(distance / pixel + 0.5, 0, 1)
    shade = 0.8 + 0.2 * np.clip(-(u + v) / (2 * radius) + 0.5, 0, 1)
    return coverage, shade


def _circle(u: np.ndarray, v: np.ndarray, radius: np.ndarray) -> np.ndarray:
    return radius - np.sqrt(u * u + v * v)


def _square(u: np.ndarray, v: np.ndarray, radius: np.ndarray) -> np.ndarray:
    return radius * 0.8 - np.maximum(np.abs(u), np.abs(v))


def _cross(u: np.ndarray, v: np.ndarray, radius: np.ndarray) -> np.ndarray:
    au, av = np.abs(u), np.abs(v)
    bar = radius * 0.3
    return np.maximum(np.minimum(bar - au, radius - av), np.minimum(bar - av, radius - au))


def _triangle(u: np.ndarray, v: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """An equilateral triangle: the nearest of three edges at 0.6 ``radius`` from the centre."""
    edges = [radius * 0.6 - (u * np.cos(t) + v * np.sin(t)) for t in np.pi / 2 + np.arange(3) * 2 * np.pi / 3]
    return np.minimum(np.minimum(edges[0], edges[1]), edges[2])


_SHAPE_DISTANCES = (_circle, _square, _triangle, _cross)
