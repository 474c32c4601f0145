"""The fast path of migrate.py (no Alembic at launch) must agree with the Alembic scripts."""

from __future__ import annotations

from instructeur.storage import migrate


def test_head_revision_constant_is_the_scripts_head() -> None:
    assert migrate.HEAD_REVISION == migrate.scripts_head_revision()
    assert migrate.HEAD_REVISION in migrate.known_revisions()


def test_current_revision_reads_the_version_table(db) -> None:  # type: ignore[no-untyped-def]
    assert migrate.current_revision(db) == migrate.HEAD_REVISION
    migrate.ensure_current(db)  # current: no error, nothing to do
    assert migrate.upgrade(db) is None
