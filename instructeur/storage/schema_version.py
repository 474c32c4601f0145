"""The schema revision this version of Instructeur expects, known without Alembic or SQLAlchemy.

A current base is recognised by one query against `expected_head()`, read from the migration
scripts' file names (`versions/0004_xxx.py` has revision "0004"; tests/storage/test_migrate_head.py
checks it against Alembic). Launch speed, issue 12: Alembic is imported only when a migration is
due, and the main window's first paint (`services/first_paint.py`) does not import SQLAlchemy.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@lru_cache(maxsize=1)
def expected_head() -> str:
    names = [p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")]
    return max(names, default="")
