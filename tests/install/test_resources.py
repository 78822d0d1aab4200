"""The style sheet and the icons are found from a checkout, from an installed wheel (inside the package)
and carried by the wheel and the sdist."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from studio import resource_files

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_the_checkout_reads_the_top_level_resources_folder():
    assert resource_files.resources_dir() == ROOT / "resources"
    assert resource_files.resource_path("studio.qss").is_file()
    assert [p.name for p in resource_files.icon_files()] == [f"gan-studio-{s}.png" for s in SIZES]


def test_a_package_carrying_its_resources_reads_them_there(tmp_path, monkeypatch):
    """How an installed wheel or the bundle is laid out: studio/resources beside the modules."""
    package = tmp_path / "studio"
    (package / "resources" / "icons").mkdir(parents=True)
    (package / "resources" / "studio.qss").write_text("QWidget {}", encoding="utf-8")
    (package / "resources" / "icons" / "gan-studio-32.png").write_bytes(b"png")
    monkeypatch.setattr(resource_files, "_PACKAGE", package)
    assert resource_files.resource_path("studio.qss") == package / "resources" / "studio.qss"
    assert resource_files.icon_files() == [package / "resources" / "icons" / "gan-studio-32.png"]


def test_the_icons_are_the_drawing_at_every_size():
    from PIL import Image
    for size in SIZES:
        with Image.open(ROOT / "resources" / "icons" / f"gan-studio-{size}.png") as image:
            assert image.size == (size, size) and image.mode == "RGBA"
    with Image.open(ROOT / "resources" / "icons" / "gan-studio.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    assert (ROOT / "resources" / "icons" / "gan-studio.icns").read_bytes()[:4] == b"icns"


def test_the_window_carries_the_icon(qapp):
    from studio.gui.application import create_application
    app = create_application()
    assert not app.windowIcon().isNull()
    assert {s.width() for s in app.windowIcon().availableSizes()} >= {16, 32, 256}


def _build(kind: str, out: Path) -> Path:
    """The sdist, or the wheel built from the unpacked sdist (as ``python -m build`` does, and leaving the
    source tree without build files), with this environment's setuptools."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import setuptools.build_meta as b, sys; b.build_sdist(sys.argv[1])", str(out)],
                   check=True, cwd=ROOT, capture_output=True, timeout=300)
    sdist = next(out.glob("*.tar.gz"))
    if kind == "sdist":
        return sdist
    with tarfile.open(sdist) as archive:
        archive.extractall(out / "src", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    source = next((out / "src").iterdir())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(source)], check=True, cwd=out, capture_output=True, timeout=300)
    return next(out.glob("*.whl"))


def test_the_wheel_ships_the_style_sheet_and_icons(tmp_path):
    names = zipfile.ZipFile(_build("wheel", tmp_path)).namelist()
    assert "studio/resources/studio.qss" in names
    assert {f"studio/resources/icons/gan-studio-{s}.png" for s in SIZES} <= set(names)
    assert "studio/gui/app.py" in names and not any(n.startswith("tests/") for n in names)


@pytest.mark.skipif(sys.platform == "win32", reason="the sdist is built on Linux and macOS")
def test_the_sdist_ships_resources_packaging_and_readme(tmp_path):
    with tarfile.open(_build("sdist", tmp_path)) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"README.md", "setup.py", "resources/studio.qss", "resources/icons/gan-studio-256.png",
            "resources/icons/draw_icon.py", "packaging/gan_studio.spec", "packaging/make_icons.py"} <= names
