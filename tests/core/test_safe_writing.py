"""Safe writing: unwritable targets are one sentence and leave nothing, exports never mix with
existing files, pruning never strands weights, and a crash's leftovers go when the run is reopened."""

import errno
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import StudioError
from studio.core.explore.walks import check_fps, save_walk
from studio.core.files import (PROCESS_STARTED, remove_leftovers, write_bytes_atomic, write_new_folder,
                                write_text_atomic)
from studio.core.runs import Run, sidecar_path
from tests.lock_holder import lock_held_elsewhere

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _refuse(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("step", ["mkdir", "mkstemp"])
def test_an_unwritable_folder_is_one_sentence_and_leaves_no_temporary_file(tmp_path, monkeypatch, step):
    if step == "mkdir":
        monkeypatch.setattr(Path, "mkdir", _refuse)
        target = tmp_path / "new" / "walk.gif"
    else:
        monkeypatch.setattr(tempfile, "mkstemp", _refuse)
        target = tmp_path / "walk.gif"
    with pytest.raises(StudioError, match=f"^'{tmp_path}' is not writable; choose another folder.$"):
        write_bytes_atomic(target, b"GIF89a")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_target_below_a_file_is_one_sentence_even_for_root(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    with pytest.raises(StudioError, match=f"because '{blocker}' is a file, not a folder"):
        write_bytes_atomic(blocker / "walk.gif", b"GIF89a")
    with pytest.raises(StudioError, match=f"because '{blocker}' is a file, not a folder"):
        write_new_folder(blocker / "frames" / "out", lambda staging: None)
    assert os.listdir(tmp_path) == ["notes.txt"] and blocker.read_text() == "mine"


@pytest.mark.skipif(AS_ROOT, reason="permissions do not restrict root; the file-in-the-way test covers it")
def test_a_read_only_folder_is_one_sentence(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(StudioError, match="is not writable"):
            write_bytes_atomic(locked / "walk.gif", b"GIF89a")
        with pytest.raises(StudioError, match="is not writable"):
            write_new_folder(locked / "frames", lambda staging: None)
        assert os.listdir(locked) == []
    finally:
        locked.chmod(0o755)


def test_a_new_folder_never_mixes_with_existing_files(tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "report.md").write_text("edited by hand")
    with pytest.raises(StudioError, match="already exists and is not empty"):
        write_new_folder(taken, lambda staging: (staging / "report.md").write_text("new"))
    assert (taken / "report.md").read_text() == "edited by hand" and os.listdir(tmp_path) == ["taken"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_new_folder(empty, lambda staging: (staging / "a.png").write_bytes(b"png"))
    assert os.listdir(empty) == ["a.png"] and sorted(os.listdir(tmp_path)) == ["empty", "taken"]


def _age(path: Path) -> Path:
    """Make ``path`` look as if a process before this one had left it."""
    os.utime(path, (PROCESS_STARTED - 600, PROCESS_STARTED - 600))
    return path


def _left_file(path: Path, data: bytes = b"half-written") -> Path:
    path.write_bytes(data)
    return _age(path)


def _left_folder(path: Path) -> Path:
    path.mkdir()
    (path / "image-00000.png").write_bytes(b"png")
    return _age(path)


def test_only_the_studios_own_old_temporary_names_count_as_leftovers(tmp_path):
    old_temp = _left_file(tmp_path / ".run.json.k2x_9abc.tmp")
    staging = _left_folder(tmp_path / ".exports.ab12cd34.partial")
    young = tmp_path / ".metrics.jsonl.zz99yy88.tmp"
    young.write_bytes(b"being written now")
    keep = {young.name}
    for name in ("notes.tmp", ".hidden", "report.partial", ".x.abc.tmp", ".x.ABCDEFGH.tmp", "step-000010.json"):
        _left_file(tmp_path / name, b"the analyst's")
        keep.add(name)
    outside = _left_file(tmp_path.parent / f".{tmp_path.name}-target.abcdefgh.tmp", b"not in the folder")
    (tmp_path / ".link.abcdefgh.tmp").symlink_to(outside)
    keep.add(".link.abcdefgh.tmp")

    removed = remove_leftovers(tmp_path)
    assert sorted(path.name for path in removed) == sorted([old_temp.name, staging.name])
    assert set(os.listdir(tmp_path)) == keep and outside.read_bytes() == b"not in the folder"
    outside.unlink()


def _fake_run(tmp_path, tiny_config, steps=(10, 20, 30)) -> Run:
    run = Run.create(tmp_path, tiny_config, {})
    run.checkpoint_dir.mkdir()
    for step in steps:
        run.checkpoint_path(step).write_bytes(b"weights")
        sidecar_path(run.checkpoint_path(step)).write_text("{}")
    return run


def test_reopening_a_run_removes_a_crashs_leftovers_unless_someone_trains_it(tmp_path, tiny_config):
    run = _fake_run(tmp_path, tiny_config)
    leftovers = [_left_file(run.checkpoint_dir / ".step-000040.safetensors.a1b2c3d4.tmp"),
                 _left_file(run.path / ".run.json.q1w2e3r4.tmp")]
    exports = run.path / "exports"
    exports.mkdir()
    staging = _left_folder(exports / ".batch.zx12cv34.partial")
    with lock_held_elsewhere(run.path):
        before = sorted(p.name for p in run.path.rglob("*"))
        Run.open(run.path)
        assert sorted(p.name for p in run.path.rglob("*")) == before, "a trainer's writes in progress look the same"
    Run.open(run.path)
    assert not any(path.exists() for path in [*leftovers, staging])
    assert [step for step, _ in run.checkpoints()] == [10, 20, 30] and exports.is_dir()


def test_pruning_removes_weights_before_sidecars_so_a_kill_never_strands_weights(tmp_path, tiny_config, monkeypatch):
    run = _fake_run(tmp_path, tiny_config)
    real_unlink = Path.unlink
    removed = []

    def killed_after_the_first(self, missing_ok=False):
        if removed:
            raise KeyboardInterrupt
        removed.append(self.name)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", killed_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        run.prune_checkpoints(keep=1)
    monkeypatch.undo()
    left = sorted(os.listdir(run.checkpoint_dir))
    assert removed == ["step-000010.safetensors"]
    assert left == ["step-000010.json", "step-000020.json", "step-000020.safetensors",
                    "step-000030.json", "step-000030.safetensors"], "only a sidecar is left alone"
    assert [step for step, _ in run.checkpoints()] == [20, 30], "a lone sidecar is no checkpoint"

    run.checkpoint_path(25).write_bytes(b"weights whose sidecar a crash never wrote")
    run.prune_checkpoints(keep=1)
    assert sorted(os.listdir(run.checkpoint_dir)) == ["step-000030.json", "step-000030.safetensors"]


@pytest.mark.parametrize("fps", [0, -12, float("nan"), float("inf"), 51])
def test_a_walk_at_an_impossible_speed_is_one_sentence_and_writes_nothing(tmp_path, fps):
    with pytest.raises(StudioError, match="^A walk plays at 0.1 to 50 frames per second, not "):
        check_fps(fps)
    with pytest.raises(StudioError, match="frames per second"):
        save_walk(np.zeros((3, 8, 8, 3), np.uint8), tmp_path / "walk.gif", fps)
    assert os.listdir(tmp_path) == []


def test_an_export_folder_and_its_files_get_the_modes_the_umask_gives(tmp_path):
    umask = os.umask(0)
    os.umask(umask)

    def fill(staging):
        (staging / "class").mkdir()
        write_text_atomic(staging / "class" / "manifest.csv", "file\n")

    write_new_folder(tmp_path / "export", fill)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "export").rglob("*")}
    assert stat.S_IMODE((tmp_path / "export").stat().st_mode) == 0o777 & ~umask
    assert modes == {"class": 0o777 & ~umask, "manifest.csv": 0o666 & ~umask}
