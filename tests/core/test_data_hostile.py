"""Files from strangers that would crash the scan or blow up memory: each is skipped and listed
with its reason, or refused in one sentence naming the file and the limit, before it is read."""

import gzip
import io
import os
import struct
import tarfile
import zipfile

import numpy as np
import pytest

from studio.core.config import DataConfig
from studio.core.data import load_dataset
from studio.core.data.folder import BAD_NAME, BROKEN, LINKED_FOLDER, LOOP, NOT_A_FILE, OUTSIDE
from studio.core.errors import StudioError
from tests.data_files import png_bytes, write_cifar_tarball, write_zip

GB = 10**9
posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, pipes and byte file names")


def load(source, **options):
    return load_dataset(DataConfig(source=str(source), resolution=16, **options))


def reasons(dataset) -> dict[str, str]:
    return {skipped.path: skipped.reason for skipped in dataset.skipped}


@posix_only
def test_links_loops_pipes_and_undecodable_names_are_skipped_and_listed(tmp_path):
    root, outside = tmp_path / "set", tmp_path / "elsewhere"
    (root / "cats" / "deep").mkdir(parents=True)
    outside.mkdir()
    (root / "cats" / "a.png").write_bytes(png_bytes((255, 0, 0)))
    (outside / "secret.png").write_bytes(png_bytes((0, 255, 0)))
    os.symlink(outside / "secret.png", root / "cats" / "absolute.png")
    os.symlink("../../elsewhere/secret.png", root / "cats" / "relative.png")
    os.symlink("a.png", root / "cats" / "inside.png")
    os.symlink("self.png", root / "cats" / "self.png")
    os.symlink("two.png", root / "cats" / "one.png")
    os.symlink("one.png", root / "cats" / "two.png")
    os.symlink("..", root / "cats" / "deep" / "up")
    os.symlink("missing.png", root / "cats" / "gone.png")
    os.mkfifo(root / "cats" / "pipe.png")
    try:
        with open(os.fsencode(root / "cats") + b"/bad\xff.png", "wb") as handle:
            handle.write(png_bytes())
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")

    dataset = load(root)

    assert len(dataset) == 2  # a.png and the link to it inside the folder
    assert dataset.images[:, 0].float().mean() > 200 and dataset.images[:, 1].float().mean() < 10
    assert reasons(dataset) == {
        "cats/absolute.png": OUTSIDE, "cats/relative.png": OUTSIDE, "cats/self.png": LOOP, "cats/one.png": LOOP,
        "cats/two.png": LOOP, "cats/deep/up": LINKED_FOLDER, "cats/gone.png": BROKEN, "cats/pipe.png": NOT_A_FILE,
        "cats/bad\ufffd.png": BAD_NAME,
    }
    assert "secret" not in str(dataset.report["classes"])


