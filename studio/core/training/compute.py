"""How a run computes on its device: the precision, the memory layout, the optimizer kernel and the threads.

The precision setting 'auto' takes bf16 mixed precision only where the device computes bf16 natively
(a CUDA GPU that supports it; a CPU with AVX-512 BF16 or AMX); elsewhere bf16 is emulated and slower
than fp32, so 'auto' stays in fp32. The plan is recorded in the run, with the reason, so an analyst
can see why a run was as fast as it was, and the same seed on the same machine repeats the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from studio.core.config import TrainConfig


@dataclass(frozen=True)
class ComputePlan:
    precision: str  # what runs: fp32, bf16 or fp16
    reason: str  # why that precision, in a few words
    channels_last: bool
    fused_optimizer: bool
    threads: int  # torch's intra-op threads on a CPU; 0 on a GPU

    def describe(self) -> str:
        """A short label for the device line, e.g. 'fp32 (the CPU has no native bf16)'."""
        return f"{self.precision} ({self.reason})"

    def to_dict(self) -> dict:
        return asdict(self)


_NO_BF16 = {"cuda": "the GPU has no native bf16", "mps": "fp32 is the safe choice on Apple's GPU"}


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bf16 in hardware, so mixed precision speeds it up."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    cpu = getattr(torch, "cpu", None)
    checks = [getattr(cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(check() for check in checks if check is not None)


def fused_adam(device: torch.device) -> bool:
    """Whether to use torch's single-kernel Adam: on a GPU that has it.

    On the CPU it gained about 3% per step, but a run resumed from a checkpoint then no longer
    repeated the uninterrupted run bit for bit, so the CPU keeps the default (foreach) kernel.
    """
    if device.type != "cuda":
        return False
    try:
        torch.optim.Adam([torch.zeros(1, device=device, requires_grad=True)], fused=True)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


def plan_compute(train: TrainConfig, device: torch.device) -> ComputePlan:
    """The plan for ``train``'s settings on ``device``; an explicit precision is kept as chosen."""
    if train.precision != "auto":
        precision, reason = train.precision, "as chosen"
    elif native_bf16(device):
        precision, reason = "bf16", "native bf16 on this device"
    else:
        precision, reason = "fp32", _NO_BF16.get(device.type, "the CPU has no native bf16")
    # Apple's GPU (MPS) gets the safe choices: fp32 unless asked, the default memory layout (channels-last
    # there converts back and forth on many operations) and the default optimizer kernel.
    return ComputePlan(precision, reason, channels_last=device.type != "mps", fused_optimizer=fused_adam(device),
                       threads=torch.get_num_threads() if device.type == "cpu" else 0)
