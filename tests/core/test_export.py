import csv
import errno
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import Cancelled, StudioError
from studio.core.explore.export import export_grid, export_images
from studio.core.sampling import Sampler
from studio.core.tasks import TaskState


def test_export_writes_readable_pngs_and_a_manifest(trained_run, tmp_path):
    sampler = Sampler.from_run(trained_run)
    paths = export_images(sampler, tmp_path / "out", 70, seed=5)
    assert len(paths) == 70
    assert Image.open(paths[0]).size == (32, 32)
    with open(tmp_path / "out" / "manifest.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["seed"] == "5" and rows[-1]["seed"] == "74"
    assert rows[0]["checkpoint_sha256"] == sampler.fingerprint


def test_same_seed_gives_the_same_pixels(trained_run):
    sampler = Sampler.from_run(trained_run)
    assert np.array_equal(sampler.generate(3, 4), sampler.generate(3, 4))
    assert not np.array_equal(sampler.generate(3, 4), sampler.generate(4, 4))


def test_export_refuses_to_overwrite(trained_run, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(StudioError, match="not empty"):
        export_images(Sampler.from_run(trained_run), tmp_path / "out", 3)
    assert os.listdir(tmp_path / "out") == ["keep.txt"]
    grid = tmp_path / "grid.png"
    export_grid(np.zeros((4, 8, 8, 3), np.uint8), grid)
    with pytest.raises(StudioError, match="already exists"):
        export_grid(np.zeros((4, 8, 8, 3), np.uint8), grid)


def test_cancelled_export_leaves_nothing(trained_run, tmp_path):
    task = TaskState(lambda done, total: task.cancel())  # cancelled after the first batch
    with pytest.raises(Cancelled, match="^The export was cancelled; no files were kept.$"):
        export_images(Sampler.from_run(trained_run), tmp_path / "out", 200, task=task)
    assert os.listdir(tmp_path) == []


def test_read_only_target_is_one_sentence(trained_run, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(StudioError, match="is not writable"):
        export_images(Sampler.from_run(trained_run), tmp_path / "out", 3)
    assert not (tmp_path / "out").exists()


def test_full_disk_mid_export_leaves_no_half_written_folder(trained_run, tmp_path, monkeypatch):
    written = []
    real_write = Path.write_bytes

    def fill_up(self, data):
        if len(written) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(self)
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", fill_up)
    with pytest.raises(StudioError, match="disk is full"):
        export_images(Sampler.from_run(trained_run), tmp_path / "out", 20)
    assert os.listdir(tmp_path) == []
