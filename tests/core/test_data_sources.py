"""Every dataset source and every bad input the issue lists: the good data loads, each problem is
one sentence (a StudioError, or a skipped file with its reason), nothing crashes."""

import os
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from studio.core.config import DataConfig
from studio.core.data import load_dataset
from studio.core.data import parallel
from studio.core.data.augment import flip_half
from studio.core.errors import StudioError
from studio.core.paths import cache_dir
from tests.data_files import (bomb_png, cifar_batch, cifar_meta, idx_bytes, png_bytes, write_cifar_folder,
                              write_cifar_tarball, write_mnist, write_zip)


def load(source, **options):
    return load_dataset(DataConfig(source=str(source), **options))


def save(image: Image.Image, path, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)


@pytest.mark.parametrize("mode, colour, expected", [
    ("L", 90, (90, 90, 90)),
    ("LA", (90, 0), (255, 255, 255)),  # fully transparent: the white background shows
    ("RGBA", (10, 20, 30, 255), (10, 20, 30)),
    ("CMYK", (0, 255, 0, 0), (255, 0, 255)),
    ("I;16", 40000, (156, 156, 156)),
    ("1", 1, (255, 255, 255)),
])
def test_every_pillow_mode_becomes_the_colour_a_person_expects(tmp_path, mode, colour, expected):
    fmt = {"CMYK": "JPEG"}.get(mode, "PNG")
    save(Image.new(mode, (24, 24), colour), tmp_path / "one" / f"a.{fmt.lower()}", format=fmt)
    save(Image.new("RGB", (24, 24), (0, 0, 0)), tmp_path / "one" / "b.png")
    dataset = load(tmp_path / "one", resolution=16)
    assert dataset.skipped == []
    got = dataset.images[0].float().mean(dim=(1, 2)).round().tolist()
    assert got == pytest.approx(expected, abs=3)


def test_palette_webp_gif_bmp_tiff_files_all_load(tmp_path):
    base = Image.new("RGB", (32, 20), (0, 128, 255))
    for fmt, suffix in (("WEBP", "webp"), ("GIF", "gif"), ("BMP", "bmp"), ("TIFF", "tif"), ("JPEG", "jpg")):
        save(base, tmp_path / f"x.{suffix}", format=fmt)
    save(base.convert("P"), tmp_path / "p.png")
    dataset = load(tmp_path)
    assert len(dataset) == 6 and dataset.skipped == []
    assert dataset.class_names == ["unlabelled"]


def test_bad_files_are_listed_with_reasons_and_the_rest_loads(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "good.png").write_bytes(png_bytes())
    (tmp_path / "a" / "zero.png").write_bytes(b"")
    (tmp_path / "a" / "text.png").write_text("just words")
    (tmp_path / "a" / "cut.png").write_bytes(png_bytes(size=(64, 64))[:70])
    (tmp_path / "a" / "bomb.png").write_bytes(bomb_png())
    (tmp_path / "a" / "tiny.png").write_bytes(png_bytes(size=(4, 4)))
    save(Image.new("F", (20, 20)), tmp_path / "a" / "float.tif")
    reasons = {s.path: s.reason for s in load(tmp_path).skipped}
    assert reasons["a/zero.png"] == "empty file"
    assert reasons["a/text.png"] == "not an image"
    assert reasons["a/cut.png"].startswith("truncated or damaged image")
    assert reasons["a/bomb.png"].startswith("too large")
    assert reasons["a/tiny.png"].startswith("too small")
    assert reasons["a/float.tif"] == "unsupported colour mode F"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind")
def test_unreadable_file_is_skipped_and_unreadable_folder_is_one_sentence(tmp_path):
    (tmp_path / "good.png").write_bytes(png_bytes())
    locked = tmp_path / "locked.png"
    locked.write_bytes(png_bytes())
    locked.chmod(0)
    try:
        assert {s.path: s.reason for s in load(tmp_path).skipped} == {"locked.png": "cannot be read (permission denied)"}
        tmp_path.chmod(0)
        with pytest.raises(StudioError, match="permission denied"):
            load(tmp_path)
    finally:
        tmp_path.chmod(0o755)
        locked.chmod(0o644)


def test_missing_path_empty_folder_and_unknown_file_are_one_sentence_each(tmp_path):
    with pytest.raises(StudioError, match="does not exist"):
        load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StudioError, match="contains no files"):
        load(tmp_path / "empty")
    (tmp_path / "notes.docx").write_text("hello")
    with pytest.raises(StudioError, match="not a dataset the studio reads"):
        load(tmp_path / "notes.docx")


def test_folder_with_one_class_loads_as_that_class(tmp_path):
    for index in range(3):
        (tmp_path / "only" / "cats").mkdir(parents=True, exist_ok=True)
        (tmp_path / "only" / "cats" / f"{index}.png").write_bytes(png_bytes((index * 50, 0, 0)))
    dataset = load(tmp_path / "only")
    assert dataset.class_names == ["cats"] and len(dataset) == 3


