"""Fixtures for the command-line tests."""

import pytest

from tests.cli.helpers import TINY, studio


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny run trained for 10 steps through the CLI, one per test module (modules may change it)."""
    path = tmp_path_factory.mktemp("cli") / "run"
    trained = studio("train", "--out", path, "--steps", 10, "--device", "cpu", *TINY)
    assert trained.returncode == 0, trained.stderr
    return path
