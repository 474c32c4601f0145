"""The base and the world the import tests work on, on each engine (`engine_url`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from instructeur.storage.db import Database, open_database
from tests.factories import World, build_world


@pytest.fixture
def db(engine_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(engine_url, backup_dir=tmp_path)
    yield database
    database.close()


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)
