"""Whether the studio may read a run's dataset without asking the analyst first.

A run folder can come from someone else, and its ``run.json`` names the dataset to load: a
stranger could name ``../../etc`` or any folder of the recipient's and have the studio read it
and print its images and file names into a report. So the source a run records is followed
without a question only when:

- it is the built-in demo set, or
- it lies inside the run folder (a relative source is taken relative to the run folder, and
  symbolic links are resolved before the check), or
- it carries this studio's seal: when this studio creates a run, or the analyst names or approves
  its dataset, ``run.json`` records ``data_seal``, an HMAC of the source under a random key kept
  in the studio's settings folder. Nobody else has that key, so a received run never carries a
  valid seal; one created here keeps it wherever its folder moves on this machine.

Any other source is "from elsewhere": the GUI asks the analyst, the CLI needs ``--data``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from studio.core.config import DEMO_SOURCE
from studio.core.errors import StudioError
from studio.core.paths import settings_dir

KEY_FILE = "run-seal.key"
_KEY_BYTES = 32


class DataSourceNotApproved(StudioError):
    """The run's (or sweep's: ``kind``) dataset lies outside its folder and was not chosen on this machine;
    ``source`` is where it points."""

    def __init__(self, run_path: Path, source: str, kind: str = "run"):
        super().__init__(f"The {kind} '{Path(run_path).name}' reads its dataset from '{source}', outside the {kind} "
                         "folder, and was not created by this studio; choose the dataset to use with it.")
        self.source, self.kind = source, kind


def resolve(run_path: Path, source: str) -> str:
    """The source as a path to load: the demo as is, anything else absolute with links resolved, relative to the run folder."""
    if source == DEMO_SOURCE:
        return source
    try:
        return str((Path(run_path) / Path(source).expanduser()).resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, an unreadable folder, a NUL in the name
        raise StudioError(f"The dataset path '{source}' cannot be used.") from None


def approved(run_path: Path, source: str, data_seal: str) -> bool:
    """True when the run's recorded ``source`` may be read without asking (see the module's rules)."""
    if source == DEMO_SOURCE or Path(resolve(run_path, source)).is_relative_to(Path(run_path).resolve()):
        return True
    return sealed_here(source, data_seal)


def sealed_here(source: str, data_seal: str) -> bool:
    """True when ``data_seal`` is this studio's seal of ``source``: it was chosen on this machine."""
    expected = seal(source)
    return bool(expected) and hmac.compare_digest(data_seal, expected)


def seal(source: str) -> str:
    """This studio's seal of ``source``, or "" when its key cannot be kept (runs then simply ask again)."""
    key = _key()
    if not key:
        return ""
    return hmac.new(key, source.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def _key() -> bytes:
    """The settings folder's random key, made on first use; two processes starting at once agree on one."""
    path = settings_dir() / KEY_FILE
    try:
        key = path.read_bytes()
        if len(key) == _KEY_BYTES:
            return key
        path.unlink()  # damaged: a new key only means the studio's own runs ask once more
    except FileNotFoundError:
        pass
    except OSError:
        return b""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
            os.link(tmp_name, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        key = path.read_bytes()
    except OSError:
        return b""
    return key if len(key) == _KEY_BYTES else b""
