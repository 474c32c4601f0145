"""A write transaction that takes the database's write lock before reading anything.

Decisions, the cadre stratégique and the classifications read totals or a tree, then write what
depends on them: on SQLite, `BEGIN IMMEDIATE` makes a second writer wait (up to busy_timeout)
instead of both reading the same state. PostgreSQL callers lock the rows they read themselves
(`comite_decisions.lock_enveloppes`). Kept apart from the comité services so that the modules
the main window needs at launch do not import them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from instructeur.errors import UserError
from instructeur.storage.db import Database

__all__ = ["decision_session"]


@contextmanager
def decision_session(db: Database) -> Iterator[Session]:
    """The decision's transaction. SQLite: `BEGIN IMMEDIATE` before anything is read, so the
    totals are read under the write lock (a second decision waits up to busy_timeout)."""
    try:
        with db.session() as s:
            if db.is_sqlite:
                s.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield s
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise UserError(
                "la base de données est occupée par un autre enregistrement : réessayez dans un instant"
            ) from None
        raise
