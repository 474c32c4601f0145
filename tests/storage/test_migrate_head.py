"""The fast path of migrate.py (no Alembic at launch) must agree with the Alembic scripts."""

from __future__ import annotations

from instructeur.storage import migrate
from instructeur.storage.schema_version import expected_head


def test_expected_head_from_file_names_is_the_scripts_head() -> None:
    # A new migration file must be named after its revision id ("0005_….py" → "0005").
    assert expected_head() == migrate.head_revision()


def test_current_revision_reads_the_version_table(db) -> None:  # type: ignore[no-untyped-def]
    assert migrate.current_revision(db) == migrate.head_revision()
    migrate.ensure_current(db)  # current: no error, nothing to do
    assert migrate.upgrade(db) is None
