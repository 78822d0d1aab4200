"""Metric sanity: the numbers behave as their definitions say, in every feature space."""

import numpy as np
import pytest
import torch

from studio.core.errors import StudioError
from studio.core.evaluation.evaluate import quality_values
from studio.core.evaluation.features import classifier_features, random_features
from studio.core.evaluation.metrics import frechet_distance, kernel_distance, nearest_training_images, precision_recall


@pytest.fixture
def one_thread():
    """Tiny networks gain nothing from intra-op threads when several tests share a few cores."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _cloud(seed, n=400, dim=16):
    return np.random.default_rng(seed).normal(size=(n, dim))


def test_identical_sets_have_zero_frechet_distance_and_a_shift_raises_it():
    real = _cloud(0)
    assert frechet_distance(real, real) == pytest.approx(0, abs=1e-8)
    assert frechet_distance(real, real + 0.5) > frechet_distance(real, _cloud(1)) > frechet_distance(real, real)
    assert frechet_distance(real, real + 0.5) == pytest.approx(16 * 0.25, rel=1e-6)


def test_kernel_distance_is_near_zero_for_one_distribution_and_larger_when_shifted():
    real, other = _cloud(0), _cloud(1)
    same, _ = kernel_distance(real, other)
    shifted, _ = kernel_distance(real, other + 1.0)
    assert abs(same) < 0.05 < shifted


def test_precision_and_recall_of_real_against_real_are_high_and_fall_for_a_collapsed_generator():
    real = _cloud(0, 800, dim=4)
    precision, recall = precision_recall(real[:400], real[400:])
    assert precision > 0.8 and recall > 0.8
    collapsed = np.repeat(real[:1], 400, axis=0) + 0.01 * _cloud(2, dim=4)
    assert precision_recall(real[:400], collapsed)[1] < 0.1


def test_random_feature_network_is_deterministic_across_rebuilds():
    images = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    first, second = random_features(0)(images), random_features(0)(images)
    assert first.shape == (6, 448)
    assert np.array_equal(first, second)
    assert not np.array_equal(first, random_features(1)(images))
    assert "seed 0" in random_features(0).label


def test_duplicates_and_diversity_reveal_a_collapsed_set():
    real = _cloud(0)
    healthy = quality_values(real, _cloud(1))
    collapsed = quality_values(real, np.repeat(_cloud(1, 4), 100, axis=0))
    assert healthy["duplicate_rate"] < 0.05 and healthy["diversity"] > 0.9
    assert collapsed["duplicate_rate"] == 1.0 and collapsed["diversity"] < 0.9


def test_nearest_training_image_finds_an_exact_copy():
    train = np.random.default_rng(0).integers(0, 256, (50, 48), dtype=np.uint8)
    found = nearest_training_images(train[[7, 3]], train)
    assert found.index.tolist() == [7, 3] and np.allclose(found.pixel_distance, 0)


def test_classifier_features_report_accuracy_and_are_cached(tmp_path, one_thread):
    from studio.core.data.demo import make_demo_dataset

    dataset = make_demo_dataset(400, 32)
    space = classifier_features(dataset, tmp_path, steps=60)
    assert 0.3 < space.accuracy <= 1.0 and f"{space.accuracy:.0%}" in space.label
    again = classifier_features(dataset, tmp_path, steps=60)
    assert again.accuracy == space.accuracy
    images = dataset.images[:5]
    assert np.allclose(space(images), again(images))


def test_inception_loads_only_from_a_local_weights_file(tmp_path, one_thread):
    from safetensors.torch import save_file

    from studio.core.evaluation.features import feature_space
    from studio.core.evaluation.inception import FIDInception

    state = {k: v for k, v in FIDInception().state_dict().items() if not k.endswith("num_batches_tracked")}
    save_file(state, str(tmp_path / "fid.safetensors"))
    torch.save(state, tmp_path / "fid.pth")
    feature_space("inception", None, tmp_path, tmp_path / "fid.safetensors")
    space = feature_space("inception", None, tmp_path, tmp_path / "fid.pth")
    assert "Inception" in space.label
    assert space(torch.zeros(1, 3, 32, 32, dtype=torch.uint8)).shape == (1, 2048)
    (tmp_path / "junk.pth").write_bytes(b"junk")
    with pytest.raises(StudioError, match="not a readable weights file"):
        feature_space("inception", None, tmp_path, tmp_path / "junk.pth")
    with pytest.raises(StudioError, match="needs labelled|weights file"):
        feature_space("inception", None, tmp_path, None)


def test_quality_of_a_single_real_image_is_one_sentence_not_a_numpy_error():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(StudioError, match=r"^Measuring quality needs at least 4 real images; the dataset has 1\.$"):
            quality_values(np.zeros((1, 8)), np.random.default_rng(0).normal(size=(16, 8)))
        assert quality_values(np.eye(4, 8), np.random.default_rng(0).normal(size=(16, 8)))["fd"] >= 0
