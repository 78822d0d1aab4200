"""The usefulness check ranks what it is given: noise below real data, real images passed as synthetic near it."""

import numpy as np
import pytest

from studio.core.data.demo import make_demo_dataset
from studio.core.data.held_out import choose_held_out
from studio.core.errors import Cancelled, StudioError
from studio.core.evaluation.usefulness import compare_training_sets, usefulness_check
from studio.core.evaluation.usefulness_result import RESULT_FILE, WAYS, UsefulnessResult, saved_usefulness
from studio.core.tasks import TaskState

STEPS = 100


@pytest.fixture(scope="module")
def shapes():
    dataset = make_demo_dataset(600, 16)
    held = choose_held_out(dataset.class_names, dataset.labels.numpy(), 0.25)
    training = np.ones(len(dataset), bool)
    training[held.indices] = False
    return dataset.subset(np.flatnonzero(training)), dataset.subset(held.indices)


def _passthrough(training):
    def synthetic_for(c, n):
        images = training.images[training.labels == c].permute(0, 2, 3, 1).numpy()
        return np.resize(images, (n, *images.shape[1:]))
    return synthetic_for


def _noise(training):
    """Random pixels, and fewer than asked for (as when the quality gates let few through)."""
    rng = np.random.default_rng(0)
    side = training.resolution
    return lambda c, n: rng.integers(0, 256, (min(n, 40), side, side, 3), dtype=np.uint8)


def _result(training, test, ways):
    counts = training.class_counts()
    return UsefulnessResult(list(training.class_names), list(counts.values()),
                            np.bincount(test.labels.numpy(), minlength=4).tolist(), [0] * 4, 2, ways, "test", 1.0)


def test_noise_ranks_below_real_data_and_real_images_as_synthetic_rank_near_it(shapes):
    training, test = shapes
    added = [len(training) // 8] * 4
    perfect = compare_training_sets(training, test, _passthrough(training), added, seeds=2, steps=STEPS)
    broken = compare_training_sets(training, test, _noise(training), added, seeds=2, steps=STEPS)
    assert [way.way for way in perfect] == list(WAYS)
    by_way = {way.way: way for way in perfect}
    real = by_way["real"].accuracy_mean
    assert real > 0.6, "the probe learns the shapes"
    assert abs(by_way["synthetic"].accuracy_mean - real) < 0.1, "real images as 'synthetic' score like real ones"
    noise_cas = next(way for way in broken if way.way == "synthetic").accuracy_mean
    assert noise_cas < 0.4 < real, "a classifier trained on noise is near chance (25%)"
    assert len(by_way["real"].recall[0]) == 4 and all(0 <= r <= 1 for r in by_way["real"].recall[0])

    verdict = _result(training, test, broken).verdict()
    assert verdict.startswith("Synthetic images did not help; the model is not good enough yet.")
    assert "synthetic images alone reaches" in verdict
    again = compare_training_sets(training, test, _noise(training), added, seeds=1, steps=STEPS)
    assert [way.accuracy for way in again] == [way.accuracy[:1] for way in broken], "seeded: the same figures every time"


def test_the_check_cancels_and_a_run_without_test_images_says_so(shapes, tmp_path, trained_run):
    training, test = shapes
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        compare_training_sets(training, test, _noise(training), [1] * 4, seeds=1, task=task, steps=STEPS)
    with pytest.raises(StudioError, match="needs labelled data"):
        usefulness_check(trained_run, _unlabelled(trained_run))
    assert saved_usefulness(trained_run) is None
    (trained_run.path / RESULT_FILE).write_text('{"format": "something else"}')
    assert saved_usefulness(trained_run) is None
    (trained_run.path / RESULT_FILE).unlink()


def _unlabelled(run):
    from studio.core.data import load_dataset
    from studio.core.data.dataset import ImageDataset

    dataset = load_dataset(run.config.data)
    return ImageDataset(images=dataset.images, labels=dataset.labels * 0, class_names=["unlabelled"], source="made",
                        names=list(dataset.names))


def test_a_class_without_test_images_has_no_recall_and_raises_no_warning():
    import warnings

    from studio.core.evaluation.usefulness_result import WayResult

    way = WayResult("real", [1.0, 1.0], [1.0, 1.0], [[float("nan"), 1.0], [float("nan"), 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "Mean of empty slice" used to reach the command line's stderr
        recall = way.class_recall()
    assert np.isnan(recall[0]) and recall[1] == 0.75