def test_a_sparse_huge_file_is_skipped_by_its_size_without_being_read(tmp_path):
    (tmp_path / "good.png").write_bytes(png_bytes())
    with open(tmp_path / "huge.png", "wb") as handle:
        handle.truncate(3 * GB // 2)
    dataset = load(tmp_path)
    assert len(dataset) == 1
    assert reasons(dataset) == {"huge.png": "too large (1.4 GiB; the limit is 1.0 GiB per file)"}


def test_the_per_file_limit_is_configurable_and_a_bad_value_is_one_sentence(tmp_path, monkeypatch):
    (tmp_path / "small.png").write_bytes(png_bytes(size=(16, 16)))
    (tmp_path / "large.png").write_bytes(png_bytes(size=(400, 400)) + b"\0" * 2_000_000)
    monkeypatch.setenv("GAN_STUDIO_MAX_FILE_MB", "1")
    assert reasons(load(tmp_path)) == {"large.png": "too large (1.9 MiB; the limit is 1.0 MiB per file)"}
    monkeypatch.setenv("GAN_STUDIO_MAX_FILE_MB", "lots")
    with pytest.raises(StudioError, match="^GAN_STUDIO_MAX_FILE_MB must be a positive number of MiB, not 'lots'.$"):
        load(tmp_path)


def test_too_many_images_for_the_memory_limit_is_refused_before_decoding(tmp_path, monkeypatch):
    for index in range(30):
        (tmp_path / f"{index}.png").write_bytes(png_bytes((index, 0, 0)))
    monkeypatch.setenv("GAN_STUDIO_MAX_IMAGES_MB", "0.01")
    with pytest.raises(StudioError, match=r"would need 23,040 bytes for 30 images at 16 px, over the limit of 10,485 bytes"):
        load(tmp_path)


def _set_unpacked_size(path, size: int) -> None:
    """Rewrite the one member's unpacked size in a zip's local header and central directory."""
    data = bytearray(path.read_bytes())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


def _npy_header(shape) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|u1", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_npz_member_that_inflates_past_the_limit_is_refused_by_its_header(tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("images.npy", _npy_header((600_000, 32, 32, 3)) + b"\0" * 4096)
    _set_unpacked_size(path, 1_843_200_128)
    with pytest.raises(StudioError, match=r"^'bomb.npz/images.npy' is 1.7 GiB, over the limit of 1.0 GiB per file "):
        load(path)


def test_npz_claiming_a_billion_images_is_one_sentence_not_a_memory_error(tmp_path):
    path = tmp_path / "claims.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("images.npy", _npy_header((10**9, 28, 28)) + b"\0" * 784)
    with pytest.raises(StudioError, match=r"'claims.npz/images.npy' is 730.2 GiB, over the limit"):
        load(path)
    with pytest.raises(StudioError, match=r"claims a 1000000000×28×28 array, more than the"):
        load_dataset_with_limit(path, "1000000")


def load_dataset_with_limit(path, megabytes: str):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GAN_STUDIO_MAX_FILE_MB", megabytes)
        patch.setenv("GAN_STUDIO_MAX_TOTAL_MB", megabytes)
        return load(path)


def test_npy_whose_header_claims_more_than_the_file_holds_is_one_sentence(tmp_path):
    path = tmp_path / "short.npy"
    path.write_bytes(_npy_header((1000, 64, 64)) + b"\0" * 100)
    with pytest.raises(StudioError, match=r"^'short.npy' claims a 1000×64×64 array, more than the"):
        load(path)


def test_cifar_tarball_whose_member_header_claims_gigabytes_is_refused_before_reading(tmp_path):
    info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    info.size = 3 * GB // 2
    path = tmp_path / "cifar-10-python.tar.gz"
    path.write_bytes(gzip.compress(info.tobuf()))  # the header only: the data would follow if it were read
    with pytest.raises(StudioError, match=r"data_batch_1' is 1.4 GiB, over the limit of 1.0 GiB per file"):
        load(path)


def test_cifar_batches_that_together_pass_the_total_limit_are_refused(tmp_path, monkeypatch):
    members = {f"data_batch_{index}": b"\0" * 600_000 for index in (1, 2)}
    path = write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz", members)
    assert path.stat().st_size < 10_000  # a few kilobytes that unpack to 1.2 MB
    monkeypatch.setenv("GAN_STUDIO_MAX_TOTAL_MB", "1")
    with pytest.raises(StudioError, match=r"^'cifar-10-python.tar.gz' unpacks to 1.1 MiB, over the limit of 1.0 MiB per dataset"):
        load(path)


def test_cifar_batches_over_the_total_are_refused_from_their_headers_before_any_is_read(tmp_path, monkeypatch):
    members = {name: b"\0" * 300_000 for name in ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4")}
    path = write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz", members)
    monkeypatch.setenv("GAN_STUDIO_MAX_TOTAL_MB", "1")
    read = []
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda archive, member: read.append(member.name))
    with pytest.raises(StudioError, match=r"^'cifar-10-python.tar.gz' unpacks to 1.1 MiB, over the limit"):
        load(path)
    assert read == [], "the batches under the limit were not read either"


@pytest.mark.parametrize("members, says", [
    ({"data_batch_1": b"a", "x/data_batch_1": b"b"}, "holds 'data_batch_1' twice"),
    ({f"noise-{index}": b"" for index in range(10_001)}, "holds more than 10,000 entries"),
])
def test_cifar_archives_with_odd_headers_are_refused_before_reading(tmp_path, monkeypatch, members, says):
    path = write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz", members)
    read = []
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda archive, member: read.append(member.name))
    with pytest.raises(StudioError, match=says):
        load(path)
    assert read == []


def test_zip_entry_whose_header_claims_gigabytes_is_listed_not_read(tmp_path):
    path = write_zip(tmp_path / "set.zip", {"a/huge.png": png_bytes()})
    _set_unpacked_size(path, 3 * GB // 2)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("a/fine.png", png_bytes())
    dataset = load(path)
    assert len(dataset) == 1
    assert reasons(dataset) == {"a/huge.png": "too large (1.4 GiB; the limit is 1.0 GiB per file)"}
