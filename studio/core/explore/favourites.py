"""Pinned samples: each keeps everything needed to regenerate its pixels exactly, saved in the run.

``<run>/favourites.json`` lists them; a favourite names its checkpoint by the weights' SHA-256, so
it is only ever rendered by those weights (and refuses, in one sentence, on any other). A sample
made from an analyst's projected image keeps the image's file name and SHA-256 (two for a point
between two such images). The file may come with a received run, so every field is checked against
the run's model before use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from studio.core.files import write_text_atomic
from studio.core.config import MAX_SEED
from studio.core.explore.latent_spec import LATENT_RANGE, LatentSpec
from studio.core.runs import Run
from studio.core.validation import Fields, read_json

FAVOURITES_FILE = "favourites.json"
FORMAT = "gan-studio-favourites/1"
MAX_DIRECTION_INDEX = 1000


@dataclass(frozen=True)
class Source:
    """An analyst's image a sample was projected from."""

    file: str
    sha256: str

    def to_dict(self) -> dict:
        return {"file": self.file, "sha256": self.sha256}


@dataclass(frozen=True)
class Favourite:
    fingerprint: str
    spec: LatentSpec
    label: str = ""
    sources: tuple[Source, ...] = ()

    def to_dict(self) -> dict:
        extra = {"sources": [source.to_dict() for source in self.sources]} if self.sources else {}
        return {"fingerprint": self.fingerprint, "label": self.label, **self.spec.to_dict(), **extra}

    @classmethod
    def from_dict(cls, raw: dict) -> Favourite:
        sources = tuple(Source(item["file"], item["sha256"]) for item in raw.get("sources", []))
        return cls(raw["fingerprint"], LatentSpec.from_dict(raw), raw.get("label", ""), sources)


def load_favourites(run: Run) -> list[Favourite]:
    path = run.path / FAVOURITES_FILE
    try:
        raw = read_json(path)
    except FileNotFoundError:
        return []
    latent_dim = run.config.model.latent_dim
    favourites = []
    for item in Fields(raw, path).each("favourites"):
        _check(item, latent_dim)
        favourites.append(Favourite.from_dict(item.raw))
    return favourites


def _check(item: Fields, latent_dim: int) -> None:
    """Every field a favourite is rendered from, within what this run's model can render."""
    item.text("fingerprint", max_length=64)
    item.text("label", default="", max_length=1000)
    item.integer("seed", 0, MAX_SEED, default=0)
    if item.raw.get("latent") is not None:
        item.numbers("latent", length=latent_dim, low=-LATENT_RANGE, high=LATENT_RANGE)
    if item.raw.get("class_index") is not None:
        item.integer("class_index", 0, 100_000)
    item.number("psi", 0.0, 2.0, default=1.0)
    item.index_map("direction_offsets", MAX_DIRECTION_INDEX, -1e3, 1e3)
    item.index_map("dimension_offsets", latent_dim - 1, -1e3, 1e3)
    if "sources" in item.raw:
        for source in item.each("sources", max_items=2):
            source.text("file", max_length=1000)
            source.text("sha256", max_length=64)


def save_favourites(run: Run, favourites: list[Favourite]) -> None:
    payload = {"format": FORMAT, "favourites": [favourite.to_dict() for favourite in favourites]}
    write_text_atomic(run.path / FAVOURITES_FILE, json.dumps(payload, indent=2))
