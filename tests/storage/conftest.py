from __future__ import annotations

from collections.abc import Iterator

import pytest

from instructeur.storage.db import Database, open_database


@pytest.fixture
def db(engine_url: str, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated, empty Instructeur database on each engine (SQLite file, real PostgreSQL)."""
    database = open_database(engine_url, backup_dir=tmp_path)
    yield database
    database.close()
