"""Where Instructeur keeps its files (Qt-free: platformdirs), with an override for tests, and
with which permissions: databases and backups hold personal data and decisions not yet published,
so every file the app creates for them is 0600 and its folders 0700, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) 0700; an existing folder is left as the user set it."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def create_private_file(path: Path) -> Path:
    """A new, empty file only its owner may read (0600), created before any data is written.

    SQLite opens an empty file as an empty database and gives its -wal / -shm / -journal files
    the main file's mode, so they stay private too. Refuses to replace an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE) if hasattr(os, "fchmod") else os.chmod(path, PRIVATE_FILE)
    finally:
        os.close(fd)
    return path


def data_dir() -> Path:
    """User data folder (0700); `INSTRUCTEUR_DATA_DIR` overrides it (tests, portable installs)."""
    override = os.environ.get("INSTRUCTEUR_DATA_DIR")
    if override:
        return private_dir(Path(override))
    path = Path(platformdirs.user_data_dir("Instructeur", appauthor=False))
    private_dir(path)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_DIR)  # earlier versions made it 0755: it is ours, tighten it
    return path


def backups_dir() -> Path:
    return private_dir(data_dir() / "sauvegardes")
