"""Data-parallel training under ``torchrun``: one process per device, rank 0 alone writes the run.

Outside torchrun (no ``WORLD_SIZE`` above 1 in the environment) everything here is a no-op, so
the trainer has one code path. Generator and discriminator get separate DDP wrappers with
no buffer broadcast on forward: broadcasting BatchNorm buffers between the discriminator's real and
fake passes raises "modified by an inplace operation".
"""

from __future__ import annotations

import gc
import inspect
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from studio.core.training.devices import resolve_device

# Newer torch renames the switch (buffers identical at start, as ours are, may still be synced then).
_NO_BUFFER_SYNC = (
    {"forward_sync_buffers": False}
    if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
    else {"broadcast_buffers": False}
)


@dataclass
class DistributedContext:
    rank: int = 0
    world_size: int = 1
    device: torch.device | None = None

    @classmethod
    def from_env(cls, device_name: str = "auto") -> DistributedContext:
        """Join the torchrun process group if there is one; pick this rank's device."""
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1:
            return cls(device=resolve_device(device_name))
        device = resolve_device(device_name)
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if device.type == "cuda":
            device = torch.device("cuda", local_rank)
            torch.cuda.set_device(device)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        return cls(rank=dist.get_rank(), world_size=world_size, device=device)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: nn.Module) -> nn.Module:
        if self.world_size == 1:
            return module
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=device_ids, **_NO_BUFFER_SYNC)

    def all_min(self, value: torch.Tensor) -> torch.Tensor:
        if self.world_size > 1:
            dist.all_reduce(value, op=dist.ReduceOp.MIN)
        return value

    def barrier(self) -> None:
        if self.world_size > 1:
            dist.barrier()

    def replicas_agree(self, modules: list[nn.Module]) -> bool:
        """True when every rank holds the same weights (compared by a float64 checksum)."""
        if self.world_size == 1:
            return True
        checksum = torch.stack([p.detach().double().sum() for m in modules for p in m.parameters()]).sum().reshape(1)
        checksum = checksum.to(self.device)
        gathered = [torch.zeros_like(checksum) for _ in range(self.world_size)]
        dist.all_gather(gathered, checksum)
        return all(torch.equal(gathered[0], other) for other in gathered[1:])

    def finish(self) -> None:
        """Meet the other ranks at the end of training, once this rank is done with its wrapped modules.

        Call it after this rank has written its last file and dropped its references to the DDP
        wrappers. The wrappers sit in reference cycles, so dropping them does not free them: the
        collection here does, while the process group still exists; left to the interpreter's exit,
        a gloo thread frees their buffers after the group is gone and the process aborts with
        "terminate called without an active exception". Meeting afterwards means no rank tears the
        group down, or exits, while rank 0 still writes its checkpoint.
        """
        if self.world_size > 1 and dist.is_initialized():
            gc.collect()
            dist.barrier()

    def close(self) -> None:
        """Leave the process group; after :meth:`finish`, or after a failure that skipped it."""
        if self.world_size > 1 and dist.is_initialized():
            gc.collect()
            dist.destroy_process_group()
