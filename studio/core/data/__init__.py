"""Dataset sources, all producing one :class:`ImageDataset` of uint8 images.

:func:`load_dataset` works out what kind of source a path is, answers from the on-disk cache
when the same source was loaded with the same options before, and otherwise decodes it.

The names below are imported on first use: the decoding worker processes import modules of this
package and must not pay for torch, which the dataset itself needs.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["ImageDataset", "SkippedFile", "load_dataset", "source_kind", "SUPPORTED"]
_HOMES = {"ImageDataset": "dataset", "SkippedFile": "dataset", "load_dataset": "load", "source_kind": "load",
          "SUPPORTED": "load"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
