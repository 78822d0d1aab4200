"""The bundled app (PyInstaller, packaging/build_bundle.sh) builds, and its own executable passes --self-test
with no Python of the user's: slow (minutes), so marked ``bundle`` and run by ``make bundle-test``."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(3600),
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="build_bundle.sh's archive test is for Linux")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle():
    """Build the CPU bundle once (unless GAN_STUDIO_BUNDLE_BUILT=1 says dist/ already holds a fresh one)."""
    if os.environ.get("GAN_STUDIO_BUNDLE_BUILT") != "1":
        result = subprocess.run(["bash", str(ROOT / "packaging" / "build_bundle.sh"), "cpu"], cwd=ROOT,
                                capture_output=True, text=True, timeout=3000)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        print(result.stdout.splitlines()[-1])
    return ROOT / "dist" / "gan-studio"


def _clean_env(tmp_path: Path) -> dict:
    """No Python of the user's: no virtual environment, no PYTHONPATH, an empty home."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "QT_QPA_PLATFORM", "DISPLAY")}
    env.update(HOME=str(tmp_path), GAN_STUDIO_HOME=str(tmp_path / "home"), PATH="/usr/bin:/bin")
    return env


def test_the_bundle_passes_its_self_test(bundle, tmp_path):
    result = subprocess.run([str(bundle / "gan-studio"), "--self-test"], cwd=tmp_path, env=_clean_env(tmp_path),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert result.stdout.splitlines()[-1].startswith("Self-test passed in ")
    assert "Qt platform 'offscreen'" in result.stdout
    assert not (tmp_path / "home").exists(), "the self-test must keep runs and settings in its own temporary folder"


def test_the_bundle_carries_its_resources_and_no_test_or_build_files(bundle):
    internal = bundle / "_internal"
    assert (internal / "studio" / "resources" / "studio.qss").is_file()
    assert (internal / "studio" / "resources" / "icons" / "gan-studio-256.png").is_file()
    assert list(internal.glob("PySide6/Qt/plugins/platforms/libqxcb.so")) and list(
        internal.glob("PySide6/Qt/plugins/platforms/libqoffscreen.so"))
    assert (bundle / "share" / "applications" / "org.ganstudio.GANStudio.desktop").is_file()
    for absent in ("torch/include", "torch/test", "tkinter", "_tkinter", "pytest", "tests"):
        assert not (internal / absent).exists(), absent
    assert not list(internal.glob("lib/python*/tkinter")) and not list(internal.glob("**/*.a"))


def test_the_archive_holds_the_bundle(bundle):
    import studio
    archive = next((ROOT / "dist").glob(f"gan-studio-{studio.__version__}-linux-*-cpu.tar.gz"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "gan-studio/gan-studio" in names and "gan-studio/_internal/studio/resources/studio.qss" in names


def test_the_bundle_names_missing_system_libraries_instead_of_aborting(bundle, tmp_path):
    """A machine without libGL (which the bundle never carries): the studio's one sentence and status 1, not
    Qt's abort. The library is hidden in a private mount namespace, so nothing outside this test sees it."""
    import ctypes.util
    import shutil

    library = os.path.realpath(f"/usr/lib/{os.uname().machine}-linux-gnu/libGL.so.1")
    if os.geteuid() != 0 or not shutil.which("unshare") or not os.path.isfile(library):
        pytest.skip("hiding a system library needs root, unshare and libGL.so.1 in the multiarch folder")
    hide = f'mount --bind /dev/null "{library}" && exec "$0" "$@"'
    result = subprocess.run(["unshare", "-m", "sh", "-c", hide, str(bundle / "gan-studio")], cwd=tmp_path,
                            env=_clean_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("GAN Studio cannot open its window because 1 system library is missing: "), last
    assert "sudo apt-get install libgl1" in last
    assert ctypes.util.find_library("GL"), "the library is hidden only inside the test's namespace"


def test_the_bundle_uses_the_systems_font_libraries(bundle):
    internal = bundle / "_internal"
    assert not (internal / "libfontconfig.so.1").exists() and not (internal / "libfreetype.so.6").exists()
    assert (internal / "libxcb-cursor.so.0").exists(), "Qt's xcb libraries travel with the bundle"