def test_fit_policies_give_the_expected_pixels(tmp_path):
    wide = Image.new("RGB", (60, 20), (255, 255, 255))
    save(wide, tmp_path / "w.png")
    crop = load(tmp_path, resolution=16, fit="crop").images[0]
    pad = load(tmp_path, resolution=16, fit="pad").images[0]
    stretch = load(tmp_path, resolution=16, fit="stretch").images[0]
    assert crop.min() == 255 and stretch.min() == 255
    assert pad[:, 0, :].max() == 0 and pad[:, 8, :].min() == 255  # black bars above and below
    gray = load(tmp_path, resolution=32, colour="grayscale", resample="nearest").images[0]
    assert torch.equal(gray[0], gray[1]) and torch.equal(gray[1], gray[2])


def test_class_selection_and_max_images(tmp_path):
    for name in ("a", "b", "c"):
        for index in range(10):
            save(Image.new("RGB", (20, 20), (index * 20, 0, 0)), tmp_path / name / f"{index}.png")
    chosen = load(tmp_path, classes="c, a")
    assert chosen.class_names == ["a", "c"] and len(chosen) == 20
    few = load(tmp_path, max_images=6)
    assert len(few) == 6 and few.class_names == ["a", "b", "c"]
    with pytest.raises(StudioError, match="no class named 'd'"):
        load(tmp_path, classes="d")


def test_duplicates_sizes_and_aspects_are_reported(tmp_path):
    data = png_bytes(size=(80, 40))
    for name in ("x.png", "y.png"):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "z.png").write_bytes(png_bytes(size=(40, 40)))
    report = load(tmp_path).report
    assert report["duplicates"] == [["x.png", "y.png"]]
    assert report["sizes"]["32–63 px"] == 3
    assert report["aspects"]["wide (2:1 or wider)"] == 2 and report["aspects"]["landscape"] == 0
    assert report["aspects"]["about square"] == 1


def test_one_worker_and_several_give_the_same_pixels_and_skips(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for index in range(40):
        save(Image.fromarray(rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)), tmp_path / "k" / f"{index:02d}.png")
    (tmp_path / "k" / "05-bad.png").write_bytes(b"junk")
    monkeypatch.setattr(parallel, "worker_count", lambda: 1)
    alone = load(tmp_path)
    monkeypatch.setattr(parallel, "MIN_CHUNK", 1)
    monkeypatch.setattr(parallel, "MAX_CHUNK", 4)
    monkeypatch.setattr(parallel, "worker_count", lambda: 3)
    for entry in cache_dir().iterdir():
        entry.unlink()
    together = load(tmp_path)
    assert torch.equal(alone.images, together.images)
    assert [s.path for s in together.skipped] == ["k/05-bad.png"]


def test_cache_answers_a_second_load_and_a_changed_source_invalidates_it(tmp_path):
    for index in range(3):
        save(Image.new("RGB", (20, 20), (index * 80, 0, 0)), tmp_path / "d" / f"{index}.png")
    first = load(tmp_path / "d")
    assert len(list(cache_dir().glob("*.u8"))) == 1
    again = load(tmp_path / "d")
    assert torch.equal(first.images, again.images) and again.fingerprint == first.fingerprint
    assert len(list(cache_dir().glob("*.u8"))) == 1
    assert load(tmp_path / "d", fit="pad").fingerprint != first.fingerprint
    save(Image.new("RGB", (20, 20), (0, 0, 255)), tmp_path / "d" / "3.png")
    assert len(load(tmp_path / "d")) == 4


def test_zip_is_read_in_place_and_escaping_entries_are_refused(tmp_path):
    archive = write_zip(tmp_path / "set.zip", {
        "photos/cats/a.png": png_bytes((255, 0, 0)),
        "photos/dogs/b.png": png_bytes((0, 0, 255)),
        "photos/dogs/broken.png": b"nope",
        "../evil.png": png_bytes(),
        "/etc/passwd.png": png_bytes(),
    })
    before = set(tmp_path.iterdir())
    dataset = load(archive)
    assert dataset.class_names == ["cats", "dogs"] and len(dataset) == 2
    reasons = {s.path: s.reason for s in dataset.skipped}
    assert reasons["../evil.png"].startswith("escaping path refused")
    assert reasons["/etc/passwd.png"].startswith("escaping path refused")
    assert reasons["photos/dogs/broken.png"] == "not an image"
    assert set(tmp_path.iterdir()) == before
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    with pytest.raises(StudioError, match="not a readable zip"):
        load(tmp_path / "bad.zip")


