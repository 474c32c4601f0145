"""What a --db value names, decided without SQLAlchemy (the main window's first paint reads an
SQLite file before SQLAlchemy is imported, services/first_paint.py)."""

from __future__ import annotations

import os
from pathlib import Path


def sqlite_file(target: str | Path) -> Path | None:
    """The SQLite file a --db value names, expanded and absolute; None for a URL (postgresql://…,
    sqlite:///…), which `db.resolve_url` parses."""
    text = str(target)
    return None if "://" in text else Path(text).expanduser().resolve()


def default_database_path() -> Path:
    from instructeur.paths import data_dir

    return data_dir() / "instructeur.sqlite"


def database_from_env(cli_value: str | None) -> str | Path:
    """--db wins over INSTRUCTEUR_DB, which wins over the file in the user data folder."""
    return cli_value or os.environ.get("INSTRUCTEUR_DB") or default_database_path()
