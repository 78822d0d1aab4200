"""An exponential moving average of the generator's weights, used for every sample shown or exported.

The decay ramps up as ``min(decay, (1 + t) / (10 + t))`` so that early in training the average
follows the generator closely instead of lagging thousands of steps behind it.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class GeneratorEMA:
    def __init__(self, generator: nn.Module, decay: float):
        self.decay = decay
        self.module = copy.deepcopy(generator).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, generator: nn.Module, step: int) -> None:
        weight = 1 - min(self.decay, (1 + step) / (10 + step))
        torch._foreach_lerp_(list(self.module.parameters()), list(generator.parameters()), weight)
        for mine, theirs in zip(self.module.buffers(), generator.buffers()):
            mine.copy_(theirs)
