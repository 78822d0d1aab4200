"""Where the studio keeps runs and settings (platformdirs), overridable for tests and portable installs."""

import os
from pathlib import Path

import platformdirs

APP_NAME = "GAN Studio"
HOME_ENV = "GAN_STUDIO_HOME"


def studio_home() -> Path:
    """The user data folder, or ``$GAN_STUDIO_HOME`` when set."""
    override = os.environ.get(HOME_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def runs_dir() -> Path:
    return studio_home() / "runs"


def settings_dir() -> Path:
    return studio_home() / "settings"


def cache_dir() -> Path:
    """Decoded datasets, kept so that reopening one is near-instant; safe to delete at any time."""
    return studio_home() / "cache"

