"""Hostile run folders, built from a real tiny run the way a colleague's tampered copy would look.

Each builder changes one file of a copy of the run; ``folder_digest`` lets a test prove a refused
command left every file as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import struct
from pathlib import Path

from tests.data_files import bomb_png

HUGE_INTEGER = int("9" * 4000)  # Python parses it; converting it to a float or an int64 fails


def copy_run(run: Path, into: Path) -> Path:
    """A copy of the run folder ``run`` at ``into / run.name``, links copied as links."""
    target = Path(into) / Path(run).name
    shutil.copytree(run, target, symlinks=True)
    return target


def folder_digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` by relative path: a file by its bytes' hash, anything else by its kind
    (and a link by its target), read without ever opening a pipe or following a link."""
    digest = {}
    for path in sorted(Path(folder).rglob("*")):
        status = path.lstat()
        name = str(path.relative_to(folder))
        if stat.S_ISLNK(status.st_mode):
            digest[name] = "link to " + os.readlink(path)
        elif stat.S_ISREG(status.st_mode):
            digest[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            digest[name] = stat.filemode(status.st_mode)[0]
    return digest


def replace_with_fifo(path: Path) -> Path:
    Path(path).unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def replace_with_link(path: Path, target: Path | str) -> Path:
    Path(path).unlink(missing_ok=True)
    os.symlink(target, path)
    return path


def edit_json(path: Path, **changes) -> Path:
    """The JSON file at ``path`` with top-level fields replaced (``None`` removes one)."""
    raw = json.loads(Path(path).read_text())
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    Path(path).write_text(json.dumps(raw))
    return path


def hold_out_a_whole_class(run: Path) -> Path:
    """``held_out.json`` holding out every image of the dataset's first class (with matching counts)."""
    from studio.core.data import load_dataset
    from studio.core.runs import Run

    dataset = load_dataset(Run.open(run).config.data)
    labels = dataset.labels.numpy()
    indices = sorted(set(json.loads((run / "held_out.json").read_text())["indices"])
                     | {int(i) for i in (labels == 0).nonzero()[0]})
    per_class = {name: int(sum(labels[i] == c for i in indices)) for c, name in enumerate(dataset.class_names)}
    return edit_json(run / "held_out.json", indices=indices, per_class=per_class)


def safetensors_with_header(header: bytes, declared: int | None = None, data: bytes = b"") -> bytes:
    """A file in the safetensors layout whose 8-byte header length says ``declared`` (default: the truth)."""
    return struct.pack("<Q", len(header) if declared is None else declared) + header + data


def huge_header_weights() -> bytes:
    return safetensors_with_header(b"{}", declared=2**62)


def pickle_weights() -> bytes:
    import pickle

    return pickle.dumps({"weights": [1.0, 2.0]})


def deep_json(levels: int = 100_000) -> str:
    return "[" * levels + "]" * levels


def huge_png_header(side: int) -> bytes:
    """A PNG whose header claims ``side``² pixels (a few hundred bytes on disk)."""
    return bomb_png(side, side)


def latent_file(path: Path, latent: list, class_index: int | None = None) -> Path:
    """A latent file in the format ``project`` writes, holding ``latent`` as given (any JSON numbers)."""
    text = json.dumps({"format": "gan-studio-projection/1", "latent": [0.0] * len(latent), "class_index": class_index})
    numbers = ", ".join(str(value) if not isinstance(value, float) or value == value else "NaN" for value in latent)
    Path(path).write_text(text.replace(", ".join(["0.0"] * len(latent)), numbers))
    return path
