"""Where Instructeur keeps its files (Qt-free: platformdirs), with an override for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """User data folder; `INSTRUCTEUR_DATA_DIR` overrides it (tests, portable installs)."""
    override = os.environ.get("INSTRUCTEUR_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir("Instructeur", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir() -> Path:
    path = data_dir() / "sauvegardes"
    path.mkdir(parents=True, exist_ok=True)
    return path
