"""The two-engine `db` fixture (SQLite and real PostgreSQL) for the co-instruction tests."""

from tests.services.conftest import db  # noqa: F401
