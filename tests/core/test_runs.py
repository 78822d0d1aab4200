import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from studio.core.training.checkpoints import load_checkpoint, restore_modules, save_checkpoint
from studio.core.config import ModelConfig, RunConfig
from studio.core.errors import StudioError
from studio.core.models import build_models
from studio.core.runs import Run


def test_run_folder_round_trip(tmp_path):
    config = RunConfig()
    run = Run.create(tmp_path, config, {"images": 10}, name="first")
    assert Run.create(tmp_path, config, {}, name="first").name == "first-2"
    reopened = Run.open(run.path)
    assert reopened.config == config and reopened.info["dataset"] == {"images": 10}
    assert set(reopened.info["versions"]) == {"studio", "torch", "python"}


def test_opening_something_else_is_one_sentence(tmp_path):
    with pytest.raises(StudioError, match="is not a GAN Studio run"):
        Run.open(tmp_path)
    (tmp_path / "run.json").write_text("{broken")
    with pytest.raises(StudioError, match="damaged"):
        Run.open(tmp_path)


def test_metrics_skip_a_line_cut_by_a_crash_and_truncate_on_resume(tmp_path):
    run = Run.create(tmp_path, RunConfig(), {})
    run.append_metrics([{"step": s, "g_loss": float(s), "d_loss": 1.0, "d_real": 0.5, "d_fake": 0.5} for s in (10, 20, 30)])
    with open(run.path / "metrics.jsonl", "a") as handle:
        handle.write('{"step": 40, "g_lo')
    assert [r["step"] for r in run.read_metrics()] == [10, 20, 30]
    assert run.skipped_metric_lines == 1
    run.truncate_metrics(20)
    assert [r["step"] for r in run.read_metrics()] == [10, 20]


def test_checkpoint_round_trip_is_exact(tmp_path):
    generator, discriminator = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 32)
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.99))
    generator(torch.randn(4, 8)).mean().backward()
    optimizer.step()
    path = tmp_path / "step-000001.safetensors"
    save_checkpoint(path, 1, {"generator": generator}, {"generator_optimizer": optimizer})

    tensors, sidecar = load_checkpoint(path)
    fresh, _ = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 32)
    restore_modules({"generator": fresh}, tensors)
    for key, value in generator.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
    fresh_optimizer = torch.optim.Adam(fresh.parameters())
    fresh_optimizer.load_state_dict({"state": {}, "param_groups": sidecar["optimizers"]["generator_optimizer"]})
    assert fresh_optimizer.param_groups[0]["lr"] == 1e-3
    assert sidecar["step"] == 1


def test_a_tampered_or_foreign_checkpoint_is_refused(tmp_path):
    generator, _ = build_models(ModelConfig(latent_dim=8, g_width=4, d_width=4), 32)
    path = tmp_path / "step-000001.safetensors"
    save_checkpoint(path, 1, {"generator": generator}, {})
    payload = bytearray(path.read_bytes())
    payload[-1] ^= 0xFF
    path.write_bytes(bytes(payload))
    with pytest.raises(StudioError, match="damaged"):
        load_checkpoint(path)

    foreign = tmp_path / "foreign.safetensors"
    save_file({"x": torch.zeros(2)}, foreign)
    (tmp_path / "foreign.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(StudioError, match="not a GAN Studio checkpoint"):
        load_checkpoint(foreign)


def test_pickle_payload_is_not_loaded(tmp_path):
    """A .safetensors file that is really a pickle is rejected without being unpickled."""
    import pickle

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pwned')",))

    path = tmp_path / "evil.safetensors"
    payload = pickle.dumps(Boom())
    path.write_bytes(payload)
    import hashlib

    (tmp_path / "evil.json").write_text(
        json.dumps({"format": "gan-studio-checkpoint/1", "step": 1, "weights_sha256": hashlib.sha256(payload).hexdigest(), "optimizers": {}})
    )
    with pytest.raises(StudioError, match="not a valid safetensors file"):
        load_checkpoint(path)


def test_samples_are_saved_as_png(tmp_path):
    run = Run.create(tmp_path, RunConfig(), {})
    grid = np.zeros((10, 12, 3), dtype=np.uint8)
    path = run.save_samples(5, grid)
    assert run.latest_samples() == path
    assert Image.open(path).size == (12, 10)
