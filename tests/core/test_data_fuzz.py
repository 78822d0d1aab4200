"""Random and mutated bytes fed to every reader: each either loads or raises the studio's own
one-sentence error (or lists the file as skipped); nothing else ever escapes."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.core.config import DataConfig
from studio.core.data import load_dataset
from studio.core.data.decode import Unreadable, decode_bytes
from studio.core.data.preprocess import Preprocess
from studio.core.errors import StudioError
from tests.data_files import cifar_batch, idx_bytes, png_bytes

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SEED_PNG = png_bytes(size=(24, 16))


def mutated(seed: bytes):
    """The seed file with a few bytes changed, cut short, or random bytes appended."""
    return st.tuples(st.lists(st.tuples(st.integers(0, len(seed) - 1), st.integers(0, 255)), max_size=6),
                     st.integers(0, len(seed)), st.binary(max_size=32)).map(
        lambda m: _apply(seed, *m))


def _apply(seed: bytes, changes, cut, tail) -> bytes:
    data = bytearray(seed)
    for index, value in changes:
        data[index] = value
    return bytes(data[:cut]) + tail


@FUZZ
@given(st.one_of(st.binary(max_size=200), mutated(SEED_PNG)))
def test_image_decoder_loads_or_gives_a_reason(data):
    try:
        decoded = decode_bytes(data, Preprocess(resolution=16))
    except Unreadable as reason:
        assert str(reason) and "\n" not in str(reason)
    else:
        assert decoded.pixels.shape == (3, 16, 16)


def _loads_or_says_why(path) -> None:
    try:
        dataset = load_dataset(DataConfig(source=str(path), resolution=16))
    except StudioError as error:
        assert str(error).endswith(".") and "\n" not in str(error)
    else:
        assert dataset.images.dtype.is_floating_point is False


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutated(cifar_batch(2))))
def test_cifar_reader_never_raises_anything_else(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("cifar")
    (folder / "data_batch_1").write_bytes(data)
    _loads_or_says_why(folder)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutated(idx_bytes(np.zeros((2, 9, 9), np.uint8)))))
def test_idx_reader_never_raises_anything_else(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("idx") / "x-images-idx3-ubyte"
    path.write_bytes(data)
    _loads_or_says_why(path)


def _npz_seed() -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, images=np.zeros((2, 9, 9), np.uint8))
    return buffer.getvalue()


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutated(_npz_seed())), suffix=st.sampled_from([".npz", ".npy"]))
def test_numpy_reader_never_raises_anything_else(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("npz") / f"x{suffix}"
    path.write_bytes(data)
    _loads_or_says_why(path)


def _zip_seed() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("set/a/b.png", SEED_PNG)
    return buffer.getvalue()


def _tar_seed() -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        batch = cifar_batch(2)
        info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        info.size = len(batch)
        archive.addfile(info, io.BytesIO(batch))
    return buffer.getvalue()


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutated(_zip_seed())))
def test_zip_reader_never_raises_anything_else(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("zip") / "x.zip"
    path.write_bytes(data)
    _loads_or_says_why(path)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), mutated(_tar_seed())))
def test_tarball_reader_never_raises_anything_else(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("tar") / "x.tar.gz"
    path.write_bytes(data)
    _loads_or_says_why(path)


_NAME = st.binary(min_size=1, max_size=12).filter(lambda name: b"/" not in name and b"\0" not in name
                                                 and name not in (b".", b".."))
_TARGET = st.sampled_from([b"..", b"../..", b"/", b"/etc/hostname", b"a.png", b"sub", b"sub/../a.png", b"missing", b"self"])


@settings(FUZZ, max_examples=15)  # every example starts a decoding worker
@given(names=st.lists(_NAME, max_size=6, unique=True), links=st.lists(st.tuples(_NAME, _TARGET), max_size=4))
def test_folder_scan_of_any_names_and_links_loads_or_says_why(tmp_path_factory, names, links):
    import os

    root = tmp_path_factory.mktemp("scan")
    os.makedirs(os.fsencode(root) + b"/sub")
    (root / "a.png").write_bytes(SEED_PNG)
    try:
        for name in names:
            with open(os.fsencode(root) + b"/sub/" + name, "wb") as handle:
                handle.write(SEED_PNG)
        for name, target in links:
            os.symlink(target if target != b"self" else name, os.fsencode(root) + b"/sub/l" + name)
    except (OSError, ValueError):
        return  # a name this file system refuses is not a file the studio can meet
    _loads_or_says_why(root)
