"""Projecting images into a run: the model's own images come back, strangers get a warning, files are safe."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from studio.core.data import load_dataset
from studio.core.errors import StudioError
from studio.core.explore.projection import (FORMAT, project, project_image, read_image, read_latent_file,
                                            save_projection)
from studio.core.explore.render import render_spec
from studio.core.sampling import Sampler, latents


@pytest.fixture(scope="module")
def sampler(trained_run):
    return Sampler.from_run(trained_run)


def test_the_models_own_images_come_back_above_30_db(sampler):
    truth = sampler.render(latents(7, 6, sampler.latent_dim))
    results = project(sampler, truth, steps=200)
    psnrs = [fit.psnr for fit in results]
    assert np.median(psnrs) >= 30, psnrs


def test_a_projection_regenerates_exactly_and_repeats_with_the_same_seed(sampler, trained_run, tmp_path):
    image = sampler.render(latents(3, 1, sampler.latent_dim))[0]
    seen = []
    first = project_image(sampler, image, "made.png", "abc", steps=40, on_step=lambda step, drawn: seen.append(step))
    again = project_image(sampler, image, "made.png", "abc", steps=40)
    assert np.array_equal(first.latent, again.latent), "same image, checkpoint and seed: the same latent"
    assert seen == [10, 20, 30, 40] and first.steps == 40
    assert np.array_equal(render_spec(sampler, first.spec)[0], first.reconstruction)

    path = tmp_path / "made.latent.json"
    save_projection(first, path)
    assert json.loads(path.read_text())["format"] == FORMAT
    spec = read_latent_file(path, sampler.latent_dim)
    assert np.array_equal(render_spec(sampler, spec)[0], first.reconstruction)
    with pytest.raises(StudioError, match="does not fit this model"):
        read_latent_file(path, sampler.latent_dim + 1)
    path.write_text('{"format": "something", "latent": "rm -rf"}')
    with pytest.raises(StudioError, match="not a latent file"):
        read_latent_file(path, sampler.latent_dim)


def test_real_images_fit_better_than_noise_and_noise_is_warned_about(sampler, trained_run, tmp_path):
    dataset = load_dataset(trained_run.config.data)
    real = dataset.images[:4].permute(0, 2, 3, 1).numpy()
    noise = np.random.default_rng(0).integers(0, 256, real.shape, dtype=np.uint8)
    real_psnr = [fit.psnr for fit in project(sampler, real, steps=60)]
    noise_results = project(sampler, noise, steps=60)
    assert min(real_psnr) > max(fit.psnr for fit in noise_results)

    Image.fromarray(noise[0]).resize((50, 40)).save(tmp_path / "noise.png")
    pixels, digest = read_image(tmp_path / "noise.png", trained_run.config.data)
    assert pixels.shape == (32, 32, 3) and len(digest) == 64
    projection = project_image(sampler, pixels, "noise.png", digest, steps=30)
    assert "only roughly" in projection.warning
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(StudioError, match="'broken.png' cannot be projected"):
        read_image(tmp_path / "broken.png", trained_run.config.data)
    with pytest.raises(StudioError, match="does not know classes"):
        project(sampler, real[:1], steps=1, class_index=0)
    assert torch.is_grad_enabled() and all(p.requires_grad for p in sampler.generator.parameters())


def test_the_encoder_is_trained_once_per_checkpoint_and_a_vae_uses_its_own(sampler, trained_run, tmp_path, tiny_config):
    from studio.core.explore.encoder import CACHE_DIR, latent_encoder
    from studio.core.runs import Run
    from studio.core.training.trainer import Trainer

    encoder = latent_encoder(trained_run, sampler, trained_run.latest_checkpoint(), steps=40)
    cached = list((trained_run.path / CACHE_DIR).glob("encoder-*.safetensors"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    again = latent_encoder(trained_run, sampler, trained_run.latest_checkpoint(), steps=40)
    pixels = torch.zeros(2, 3, 32, 32)
    assert torch.equal(encoder(pixels, None), again(pixels, None)) and cached[0].stat().st_mtime_ns == stamp
    truth = sampler.render(latents(11, 4, sampler.latent_dim))
    assert np.median([fit.psnr for fit in project(sampler, truth, steps=100, encoder=encoder)]) >= 30

    tiny_config.model.name = "vae"
    dataset = load_dataset(tiny_config.data)
    vae_run = Run.create(tmp_path / "runs", tiny_config, dataset.summary())
    Trainer(vae_run, dataset).run()
    vae_sampler = Sampler.from_run(vae_run)
    vae_encoder = latent_encoder(vae_run, vae_sampler, vae_run.latest_checkpoint())
    labels = torch.zeros(2, dtype=torch.long) if vae_sampler.num_classes else None
    assert vae_encoder(pixels, labels).shape == (2, vae_sampler.latent_dim)
    assert not (vae_run.path / CACHE_DIR).exists(), "a VAE needs no trained encoder"


def test_the_feature_distance_uses_the_runs_own_networks_and_joins_the_loss(sampler, trained_run, tmp_path):
    import shutil

    from studio.core.explore.feature_distance import run_feature_distance

    checkpoint = trained_run.latest_checkpoint()
    features = run_feature_distance(trained_run, checkpoint, sampler.num_classes, sampler.device)
    assert list(features.networks) == ["discriminator"]
    made = sampler.render(latents(5, 2, sampler.latent_dim))
    pixels = torch.from_numpy(made).permute(0, 3, 1, 2).float().div(127.5).sub(1)
    noise = torch.rand_like(pixels) * 2 - 1
    reference = features.reference(pixels)
    with torch.no_grad():
        assert features(pixels, reference).abs().max() < 1e-5, "an image is at distance 0 from itself"
        assert (features(noise, reference) > 0.05).all()

    projection = project_image(sampler, made[0], "made.png", "abc", steps=40, features=features)
    again = project_image(sampler, made[0], "made.png", "abc", steps=40, features=features)
    plain = project_image(sampler, made[0], "made.png", "abc", steps=40)
    assert np.array_equal(projection.latent, again.latent) and not np.array_equal(projection.latent, plain.latent)
    assert 0 <= projection.feature_distance < 0.5 and plain.feature_distance is None
    assert projection.to_dict()["feature_distance"] == projection.feature_distance

    copy = tmp_path / "with-classifier"
    shutil.copytree(trained_run.path, copy)
    from studio.core.evaluation.features import classifier_features
    from studio.core.runs import Run

    classifier_features(load_dataset(trained_run.config.data), copy / "eval", steps=5)
    with_classifier = run_feature_distance(Run.open(copy), checkpoint, sampler.num_classes, sampler.device)
    assert list(with_classifier.networks) == ["discriminator", "classifier"]
    (copy / "eval" / "classifier.json").write_text("not json")
    assert list(run_feature_distance(Run.open(copy), checkpoint, sampler.num_classes,
                                     sampler.device).networks) == ["discriminator"]
