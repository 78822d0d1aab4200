import errno
import os

import pytest

from studio.core.files import write_bytes_atomic
from studio.core.errors import StudioError


def test_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "run.json"
    write_bytes_atomic(target, b"good")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"half-written")
    assert target.read_bytes() == b"good"
    assert list(tmp_path.iterdir()) == [target], "the temporary file is cleaned up"


def test_full_disk_is_one_sentence_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "weights.safetensors"
    write_bytes_atomic(target, b"good")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StudioError, match="disk is full"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"good"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_files_get_the_usual_permissions(tmp_path):
    target = tmp_path / "report.html"
    write_bytes_atomic(target, b"<html></html>")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
