"""A sweep folder from someone else, or a damaged one, through the CLI: its files pass the validation gate,
its dataset is read only when it may be, a refusal is one sentence that changes nothing, and the command
line behaves (no "Continuing" for a new sweep, a closed pipe ends quietly)."""

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys

import pytest

from tests.data_files import shapes_folder
from tests.lock_holder import kill_hard, start_holder

TINY = ["--resolution", "16", "--steps", "10", "--eval-every", "10", "--eval-samples", "16", "--features", "random",
        "--device", "cpu", "--param", "g_width=8", "--param", "d_width=8", "--param", "batch_size=16"]
NEEDS_DATA = "pass --data PATH with the dataset to use"


def studio(*args, home, timeout=300, **kwargs):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "GAN_STUDIO_HOME": str(home)}, **kwargs)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A one-trial sweep made by another studio on a dataset folder outside the sweep, and a home of ours."""
    root = tmp_path_factory.mktemp("sweep-exchange")
    theirs = shapes_folder(root / "their-data", {"circle": 12, "square": 12})
    result = studio("sweep", "--data", theirs, *TINY, "--trials", 1, "--out", root / "sweep", home=root / "their-studio")
    assert result.returncode == 0, result.stderr
    return root / "sweep", theirs, root / "my-studio", result.stderr


def received(made, tmp_path):
    folder = shutil.copytree(made[0], tmp_path / "received")
    (folder / ".training.lock").unlink(missing_ok=True)
    return folder


def fingerprint(folder):
    """Every name, kind and content under ``folder``: any change changes it."""
    digest = hashlib.sha256()
    for directory, folders, files in sorted(os.walk(folder)):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            digest.update(path.encode())
            if os.path.islink(path):
                digest.update(os.readlink(path).encode())
            elif os.path.isfile(path):
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


def refused(result):
    """The sentence of a refusal: exit status 2, no traceback, the last line of stderr."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_a_new_sweep_says_it_is_sweeping_not_continuing(made):
    stderr = made[3]
    assert f"Sweeping {made[0]} (0 trials done" in stderr and "Continuing" not in stderr


def test_show_into_a_closed_pipe_ends_quietly(made):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written, as after `| head -1`
    try:
        result = subprocess.run([sys.executable, "-m", "studio", "sweep", "show", str(made[0])], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert result.returncode == 1 and result.stderr == ""


def test_a_received_sweep_needs_data_before_its_dataset_is_read(made, tmp_path):
    folder, theirs, home = received(made, tmp_path), made[1], made[2]
    before = fingerprint(folder)
    result = studio("sweep", "--resume", "--trials", 2, "--out", folder, home=home)
    last = refused(result)
    assert NEEDS_DATA in last and f"'{theirs}'" in last and "outside the sweep folder" in last
    assert "circle-" not in result.stdout + result.stderr and "Dataset:" not in result.stderr
    assert fingerprint(folder) == before


def test_with_data_the_received_sweep_continues_and_remembers_the_choice(made, tmp_path):
    folder, home = received(made, tmp_path), made[2]
    mine = shapes_folder(tmp_path / "my-data", {"circle": 12, "square": 12})
    result = studio("sweep", "--resume", "--trials", 2, "--data", mine, "--out", folder, home=home)
    assert result.returncode == 0, result.stderr
    assert json.loads((folder / "sweep.json").read_text())["data"]["source"] == str(mine)
    trial = json.loads((folder / "trials" / "trial-001" / "run.json").read_text())
    assert trial["config"]["data"]["source"] == str(mine) and trial.get("data_seal")  # chosen here: sealed
    again = studio("sweep", "--resume", "--out", folder, home=home)
    assert again.returncode == 0, again.stderr  # remembered: no --data needed any more
    assert "The sweep ran its 2 trials." in again.stderr


def test_data_inside_a_received_sweep_is_read_but_its_trials_get_no_seal(made, tmp_path):
    folder, home = received(made, tmp_path), made[2]
    shutil.copytree(made[1], folder / "data")
    spec = json.loads((folder / "sweep.json").read_text())
    spec["data"]["source"] = "data"
    (folder / "sweep.json").write_text(json.dumps(spec))
    result = studio("sweep", "--resume", "--trials", 2, "--out", folder, home=home)
    assert result.returncode == 0, result.stderr
    trial = json.loads((folder / "trials" / "trial-001" / "run.json").read_text())
    assert trial["config"]["data"]["source"] == str((folder / "data").resolve())
    assert "data_seal" not in trial  # the analyst never chose it: opening the trial alone asks first


def _hold_lock(folder, tmp_path):
    return start_holder(folder)


def _garbage_line(folder, tmp_path):
    with open(folder / "study.journal", "ab") as journal:
        journal.write(b"{" + b"x" * (2 * 1024**2) + b"\n")


def _spec_linked_out(folder, tmp_path):
    victim = tmp_path / "victim.json"
    shutil.move(folder / "sweep.json", victim)
    (folder / "sweep.json").symlink_to(victim)


def _journal_linked_out(folder, tmp_path):
    victim = tmp_path / "victim.journal"
    shutil.move(folder / "study.journal", victim)
    (folder / "study.journal").symlink_to(victim)


def _journal_a_pipe(folder, tmp_path):
    (folder / "study.journal").unlink()
    os.mkfifo(folder / "study.journal")


@pytest.mark.parametrize("damage, says", [
    (_hold_lock, "This sweep is being run by process"),
    (_garbage_line, "study.journal' is damaged at line"),
    (_spec_linked_out, "sweep.json' is a link to a file outside"),
    (_journal_linked_out, "study.journal' is a link to a file outside"),
    (_journal_a_pipe, "study.journal' is not a regular file"),
])
def test_a_refused_resume_changes_nothing(made, tmp_path, damage, says):
    folder, theirs = received(made, tmp_path), made[1]
    holder = damage(folder, tmp_path)
    try:
        before = fingerprint(folder), fingerprint(tmp_path / "victim.json") if (tmp_path / "victim.json").exists() else ""
        result = studio("sweep", "--resume", "--trials", 25, "--device", "cpu", "--data", theirs, "--out", folder,
                        home=made[0].parent / "their-studio", timeout=60)
        assert says in refused(result)
        after = fingerprint(folder), fingerprint(tmp_path / "victim.json") if (tmp_path / "victim.json").exists() else ""
        assert after == before
    finally:
        if holder is not None:
            kill_hard(holder)


@pytest.mark.parametrize("command", [["sweep", "show", "{folder}"], ["sweep", "--resume", "--out", "{folder}"]])
def test_a_huge_garbage_journal_line_is_refused_in_bounded_memory(made, tmp_path, command):
    """A 200 MB line: refused after reading at most a MiB of it, under a 2 GiB address-space limit."""
    folder = received(made, tmp_path)
    line = (folder / "study.journal").read_bytes().count(b"\n") + 1
    with open(folder / "study.journal", "ab") as journal:
        chunk = b"x" * 1024**2
        journal.write(b"{")
        for _ in range(200):
            journal.write(chunk)
        journal.write(b"\n")

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    result = studio(*[part.format(folder=folder) for part in command], home=made[0].parent / "their-studio",
                    preexec_fn=limit_memory, timeout=120)
    assert refused(result) == (f"error: '{folder / 'study.journal'}' is damaged at line {line}: it is longer than 1 MiB, "
                               "so it was not written by the studio.")
