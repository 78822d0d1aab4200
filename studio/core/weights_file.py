"""Reading a safetensors file from a run folder that may come from someone else.

safetensors never runs code, but it trusts the file's own header: an 8-byte length, then that many
bytes of JSON naming each tensor's type, shape and place. Before handing the bytes over, the file is
read through the validation gate (a regular file, never through a link, size first) and its header
is checked here: the length fits in the file, the JSON passes the gate's limits, and every tensor
lies within the data. A pickle or any other file fails these checks with one sentence.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors

from studio.core.errors import StudioError
from studio.core.validation import CHECKPOINT_LIMIT, parse_json, read_regular_file

MAX_HEADER_BYTES = 16 * 1024**2
_DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
                "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}


def read_weights(path: Path, inside: Path | None = None, limit: tuple[str, int] = CHECKPOINT_LIMIT) -> dict[str, torch.Tensor]:
    """The tensors of the safetensors file at ``path`` (within the folder ``inside`` when given), checked first."""
    payload = read_regular_file(path, limit, inside)
    check_header(payload, path)
    try:
        return load_safetensors(payload)
    except SafetensorError:
        raise not_weights(path) from None


def check_header(payload: bytes, path: Path) -> None:
    """Refuse ``payload`` unless its header is a bounded JSON object whose tensors lie within the data."""
    if len(payload) < 8:
        raise not_weights(path)
    length = int.from_bytes(payload[:8], "little")
    if length > min(len(payload) - 8, MAX_HEADER_BYTES):
        raise not_weights(path)
    try:
        header = parse_json(payload[8 : 8 + length], path)
    except StudioError:
        raise not_weights(path) from None
    data_size = len(payload) - 8 - length
    if not isinstance(header, dict):
        raise not_weights(path)
    for name, entry in header.items():
        if name != "__metadata__" and not _fits(entry, data_size):
            raise not_weights(path)


def _fits(entry: object, data_size: int) -> bool:
    if not isinstance(entry, dict):
        return False
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPE_BYTES or not isinstance(shape, list) or not isinstance(offsets, list) or len(offsets) != 2:
        return False
    if not all(type(value) is int and 0 <= value <= data_size for value in [*shape, *offsets]):
        return False
    start, stop = offsets
    return start <= stop and stop - start == math.prod(shape) * _DTYPE_BYTES[dtype]


def not_weights(path: Path) -> StudioError:
    return StudioError(f"'{path}' is not a valid safetensors file of weights.")


def unusable_weights(problem: Exception) -> str:
    """Why cached weights were passed over, as a sentence: the gate's own, or weights that do not fit the model."""
    return str(problem) if isinstance(problem, StudioError) else "its weights do not fit the model."
