"""Every model, loss and switch trains; conditioning, EMA, DiffAugment and the divergence guard behave."""

import numpy as np
import pytest
import torch

from studio.core.training.checkpoints import load_checkpoint
from studio.core.config import ModelConfig, RunConfig
from studio.core.data import load_dataset
from studio.core.training.diffaugment import diff_augment
from studio.core.training.events import Finished, Recovered, StepLogged
from studio.core.models import REGISTRY, build_models
from studio.core.training.objectives import GANObjective
from studio.core.training.presets import PRESETS, apply_preset
from studio.core.runs import Run
from studio.core.sampling import Sampler, latents
from studio.core.training.trainer import Trainer


def _train(tmp_path, config, name="run"):
    dataset = load_dataset(config.data)
    run = Run.create(tmp_path, config, dataset.summary(), name=name)
    events = []
    Trainer(run, dataset, events.append).run()
    return run, events


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("conditional", ["off", "on"])
@pytest.mark.parametrize("resolution", [32, 64, 128])
def test_every_model_has_the_shared_shapes(name, conditional, resolution):
    generator, second = build_models(ModelConfig(name=name, conditional=conditional, latent_dim=8, g_width=4, d_width=4), resolution, 3)
    labels = torch.tensor([0, 2]) if conditional == "on" else None
    images = generator(torch.randn(2, 8), labels)
    assert images.shape == (2, 3, resolution, resolution) and generator.num_classes == (3 if conditional == "on" else 0)
    out = second(images, labels)
    assert (out[0] if ModelConfig(name=name).kind == "vae" else out).shape[0] == 2


@pytest.mark.parametrize(
    ("model", "loss", "extra"),
    [("dcgan", "bce", {}), ("dcgan", "hinge", {"r1_gamma": 1.0}), ("dcgan", "wgan-gp", {}), ("sngan", "hinge", {"diffaugment": "on"}),
     ("vae", "bce", {}), ("dcgan", "bce", {"precision": "bf16"})],
)
def test_a_few_steps_of_every_model_and_loss(tmp_path, tiny_config, model, loss, extra):
    tiny_config.model.name = model
    tiny_config.train.loss = loss
    for key, value in extra.items():
        setattr(tiny_config.train, key, value)
    tiny_config.train.steps = 10
    run, events = _train(tmp_path, tiny_config)
    assert events[-1] == Finished(10, stopped=False)
    logged = [e for e in events if isinstance(e, StepLogged)]
    assert np.isfinite([e.g_loss for e in logged]).all() and np.isfinite([e.d_loss for e in logged]).all()
    assert Sampler.from_run(run).generate(1, 4).shape == (4, 32, 32, 3)


def test_conditional_sampling_honours_the_class(tmp_path, tiny_config):
    tiny_config.model.conditional = "on"
    run, _ = _train(tmp_path, tiny_config)
    sampler = Sampler.from_run(run)
    assert sampler.num_classes == 4 and sampler.class_names == ["circle", "square", "triangle", "cross"]
    circles, squares = sampler.generate(5, 8, class_index=0), sampler.generate(5, 8, class_index=1)
    assert not np.array_equal(circles, squares)
    assert np.array_equal(circles, sampler.generate(5, 8, class_index=0))
    z = latents(5, 8, sampler.latent_dim)
    assert np.array_equal(sampler.render(z, torch.ones(8, dtype=torch.long)), squares)


def test_ema_weights_differ_from_raw_and_are_what_sampling_uses(tmp_path, tiny_config):
    tiny_config.train.ema_decay = 0.9
    run, _ = _train(tmp_path, tiny_config)
    tensors, _ = load_checkpoint(run.latest_checkpoint())
    raw = {k[len("generator."):]: v for k, v in tensors.items() if k.startswith("generator.")}
    ema = {k[len("generator_ema."):]: v for k, v in tensors.items() if k.startswith("generator_ema.")}
    assert raw.keys() == ema.keys()
    assert any(not torch.equal(raw[k], ema[k]) for k in raw if raw[k].is_floating_point())
    sampler = Sampler.from_run(run)
    for key, value in sampler.generator.state_dict().items():
        assert torch.equal(value, ema[key]), key


def test_diffaugment_is_differentiable_and_changes_images():
    images = torch.rand(4, 3, 32, 32, requires_grad=True)
    augmented = diff_augment(images, torch.Generator().manual_seed(0))
    assert augmented.shape == images.shape and not torch.allclose(augmented, images)
    augmented.square().sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0
    again = diff_augment(images.detach(), torch.Generator().manual_seed(0))
    assert torch.equal(again, augmented.detach())


def test_divergence_guard_rolls_back_and_halves_the_learning_rates(tmp_path, tiny_config, monkeypatch):
    original_step = GANObjective.step
    poisoned = []

    def step(self, real, labels, noise, step, rng):
        stats = original_step(self, real, labels, noise, step, rng)
        if step == 13 and not poisoned:
            poisoned.append(step)
            with torch.no_grad():
                next(self.generator.parameters()).fill_(float("nan"))
            return stats * float("nan")
        return stats

    monkeypatch.setattr(GANObjective, "step", step)
    run, events = _train(tmp_path, tiny_config)
    recovered = [e for e in events if isinstance(e, Recovered)]
    assert len(recovered) == 1 and recovered[0].step == 15 and recovered[0].rolled_back_to == 10
    assert "halved the learning rates" in recovered[0].message
    assert events[-1] == Finished(20, stopped=False)
    assert Run.open(run.path).config.train.lr_g == pytest.approx(tiny_config.train.lr_g / 2)
    tensors, _ = load_checkpoint(run.latest_checkpoint())
    assert all(torch.isfinite(t).all() for t in tensors.values() if t.is_floating_point())
    assert [r["step"] for r in run.read_metrics()] == [5, 10, 15, 20]


def test_divergence_without_a_checkpoint_is_one_sentence(tmp_path, tiny_config, monkeypatch):
    monkeypatch.setattr(GANObjective, "step", lambda self, *args: torch.full((5,), float("nan")))
    _, events = _train(tmp_path, tiny_config)
    assert "no earlier checkpoint" in events[-1].message and "lower the learning rates" in events[-1].message


def test_presets_change_model_and_training_only():
    config = RunConfig()
    config.data.resolution = 64
    small = apply_preset(config, "small-data")
    assert small.data.resolution == 64 and small.train.diffaugment == "on" and small.model.name == "dcgan"
    assert all(PRESETS[name].label for name in PRESETS)


def test_out_of_memory_keeps_the_run_and_suggests_a_batch_size(tmp_path, tiny_config, monkeypatch):
    run, _ = _train(tmp_path, tiny_config)
    before = [path.read_bytes() for _, path in run.checkpoints()]

    def out_of_memory(self, *args):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(GANObjective, "step", out_of_memory)
    reopened = Run.open(run.path)
    reopened.save_config(RunConfig.from_dict({**tiny_config.to_dict(), "train": {**tiny_config.to_dict()["train"], "steps": 40}}))
    events = []
    Trainer(reopened, load_dataset(tiny_config.data), events.append).run()
    assert "ran out of memory at batch size 16" in events[-1].message and "batch size of 8" in events[-1].message
    assert [path.read_bytes() for _, path in reopened.checkpoints()] == before
