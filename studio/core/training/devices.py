"""Choosing the compute device: CUDA when present, else Apple's GPU (MPS), else the CPU, unless the
user says otherwise."""

from __future__ import annotations

import os

import torch

from studio.core.errors import StudioError

DEVICE_NAMES = ("auto", "cpu", "cuda", "mps")
MPS_FALLBACK_ENV = "PYTORCH_ENABLE_MPS_FALLBACK"


def mps_available() -> bool:
    """Whether Apple's Metal GPU backend is usable here (never on Linux or Windows)."""
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def enable_mps_fallback() -> None:
    """Let operations the Apple GPU lacks run on the CPU instead of failing. Torch reads the variable
    when an operation is missing, so it is set before the first model touches the device; a value the
    user set is kept."""
    os.environ.setdefault(MPS_FALLBACK_ENV, "1")


def resolve_device(name: str = "auto") -> torch.device:
    if name not in DEVICE_NAMES:
        raise StudioError(f"Device must be auto, cpu, cuda or mps, not '{name}'.")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if mps_available() else "cpu"
    elif name == "cuda" and not torch.cuda.is_available():
        raise StudioError("CUDA was requested but this machine has no usable CUDA GPU; choose the CPU or 'auto'.")
    elif name == "mps" and not mps_available():
        raise StudioError("Apple's GPU (MPS) was requested but this machine has none that torch can use; "
                          "choose the CPU or 'auto'.")
    if name == "mps":
        enable_mps_fallback()
    return torch.device(name)


def synchronize(device: torch.device) -> None:
    """Wait for the work queued on ``device`` (a GPU computes asynchronously), e.g. before timing."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def describe_device(device: torch.device) -> str:
    """A short label for the status bar, e.g. 'CPU (2 threads)', 'CUDA 0: <GPU name>' or 'Apple MPS'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"CUDA {index}: {torch.cuda.get_device_name(index)}"
    if device.type == "mps":
        return "Apple MPS"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'s' if threads != 1 else ''})"
