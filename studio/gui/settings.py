"""Window layout and last-used choices, kept in an INI file under ``paths.settings_dir()``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from studio.core.config import RunConfig
from studio.core.errors import StudioError
from studio.core.paths import settings_dir

SETTINGS_FILE = "gan-studio.ini"
MAX_RECENT = 8


class StudioSettings:
    """Typed access to the few things the studio remembers between sessions."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or settings_dir() / SETTINGS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def run_config(self) -> RunConfig | None:
        """The form values last used, or None if there are none or they no longer parse."""
        text = self.qsettings.value("form/config", "")
        if not text:
            return None
        try:
            return RunConfig.from_json(str(text))
        except (StudioError, TypeError):
            return None

    def set_run_config(self, config: RunConfig) -> None:
        self.qsettings.setValue("form/config", config.to_json())

    def recent_runs(self) -> list[Path]:
        """Recently used run folders that still exist, newest first."""
        return [Path(p) for p in self._list("runs/recent") if Path(p).is_dir()]

    def add_recent_run(self, path: Path) -> None:
        self._push("runs/recent", str(path))

    def recent_folders(self) -> list[str]:
        """Datasets (folders or files) used before that still exist, newest first."""
        return [p for p in self._list("data/folders") if Path(p).exists()]

    def set_recent_folders(self, folders: list[str]) -> None:
        self.qsettings.setValue("data/folders", list(folders)[:MAX_RECENT])

    def restore_layout(self, window: QMainWindow) -> bool:
        """The window's size, position and docks as last closed; False when none was saved (the first launch)."""
        geometry, state = self.qsettings.value("window/geometry"), self.qsettings.value("window/state")
        if geometry:
            window.restoreGeometry(geometry)
        if state:
            window.restoreState(state)
        return bool(geometry)

    def save_layout(self, window: QMainWindow) -> None:
        self.qsettings.setValue("window/geometry", window.saveGeometry())
        self.qsettings.setValue("window/state", window.saveState())

    def sync(self) -> None:
        self.qsettings.sync()

    def _list(self, key: str) -> list[str]:
        value = self.qsettings.value(key, [])
        if isinstance(value, str):
            return [value]
        return [str(item) for item in value or []]

    def _push(self, key: str, item: str) -> None:
        items = [item, *(existing for existing in self._list(key) if existing != item)]
        self.qsettings.setValue(key, items[:MAX_RECENT])
