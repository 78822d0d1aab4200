"""Pinned samples: each keeps everything needed to regenerate its pixels exactly, saved in the run.

``<run>/favourites.json`` lists them; a favourite names its checkpoint by the weights' SHA-256, so
it is only ever rendered by those weights (and refuses, in one sentence, on any other).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.atomic import write_text_atomic
from studio.core.errors import Cancelled, StudioError
from studio.core.export import write_new_folder
from studio.core.imaging import png_bytes
from studio.core.latent_spec import LatentSpec, render_spec
from studio.core.runs import Run
from studio.core.sampling import Sampler

FAVOURITES_FILE = "favourites.json"
FORMAT = "gan-studio-favourites/1"


@dataclass(frozen=True)
class Favourite:
    fingerprint: str
    spec: LatentSpec
    label: str = ""

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "label": self.label, **self.spec.to_dict()}

    @classmethod
    def from_dict(cls, raw: dict) -> Favourite:
        return cls(raw["fingerprint"], LatentSpec.from_dict(raw), raw.get("label", ""))


def load_favourites(run: Run) -> list[Favourite]:
    path = run.path / FAVOURITES_FILE
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Favourite.from_dict(item) for item in raw["favourites"]]
    except (ValueError, KeyError, TypeError):
        raise StudioError(f"The favourites file '{path}' is damaged.") from None


def save_favourites(run: Run, favourites: list[Favourite]) -> None:
    payload = {"format": FORMAT, "favourites": [favourite.to_dict() for favourite in favourites]}
    write_text_atomic(run.path / FAVOURITES_FILE, json.dumps(payload, indent=2))


def regenerate(sampler: Sampler, favourite: Favourite, directions: np.ndarray | None = None) -> np.ndarray:
    """The favourite's ``(H, W, 3)`` image, from the very checkpoint it was pinned on."""
    if favourite.fingerprint != sampler.fingerprint:
        raise StudioError("This favourite was pinned on another checkpoint; open that checkpoint to regenerate it.")
    return render_spec(sampler, favourite.spec, 1, directions)[0]


def export_favourites(
    sampler: Sampler,
    favourites: list[Favourite],
    out_dir: Path,
    directions: np.ndarray | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Write each favourite as a PNG, plus ``favourites.json`` to regenerate them, into the new folder ``out_dir``."""
    if not favourites:
        raise StudioError("There are no pinned samples to export; pin one first.")

    def fill(staging: Path) -> list[str]:
        names = []
        for index, favourite in enumerate(favourites):
            if cancelled and cancelled():
                raise Cancelled("The export was cancelled; no files were kept.")
            name = f"favourite-{index + 1:03d}.png"
            (staging / name).write_bytes(png_bytes(regenerate(sampler, favourite, directions)))
            names.append(name)
            if progress:
                progress(index + 1, len(favourites))
        payload = {"format": FORMAT, "favourites": [dict(f.to_dict(), file=n) for f, n in zip(favourites, names)]}
        write_text_atomic(staging / FAVOURITES_FILE, json.dumps(payload, indent=2))
        return names

    return [Path(out_dir) / name for name in write_new_folder(out_dir, fill)]
