"""Checkpoints as safetensors plus a JSON sidecar: weights and optimizer state, never pickle.

A checkpoint from a stranger can hold only tensors and JSON, so opening it cannot run code. The
sidecar is written after the weights and records their SHA-256, so a checkpoint counts only once
both files are complete and agree. Every sidecar field is checked (type and range) before use, and
the optimizer state before it reaches the optimizer, so a tampered checkpoint is one sentence.
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

from studio.core.config import MAX_STEPS
from studio.core.files import write_bytes_atomic, write_text_atomic
from studio.core.errors import StudioError
from studio.core.runs import sidecar_path
from studio.core.validation import CHECKPOINT_LIMIT, Fields, check_size, read_json

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
        sidecar = read_sidecar(sidecar_path(path))
        check_size(path, CHECKPOINT_LIMIT)
        payload = path.read_bytes()
    except FileNotFoundError as error:
        raise StudioError(f"The checkpoint file '{error.filename}' is missing.") from None
    if hashlib.sha256(payload).hexdigest() != sidecar["weights_sha256"]:
        raise StudioError(f"The checkpoint '{path.name}' is damaged: its weights do not match its description.")
    try:
        tensors = load_safetensors(payload)
    except SafetensorError:
        raise StudioError(f"The checkpoint '{path.name}' is not a valid safetensors file.") from None
    return tensors, sidecar


def read_sidecar(path: Path) -> dict:
    """A checkpoint's JSON description, every field the studio uses checked for its type and range."""
    raw = read_json(path)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise StudioError(f"'{Path(path).with_suffix('.safetensors').name}' is not a GAN Studio checkpoint.")
    fields = Fields(raw, path)
    fields.integer("step", 0, MAX_STEPS)
    sha = fields.text("weights_sha256", max_length=64)
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise fields.problem("weights_sha256", "a SHA-256 in 64 hexadecimal digits", sha)
    fields.texts("class_names", default=[], max_items=100_000, max_length=1000)
    fields.number("saved_at", default=0.0)
    fields.integer("world_size", 1, 1_000_000, default=1)
    fields.fields("metric", {})
    optimizers = fields.fields("optimizers")
    for name in optimizers.raw:
        for group in optimizers.each(name, max_items=1000):
            _check_param_group(group)
    return raw


# Adam's settings and what each must hold (restore_optimizers keeps only the keys the optimizer has).
_NUMBERS = ("lr", "eps", "weight_decay")
_SWITCHES = ("amsgrad", "maximize", "capturable", "differentiable", "decoupled_weight_decay")
_OPTIONAL_SWITCHES = ("foreach", "fused")


def _check_param_group(group: Fields) -> None:
    params = group.value("params")
    if not (isinstance(params, list) and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 10**7 for i in params)):
        raise group.problem("params", "a list of parameter numbers", params)
    for key in _NUMBERS:
        group.number(key, 0.0, 1e6, default=None)
    group.numbers("betas", default=None, length=2, low=0.0, high=0.99999)  # 1 would divide by zero in the step
    for key, value in group.raw.items():
        if key in _SWITCHES and not isinstance(value, bool):
            raise group.problem(key, "true or false", value)
        if key in _OPTIONAL_SWITCHES and not (value is None or isinstance(value, bool)):
            raise group.problem(key, "true, false or null", value)


def restore_modules(modules: dict[str, nn.Module], tensors: dict[str, torch.Tensor]) -> None:
    for name, module in modules.items():
        prefix = f"{name}."
        state = {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}
        try:
            module.load_state_dict(state)
        except RuntimeError:
            raise StudioError(f"The checkpoint's {name} does not match this run's model settings.") from None


def restore_optimizers(optimizers: dict[str, torch.optim.Optimizer], tensors: dict[str, torch.Tensor], sidecar: dict) -> None:
    """Each optimizer's state and settings from a checkpoint (read with :func:`read_sidecar`), checked
    against the optimizer so that a mismatch is one sentence now rather than an error mid-training.

    Which kernel runs the update (foreach, fused) belongs to this machine, not to the checkpoint.
    """
    for name, optimizer in optimizers.items():
        mismatch = StudioError(f"The checkpoint's {name} state does not match this run's model settings.")
        own_groups = optimizer.state_dict()["param_groups"]
        saved_groups = sidecar["optimizers"].get(name)
        if not isinstance(saved_groups, list) or len(saved_groups) != len(own_groups):
            raise mismatch
        if any(saved["params"] != own["params"] for saved, own in zip(saved_groups, own_groups)):
            raise mismatch
        groups = [{**own, **{key: tuple(value) if isinstance(own[key], tuple) else value
                             for key, value in saved.items() if key in own and key not in _OPTIONAL_SWITCHES}}
                  for saved, own in zip(saved_groups, own_groups)]
        parameters = [parameter for group in optimizer.param_groups for parameter in group["params"]]
        optimizer.load_state_dict({"state": _optimizer_state(tensors, f"{name}.state.", parameters, mismatch),
                                   "param_groups": groups})


def _optimizer_state(tensors: dict[str, torch.Tensor], prefix: str, parameters: list, mismatch: StudioError) -> dict:
    """``{parameter index: {slot: tensor}}``: moment tensors shaped like their parameter, the step a single number."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if not key.startswith(prefix):
            continue
        index, _, slot = key[len(prefix) :].partition(".")
        if not (index.isascii() and index.isdigit() and len(index) <= 9 and int(index) < len(parameters) and slot):
            raise mismatch
        fits = value.numel() == 1 if slot == "step" else value.shape == parameters[int(index)].shape
        if not (fits and value.is_floating_point()):
            raise mismatch
        state.setdefault(int(index), {})[slot] = value
    return state
