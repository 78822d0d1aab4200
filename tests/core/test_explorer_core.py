"""The explorer's engine: truncation, slerp, GANSpace directions, favourites, batches and walks."""

import csv
import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from studio.core.explore.walks import direction_latents, interpolation_latents, render_frames, save_walk
from studio.core.explore.directions import compute_directions, directions_for, first_feature_layer, load_directions
from studio.core.errors import Cancelled, StudioError
from studio.core.explore.export import export_images, export_labelled_grid
from studio.core.explore.render import between, export_favourites, regenerate, render_spec, spec_latents
from studio.core.explore.favourites import Favourite, Source, load_favourites, save_favourites
from studio.core.explore.latent_spec import LatentSpec
from studio.core.models.dcgan import DCGANGenerator
from studio.core.models.sngan import ResNetGenerator
from studio.core.sampling import Sampler, latents, slerp, truncate
from studio.core.tasks import TaskState


@pytest.fixture(scope="module")
def sampler(trained_run):
    return Sampler.from_run(trained_run)


@pytest.fixture
def conditional_sampler():
    """A conditional generator with fresh weights: the sampling path does not care whether it was trained."""
    torch.manual_seed(0)
    generator = DCGANGenerator(16, 8, 32, num_classes=3)
    for module in generator.modules():
        if isinstance(module, torch.nn.ConvTranspose2d):
            torch.nn.init.normal_(module.weight, 0.0, 0.3)
    return Sampler(generator.eval(), torch.device("cpu"), 0, "c" * 64, ["cat", "dog", "owl"])


def test_truncation_is_around_the_zero_mean_and_slerp_keeps_the_ends():
    z = latents(1, 4, 8)
    assert torch.equal(truncate(z, 1.0), z)
    assert torch.allclose(truncate(z, 0.0), torch.zeros_like(z))
    a, b = latents(1, 1, 8), latents(2, 1, 8)
    assert torch.allclose(slerp(a, b, 0.0), a, atol=1e-6) and torch.allclose(slerp(a, b, 1.0), b, atol=1e-6)
    middle = slerp(a, b, 0.5)
    assert abs(float(middle.norm()) - float((a.norm() + b.norm()) / 2)) < 0.5


def test_first_feature_layer_is_found_generically():
    assert first_feature_layer(DCGANGenerator(8, 8, 32))[0] == "net.1"
    assert first_feature_layer(ResNetGenerator(8, 8, 32))[0] == "blocks.0.norm1.norm"


def test_directions_are_unit_vectors_with_variance_shares_and_are_cached(trained_run, sampler):
    shutil.rmtree(trained_run.path / "directions", ignore_errors=True)  # found here, whatever ran before
    calls = []
    directions = directions_for(trained_run, sampler, TaskState(lambda d, t: calls.append((d, t))))
    assert directions.vectors.shape == (16, 16)
    assert np.allclose(np.linalg.norm(directions.vectors, axis=1), 1, atol=1e-5)
    shares = directions.variance_share
    assert list(shares) == sorted(shares, reverse=True) and 0 < sum(shares) <= 1 + 1e-9
    assert calls[-1][0] == calls[-1][1]
    cached = load_directions(trained_run, sampler.fingerprint)
    assert (trained_run.path / "directions" / f"{sampler.fingerprint}.json").exists()
    assert np.array_equal(cached.vectors, directions.vectors)
    again = directions_for(trained_run, sampler, TaskState(lambda d, t: pytest.fail("recomputed")))
    assert np.array_equal(again.vectors, directions.vectors) and again.variance_share == directions.variance_share


def test_finding_directions_can_be_cancelled(sampler):
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled, match="^Finding directions was cancelled.$"):
        compute_directions(sampler, samples=1024, task=task)


def test_a_spec_names_exact_pixels_and_offsets_change_them(trained_run, sampler):
    vectors = directions_for(trained_run, sampler).vectors
    plain = LatentSpec(seed=7)
    moved = LatentSpec(seed=7, psi=0.7, direction_offsets={0: 2.5}, dimension_offsets={3: -1.0})
    assert np.array_equal(render_spec(sampler, moved, 4, vectors), render_spec(sampler, moved, 4, vectors))
    assert not np.array_equal(render_spec(sampler, plain, 1, vectors), render_spec(sampler, moved, 1, vectors))
    expected = 0.7 * latents(7, 1, 16)[0] + 2.5 * torch.from_numpy(vectors[0])
    expected[3] -= 1.0
    assert torch.allclose(spec_latents(moved, 1, 16, vectors)[0], expected)
    with pytest.raises(StudioError, match="directions"):
        spec_latents(moved, 1, 16, None)


def test_a_pinned_sample_regenerates_bit_exactly_from_the_saved_file(trained_run, sampler):
    vectors = directions_for(trained_run, sampler).vectors
    a, b = LatentSpec(seed=3, psi=0.5, direction_offsets={1: -4.0}), LatentSpec(seed=9)
    pinned = [Favourite(sampler.fingerprint, a, "A"), Favourite(sampler.fingerprint, between(a, b, 0.3, 16, vectors))]
    shown = [render_spec(sampler, favourite.spec, 1, vectors)[0] for favourite in pinned]
    save_favourites(trained_run, pinned)
    reloaded = load_favourites(trained_run)
    assert reloaded == pinned
    fresh = Sampler.from_run(trained_run)
    for favourite, pixels in zip(reloaded, shown):
        assert np.array_equal(regenerate(fresh, favourite, load_directions(trained_run, fresh.fingerprint).vectors), pixels)
    with pytest.raises(StudioError, match="another checkpoint"):
        regenerate(fresh, Favourite("0" * 64, a), vectors)


