"""Checkpoints as safetensors plus a JSON sidecar: weights and optimizer state, never pickle.

A checkpoint from a stranger can hold only tensors and JSON, so opening it cannot run code. The
sidecar is written after the weights and records their SHA-256, so a checkpoint counts only once
both files are complete and agree.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from torch import nn

from studio.core.files import write_bytes_atomic, write_text_atomic
from studio.core.errors import StudioError
from studio.core.runs import sidecar_path

FORMAT = "gan-studio-checkpoint/1"


def save_checkpoint(
    path: Path,
    step: int,
    modules: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer],
    extra: dict | None = None,
) -> None:
    tensors: dict[str, torch.Tensor] = {}
    for name, module in modules.items():
        for key, value in module.state_dict().items():
            tensors[f"{name}.{key}"] = value.detach().cpu().contiguous()
    groups = {}
    for name, optimizer in optimizers.items():
        state = optimizer.state_dict()
        for index, slots in state["state"].items():
            for slot, value in slots.items():
                tensors[f"{name}.state.{index}.{slot}"] = torch.as_tensor(value).detach().cpu().contiguous()
        groups[name] = state["param_groups"]
    payload = save_safetensors(tensors, metadata={"format": FORMAT})
    write_bytes_atomic(path, payload)
    sidecar = {
        "format": FORMAT,
        "step": step,
        "weights_sha256": hashlib.sha256(payload).hexdigest(),
        "optimizers": groups,
        "saved_at": time.time(),
        **(extra or {}),
    }
    write_text_atomic(sidecar_path(path), json.dumps(sidecar, indent=2))


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict]:
    """The tensors and sidecar of a checkpoint, checked to belong together."""
    path = Path(path)
    try:
        payload = path.read_bytes()
        sidecar = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StudioError(f"The checkpoint file '{error.filename}' is missing.") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StudioError(f"The checkpoint description '{sidecar_path(path).name}' is not valid JSON.") from None
    if not isinstance(sidecar, dict) or sidecar.get("format") != FORMAT:
        raise StudioError(f"'{path.name}' is not a GAN Studio checkpoint.")
    if hashlib.sha256(payload).hexdigest() != sidecar.get("weights_sha256"):
        raise StudioError(f"The checkpoint '{path.name}' is damaged: its weights do not match its description.")
    try:
        tensors = load_safetensors(payload)
    except SafetensorError:
        raise StudioError(f"The checkpoint '{path.name}' is not a valid safetensors file.") from None
    return tensors, sidecar


def restore_modules(modules: dict[str, nn.Module], tensors: dict[str, torch.Tensor]) -> None:
    for name, module in modules.items():
        prefix = f"{name}."
        state = {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}
        try:
            module.load_state_dict(state)
        except RuntimeError:
            raise StudioError(f"The checkpoint's {name} does not match this run's model settings.") from None


def restore_optimizers(optimizers: dict[str, torch.optim.Optimizer], tensors: dict[str, torch.Tensor], sidecar: dict) -> None:
    for name, optimizer in optimizers.items():
        prefix = f"{name}.state."
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith(prefix):
                index, slot = key[len(prefix) :].split(".", 1)
                state.setdefault(int(index), {})[slot] = value
        optimizer.load_state_dict({"state": state, "param_groups": sidecar["optimizers"][name]})
