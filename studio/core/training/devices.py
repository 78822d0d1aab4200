"""Choosing the compute device: CUDA when present, else the CPU, unless the user says otherwise."""

from __future__ import annotations

import torch

from studio.core.errors import StudioError


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise StudioError("CUDA was requested but this machine has no usable CUDA GPU; choose the CPU or 'auto'.")
    if name not in ("cpu", "cuda"):
        raise StudioError(f"Device must be auto, cpu or cuda, not '{name}'.")
    return torch.device(name)


def describe_device(device: torch.device) -> str:
    """A short label for the status bar, e.g. 'CPU (2 threads)' or 'CUDA 0: <GPU name>'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"CUDA {index}: {torch.cuda.get_device_name(index)}"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'s' if threads != 1 else ''})"
