"""A class whose name a file system cannot hold ("T-shirt/top" in Fashion-MNIST) is exported in a
folder named after it ("T-shirt-top"), one folder per class, in every export that makes them."""

from __future__ import annotations

import csv

import pytest

from studio.core.augment.export import AugmentRequest, export_augmented
from studio.core.augment.targets import Target
from studio.core.class_folders import class_folder_names
from studio.core.config import RunConfig
from studio.core.data import load_dataset
from studio.core.data.idx import FASHION_NAMES
from studio.core.explore.export import export_images
from studio.core.sampling import Sampler
from studio.core.training.jobs import new_run
from studio.core.training.trainer import Trainer
from tests.data_files import write_mnist

FASHION_FOLDERS = ["T-shirt-top", *FASHION_NAMES[1:]]


def test_names_keep_what_is_safe_and_stay_unique_within_the_export():
    names = ["T-shirt/top", "a:b", "A-B", "..", "", ".hidden", "trail. ", "con", r"back\slash", "class-6", "x" * 300]
    assert class_folder_names(names) == ["T-shirt-top", "a-b", "A-B-2", "class-3", "class-4", "hidden", "trail", "con_",
                                         "back-slash", "class-6", "x" * 100]
    assert class_folder_names(["cat"], count=3) == ["cat", "class-1", "class-2"]
    assert class_folder_names(["class-1", "", "a"]) == ["class-1", "class-1-2", "a"]


@pytest.fixture(scope="module")
def fashion_run(tmp_path_factory):
    """A tiny conditional run on a Fashion-MNIST file (its class names come with the format)."""
    root = tmp_path_factory.mktemp("fashion")
    config = RunConfig()
    config.data.source = str(write_mnist(root / "fashion-mnist", count=60))
    config.data.resolution = 16
    config.model.latent_dim, config.model.g_width, config.model.d_width = 16, 8, 8
    config.train.steps, config.train.batch_size, config.train.eval_every = 10, 16, 0
    dataset = load_dataset(config.data)
    assert dataset.class_names == FASHION_NAMES
    run = new_run(root / "runs", config, dataset)
    Trainer(run, dataset).run()
    return run, dataset


def folders_in(path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir() if entry.is_dir())


def rows_of(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_export_names_each_class_folder_after_its_class(fashion_run, tmp_path):
    run, _ = fashion_run
    out = tmp_path / "batch"
    export_images(Sampler.from_run(run), out, 20)
    assert folders_in(out) == sorted(FASHION_FOLDERS)
    assert len(list((out / "T-shirt-top").glob("*.png"))) == 2
    assert {row["class"] for row in rows_of(out / "manifest.csv")} == set(FASHION_FOLDERS)


def test_an_augmented_export_names_each_class_folder_after_its_class(fashion_run, tmp_path):
    run, dataset = fashion_run
    out = tmp_path / "augmented"
    export_augmented(run, dataset, AugmentRequest(Target("per_class", 8)), out)
    assert folders_in(out) == sorted(FASHION_FOLDERS)
    shirts = [row for row in rows_of(out / "manifest.csv") if row["file"].startswith("T-shirt-top/")]
    assert len(shirts) == 8 and {row["class"] for row in shirts} == {"T-shirt/top"}
    assert all((out / row["file"]).is_file() for row in shirts)
