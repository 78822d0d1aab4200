"""Pinned samples: each keeps everything needed to regenerate its pixels exactly, saved in the run.

``<run>/favourites.json`` lists them; a favourite names its checkpoint by the weights' SHA-256, so
it is only ever rendered by those weights (and refuses, in one sentence, on any other).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from studio.core.files import write_text_atomic
from studio.core.errors import StudioError
from studio.core.explore.latent_spec import LatentSpec
from studio.core.runs import Run

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
