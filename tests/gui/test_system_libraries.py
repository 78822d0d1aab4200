"""Starting on a Linux that lacks Qt's system libraries: one sentence naming the packages, not Qt's abort."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.gui import system_libraries
from studio.gui.system_libraries import QT_LIBRARIES, XCB_LIBRARIES, missing_packages, report_missing

ROOT = Path(__file__).resolve().parents[2]
X11_DESKTOP = {"DISPLAY": ":0"}


@pytest.fixture
def absent(monkeypatch):
    """The sonames the dynamic loader will pretend not to find (every other one is found)."""
    sonames: set[str] = set()
    monkeypatch.setattr(system_libraries, "library_found", lambda soname: soname not in sonames)
    return sonames


def test_a_missing_xcb_library_names_its_package(absent):
    absent.add("libxcb-icccm.so.4")
    assert missing_packages(X11_DESKTOP, "linux") == ["libxcb-icccm4"]


def test_a_missing_qt_library_is_named_whatever_the_platform(absent):
    absent.update({"libEGL.so.1", "libxcb-cursor.so.0"})
    assert missing_packages({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ["libegl1"]
    assert missing_packages(X11_DESKTOP, "linux") == ["libegl1", "libxcb-cursor0"]


@pytest.mark.parametrize("environ, xcb", [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb;wayland"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({}, False),
])
def test_xcb_libraries_are_checked_only_when_qt_draws_through_xcb(absent, environ, xcb):
    absent.add("libxkbcommon-x11.so.0")
    assert missing_packages(environ, "linux") == (["libxkbcommon-x11-0"] if xcb else [])


def test_nothing_is_checked_outside_linux(absent):
    absent.update(QT_LIBRARIES)
    absent.update(XCB_LIBRARIES)
    assert missing_packages(X11_DESKTOP, "win32") == []
    assert missing_packages(X11_DESKTOP, "darwin") == []


def test_the_report_is_one_sentence_with_the_install_command(absent, monkeypatch, capsys):
    monkeypatch.setattr(os, "environ", {"DISPLAY": ":0"})
    monkeypatch.setattr(sys, "platform", "linux")
    absent.update({"libxcb-keysyms.so.1", "libdbus-1.so.3"})
    assert report_missing() is True
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.rstrip().endswith(".")
    assert "apt-get install libdbus-1-3 libxcb-keysyms1`" in err


def test_nothing_is_printed_when_every_library_is_there(absent, monkeypatch, capsys):
    monkeypatch.setattr(os, "environ", {"DISPLAY": ":0"})
    monkeypatch.setattr(sys, "platform", "linux")
    assert report_missing() is False
    assert capsys.readouterr() == ("", "")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")
def test_the_lookup_asks_the_dynamic_loader():
    assert system_libraries.library_found("libc.so.6")
    assert not system_libraries.library_found("libgan-studio-never-installed.so.1")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")
def test_main_py_prints_the_packages_and_exits_before_qt_loads():
    """``python main.py`` on an X11 display where the loader cannot find libxcb-icccm: the sentence,
    a non-zero exit, and Qt never loaded (so Qt's own abort cannot come first)."""
    code = (
        "import atexit, ctypes, runpy, sys\n"
        "real = ctypes.CDLL.__init__\n"
        "def lookup(self, name, *args, **kwargs):\n"
        "    if name == 'libxcb-icccm.so.4':\n"
        "        raise OSError(name + ': cannot open shared object file')\n"
        "    real(self, name, *args, **kwargs)\n"
        "ctypes.CDLL.__init__ = lookup\n"
        "atexit.register(lambda: print('Qt loaded:', 'PySide6.QtGui' in sys.modules))\n"
        "runpy.run_path('main.py', run_name='__main__')\n"
    )
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["DISPLAY"] = ":97"  # no X server there: were the check skipped, Qt would abort
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout == "Qt loaded: False\n"
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "libxcb-icccm4" in result.stderr and "apt-get install" in result.stderr
