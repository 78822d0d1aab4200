"""Device choice with CUDA and Apple's GPU (MPS) faked present or absent, and what the plan makes of each."""

from __future__ import annotations

import pytest
import torch

from studio.core.config import TrainConfig
from studio.core.errors import StudioError
from studio.core.training import devices
from studio.core.training.compute import plan_compute
from studio.core.training.devices import MPS_FALLBACK_ENV, describe_device, resolve_device


@pytest.fixture
def fake(monkeypatch):
    """Set what torch reports: fake(cuda=..., mps=...)."""
    monkeypatch.delenv(MPS_FALLBACK_ENV, raising=False)

    def apply(cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    return apply


@pytest.mark.parametrize(("cuda", "mps", "expected"), [
    (True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_auto_prefers_cuda_then_mps_then_cpu(fake, cuda, mps, expected):
    fake(cuda=cuda, mps=mps)
    assert resolve_device("auto").type == expected


def test_mps_sets_the_cpu_fallback_before_training(fake, monkeypatch):
    import os
    fake(cuda=False, mps=True)
    assert resolve_device("mps").type == "mps"
    assert os.environ[MPS_FALLBACK_ENV] == "1"
    monkeypatch.setenv(MPS_FALLBACK_ENV, "0")  # the user's own value is kept
    resolve_device("auto")
    assert os.environ[MPS_FALLBACK_ENV] == "0"


def test_cpu_and_cuda_leave_the_fallback_unset(fake):
    import os
    fake(cuda=False, mps=False)
    resolve_device("auto")
    assert MPS_FALLBACK_ENV not in os.environ


@pytest.mark.parametrize(("name", "words"), [("mps", "Apple's GPU (MPS)"), ("cuda", "CUDA"), ("tpu", "auto, cpu, cuda or mps")])
def test_unavailable_or_unknown_devices_are_one_sentence(fake, name, words):
    fake(cuda=False, mps=False)
    with pytest.raises(StudioError, match=words.replace("(", r"\(").replace(")", r"\)")):
        resolve_device(name)


def test_mps_is_described_and_planned_safely(monkeypatch):
    device = torch.device("mps")
    assert describe_device(device) == "Apple MPS"
    plan = plan_compute(TrainConfig(precision="auto"), device)
    assert (plan.precision, plan.channels_last, plan.fused_optimizer, plan.threads) == ("fp32", False, False, 0)
    assert "Apple" in plan.reason
    assert plan_compute(TrainConfig(precision="bf16"), device).precision == "bf16"  # an explicit choice is kept


def test_synchronize_waits_on_the_device_it_is_given(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.mps, "synchronize", lambda: calls.append("mps"))
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: calls.append("cuda"))
    for name in ("cpu", "mps", "cuda"):
        devices.synchronize(torch.device(name))
    assert calls == ["mps", "cuda"]


def test_the_form_and_the_command_line_offer_mps(fake):
    from studio.cli.main import _parser
    from studio.core.config import TrainConfig as Config
    assert Config.__dataclass_fields__["device"].metadata["choices"] == devices.DEVICE_NAMES
    args = _parser().parse_args(["train", "--data", "demo", "--out", "x", "--device", "mps"])
    assert args.device == "mps"