def test_cifar10_folder_and_tarball_and_cifar100(tmp_path):
    folder = write_cifar_folder(tmp_path / "cifar-10-batches-py", count=20)
    dataset = load(folder)
    assert len(dataset) == 30 and dataset.images.shape[1:] == (3, 32, 32)
    assert "airplane" in dataset.class_names or "truck" in dataset.class_names
    tarball = write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz",
                                  {"data_batch_1": cifar_batch(12), "batches.meta": cifar_meta()})
    assert len(load(tarball, resolution=16)) == 12
    hundred = tmp_path / "cifar-100-python"
    hundred.mkdir()
    (hundred / "train").write_bytes(cifar_batch(8, labels_key=b"fine_labels"))
    assert len(load(hundred)) == 8


class RunsCode:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_cifar_batch_with_a_code_running_object_is_refused_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "cifar"
    folder.mkdir()
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": RunsCode(), b"labels": [0]}, protocol=2))
    with pytest.raises(StudioError, match="refuses to load .*nothing in it was run"):
        load(folder)
    assert not (tmp_path / "pwned.txt").exists()


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_idx_with_labels_gzipped_or_not(tmp_path, gz):
    images = write_mnist(tmp_path / "fashion-mnist", count=30, gz=gz)
    dataset = load(images)
    assert len(dataset) == 30 and dataset.class_names[0] == "T-shirt/top"
    assert len(load(tmp_path / "fashion-mnist", resolution=16)) == 30


def test_idx_wrong_magic_and_short_payload_are_one_sentence(tmp_path):
    bad = tmp_path / "bad-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x09\x03" + b"\0" * 12)
    with pytest.raises(StudioError, match="wrong magic number"):
        load(bad)
    short = tmp_path / "short-images-idx3-ubyte"
    short.write_bytes(idx_bytes(np.zeros((5, 28, 28), np.uint8))[:-100])
    with pytest.raises(StudioError, match="shorter than its header says"):
        load(short)


@pytest.mark.parametrize("layout, scale", [
    ("nhw", "uint8"), ("nhwc", "uint8"), ("nchw", "unit"), ("nhwc", "signed"), ("nhwc1", "uint8"), ("nhwc4", "uint8"),
])
def test_numpy_layouts_and_ranges(tmp_path, layout, scale):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (6, 20, 20, 3), dtype=np.uint8)
    array = {"nhw": base[..., 0], "nhwc": base, "nchw": base.transpose(0, 3, 1, 2),
             "nhwc1": base[..., :1], "nhwc4": np.concatenate([base, np.full((6, 20, 20, 1), 255, np.uint8)], -1)}[layout]
    array = {"uint8": array, "unit": array / 255.0, "signed": array / 127.5 - 1}[scale]
    np.savez(tmp_path / "set.npz", images=array, labels=np.array([0, 1, 0, 1, 2, 2]))
    dataset = load(tmp_path / "set.npz", resolution=16)
    assert dataset.class_names == ["0", "1", "2"] and len(dataset) == 6
    np.save(tmp_path / "plain.npy", array)
    assert load(tmp_path / "plain.npy", resolution=16).class_names == ["unlabelled"]


@pytest.mark.parametrize("array, match", [
    (np.zeros((4, 5), np.uint8), "has shape"),
    (np.zeros((2, 20, 20, 3), np.int32), "int32"),
    (np.full((2, 20, 20), 3.0), "expected them in"),
    (np.array([{"a": 1}], dtype=object), "Python objects"),
])
def test_numpy_wrong_shape_dtype_range_or_objects_is_one_sentence(tmp_path, array, match):
    np.savez(tmp_path / "bad.npz", images=array)
    with pytest.raises(StudioError, match=match):
        load(tmp_path / "bad.npz")


def test_flip_half_mirrors_a_repeatable_half():
    batch = torch.arange(64 * 4, dtype=torch.float32).reshape(64, 1, 1, 4)
    first = flip_half(batch.clone(), seed=3, step=7)
    again = flip_half(batch.clone(), seed=3, step=7)
    flipped = (first != batch).any(dim=(1, 2, 3))
    assert torch.equal(first, again) and 16 < int(flipped.sum()) < 48
    assert torch.equal(first[flipped], batch[flipped].flip(-1))


def test_run_folder_gets_dataset_report_json(tmp_path):
    import json

    from studio.core.config import RunConfig
    from studio.core.runs import DATASET_REPORT_FILE, Run

    (tmp_path / "x.png").write_bytes(png_bytes())
    (tmp_path / "y.png").write_bytes(b"")
    config = RunConfig(data=DataConfig(source=str(tmp_path)))
    run = Run.create(tmp_path / "runs", config, load_dataset(config.data).summary())
    report = json.loads((run.path / DATASET_REPORT_FILE).read_text())
    assert report["skipped"] == [{"path": "y.png", "reason": "empty file"}]
    assert "report" not in json.loads((run.path / "run.json").read_text())["dataset"]
