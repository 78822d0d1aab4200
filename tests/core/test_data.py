import numpy as np
import pytest
from PIL import Image

from studio.core.config import DataConfig
from studio.core.data import load_dataset
from studio.core.data.demo import CLASS_NAMES, make_demo_dataset
from studio.core.errors import StudioError


@pytest.mark.parametrize("resolution", [32, 64])
def test_demo_set_is_labelled_balanced_and_shaped(resolution):
    dataset = make_demo_dataset(200, resolution)
    assert dataset.images.shape == (200, 3, resolution, resolution)
    assert dataset.class_names == CLASS_NAMES and len(CLASS_NAMES) >= 4
    assert set(dataset.class_counts().values()) == {50}


def test_demo_set_is_deterministic_and_varied():
    first, second = make_demo_dataset(64, 32), make_demo_dataset(64, 32)
    assert np.array_equal(first.images.numpy(), second.images.numpy())
    images = first.images.float()
    assert images.std(dim=0).mean() > 30, "images should differ from one another"
    assert not np.array_equal(make_demo_dataset(64, 32, seed=7).images.numpy(), first.images.numpy())


def _write_image(path, colour, size=(40, 30), mode="RGB", fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path, format=fmt)


def test_folder_with_corrupt_files_loads_the_good_ones_and_lists_the_rest(tmp_path):
    _write_image(tmp_path / "cats" / "a.png", (255, 0, 0))
    _write_image(tmp_path / "cats" / "b.jpg", (200, 0, 0), fmt="JPEG")
    _write_image(tmp_path / "dogs" / "c.png", (0, 0, 255), mode="RGBA")
    _write_image(tmp_path / "dogs" / "gray.png", 128, mode="L")
    (tmp_path / "dogs" / "empty.png").write_bytes(b"")
    (tmp_path / "dogs" / "notes.png").write_text("this is not a picture")
    good = tmp_path / "dogs" / "full.png"
    _write_image(good, (0, 255, 0), size=(64, 64))
    (tmp_path / "dogs" / "truncated.png").write_bytes(good.read_bytes()[:60])

    dataset = load_dataset(DataConfig(source=str(tmp_path), resolution=32))

    assert len(dataset) == 5
    assert dataset.class_counts() == {"cats": 2, "dogs": 3}
    reasons = {skipped.path: skipped.reason for skipped in dataset.skipped}
    assert reasons["dogs/empty.png"] == "empty file"
    assert reasons["dogs/notes.png"] == "not an image"
    assert reasons["dogs/truncated.png"].startswith("truncated or damaged image")
    assert dataset.images.shape[1:] == (3, 32, 32)
    red = dataset.images[dataset.labels == 0][0]
    assert red[0].float().mean() > 190 and red[2].float().mean() < 10


def test_folder_without_images_is_one_clear_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(StudioError, match="None of the 1 files"):
        load_dataset(DataConfig(source=str(tmp_path)))


def test_empty_folder_is_one_clear_error(tmp_path):
    with pytest.raises(StudioError, match="contains no files"):
        load_dataset(DataConfig(source=str(tmp_path)))