def test_favourites_export_as_pngs_with_their_settings(trained_run, sampler, tmp_path):
    vectors = directions_for(trained_run, sampler).vectors
    pinned = [Favourite(sampler.fingerprint, LatentSpec(seed=s, psi=0.8)) for s in (1, 2)]
    pinned[1] = Favourite(sampler.fingerprint, LatentSpec(latent=(0.1,) * sampler.latent_dim), "image mine.png",
                          (Source("mine.png", "ab" * 32),))
    paths = export_favourites(sampler, pinned, tmp_path / "pins", vectors)
    assert [p.name for p in paths] == ["favourite-001.png", "favourite-002.png"]
    assert np.array_equal(np.asarray(Image.open(paths[1])), regenerate(sampler, pinned[1], vectors))
    saved = json.loads((tmp_path / "pins" / "favourites.json").read_text())
    assert saved["favourites"][0]["psi"] == 0.8 and saved["favourites"][0]["fingerprint"] == sampler.fingerprint
    assert saved["favourites"][1]["sources"] == [{"file": "mine.png", "sha256": "ab" * 32}]
    assert "sources" not in saved["favourites"][0], "a seed's sample has no source image"
    with pytest.raises(StudioError, match="already exists"):
        export_favourites(sampler, pinned, tmp_path / "pins", vectors)


def test_a_manifest_batch_is_reproducible_bit_for_bit(sampler, tmp_path):
    first = export_images(sampler, tmp_path / "one", 70, seed=11, truncation=0.6)
    second = export_images(sampler, tmp_path / "two", 70, seed=11, truncation=0.6)
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))
    rows = list(csv.DictReader(open(tmp_path / "one" / "manifest.csv")))
    assert rows[5] == {"file": "image-00005.png", "seed": "16", "class": "", "truncation": "0.6", "step": str(sampler.step),
                       "checkpoint_sha256": sampler.fingerprint}
    settings = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert settings["truncation"] == 0.6 and settings["seed"] == 11 and settings["n"] == 70
    single = render_spec(sampler, LatentSpec(seed=16, psi=0.6), 1)[0]
    assert np.abs(np.asarray(Image.open(first[5])).astype(int) - single).max() <= 1


def test_a_conditional_batch_goes_into_one_folder_per_class(conditional_sampler, tmp_path):
    paths = export_images(conditional_sampler, tmp_path / "out", 6)
    assert sorted(os.listdir(tmp_path / "out")) == ["cat", "dog", "manifest.csv", "manifest.json", "owl"]
    rows = list(csv.DictReader(open(tmp_path / "out" / "manifest.csv")))
    assert [row["class"] for row in rows] == ["cat", "dog", "owl"] * 2
    assert paths[1] == tmp_path / "out" / "dog" / "image-00001.png"
    only_owls = export_images(conditional_sampler, tmp_path / "owls", 2, class_index=2)
    assert all(path.parent.name == "owl" for path in only_owls)
    with pytest.raises(StudioError, match="does not exist"):
        export_images(conditional_sampler, tmp_path / "bad", 2, class_index=5)
    cats = render_spec(conditional_sampler, LatentSpec(seed=1, class_index=0), 1)
    dogs = render_spec(conditional_sampler, LatentSpec(seed=1, class_index=1), 1)
    assert not np.array_equal(cats, dogs)


def test_walks_save_as_gif_webp_and_numbered_frames(trained_run, sampler, tmp_path):
    vectors = directions_for(trained_run, sampler).vectors
    z = interpolation_latents(LatentSpec(seed=1), LatentSpec(seed=2), 9, 16)
    assert torch.allclose(z[0], latents(1, 1, 16)[0]) and torch.allclose(z[-1], latents(2, 1, 16)[0], atol=1e-6)
    frames = render_frames(sampler, direction_latents(LatentSpec(seed=4), vectors[0], 9, 16, sigma=5.0))
    for name in ("walk.gif", "walk.webp"):
        save_walk(frames, tmp_path / name)
        with Image.open(tmp_path / name) as animation:
            assert animation.n_frames == 9
    paths = save_walk(frames, tmp_path / "frames")
    assert [p.name for p in paths][:2] == ["frame-0000.png", "frame-0001.png"] and len(os.listdir(tmp_path / "frames")) == 9
    with pytest.raises(StudioError, match="already exists"):
        save_walk(frames, tmp_path / "walk.gif")
    with pytest.raises(StudioError, match=".gif or .webp"):
        save_walk(frames, tmp_path / "walk.mp4")


def test_walk_to_a_read_only_or_full_target_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch):
    frames = np.zeros((3, 8, 8, 3), np.uint8)

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "fdopen", refuse)
    with pytest.raises(StudioError, match="is not writable"):
        save_walk(frames, tmp_path / "walk.gif")
    real_write = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(StudioError, match="disk is full"):
        save_walk(frames, tmp_path / "frames")
    monkeypatch.setattr(Path, "write_bytes", real_write)
    assert os.listdir(tmp_path) == []


def test_labelled_grid_has_room_for_labels(tmp_path):
    path = export_labelled_grid(np.zeros((4, 32, 32, 3), np.uint8), ["seed 1", "seed 2", "seed 3", "seed 4"],
                                tmp_path / "grid.png", nrow=2)
    with Image.open(path) as grid:
        assert grid.size[1] > 2 * 32 + 2 * 14
        assert np.asarray(grid).max() > 100
