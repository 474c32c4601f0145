"""Appending to the hash-chained journal, and checking the chain (both engines).

Appends are serialised so that two writers never fork the chain: SQLite takes the database write
lock (a no-op write, before the last entry is read; a transaction that read an older snapshot cannot
write), PostgreSQL `pg_advisory_xact_lock(JOURNAL_LOCK)` — the same lock the triggers of migration
0004 take. The new entry gets `id = last id + 1` under that lock, so ids have no gaps (a sequence
would leave one at each rollback) and a missing entry is a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, insert, select, text

from instructeur.domain.journal_hash import GENESIS, entry_hash
from instructeur.storage.bulk_insert import insert_rows
from instructeur.storage.models import AuditLog

JOURNAL_LOCK = 7_204_611_001  # pg_advisory_xact_lock key of the journal (the one of migration 0004)
_T = cast(Table, AuditLog.__table__)


def append(
    conn: Connection, user: str, entity: str, entity_id: int, action: str, changes: str, at: datetime
) -> None:
    """Insert one chained entry in the connection's transaction (which holds the lock until it ends).
    On PostgreSQL the author is the server's session_user, whatever the client calls itself."""
    txid = None
    if conn.dialect.name == "postgresql":
        # instructeur_journal_head (migration 0004) takes the lock and reads the last entry as the owner
        user, txid, last_id, last_hash = conn.execute(
            text("SELECT session_user, txid_current(), h.* FROM instructeur_journal_head() h")
        ).one()
    else:
        conn.exec_driver_sql("UPDATE audit_log SET id = id WHERE 0")  # takes the write lock, changes nothing
        last_id, last_hash = conn.execute(
            select(_T.c.id, _T.c.hash).order_by(_T.c.id.desc()).limit(1)
        ).first() or (None, None)
    entry_id, prev = (last_id + 1, last_hash) if last_id is not None else (1, GENESIS)
    at = at.replace(tzinfo=None)
    digest = entry_hash(prev, entry_id, at, user, entity, entity_id, action, changes)
    conn.execute(
        insert(_T).values(
            id=entry_id, at=at, utilisateur=user, entity=entity, entity_id=entity_id, action=action,
            changes=changes, prev_hash=prev, hash=digest, txid=txid,
        )
    )


def append_many(conn: Connection, user: str, entries: list[tuple[str, int, str, str]], at: datetime) -> None:
    """Insert (entity, entity_id, action, changes) entries as one run of the chain: the lock and the
    head are taken once (a 20 000-dossier import writes its entries in one statement, not 60 000)."""
    if not entries:
        return
    txid = None
    if conn.dialect.name == "postgresql":
        user, txid, last_id, last_hash = conn.execute(
            text("SELECT session_user, txid_current(), h.* FROM instructeur_journal_head() h")
        ).one()
    else:
        conn.exec_driver_sql("UPDATE audit_log SET id = id WHERE 0")
        last_id, last_hash = conn.execute(
            select(_T.c.id, _T.c.hash).order_by(_T.c.id.desc()).limit(1)
        ).first() or (None, None)
    entry_id, prev = (last_id, last_hash) if last_id is not None else (0, GENESIS)
    at = at.replace(tzinfo=None)
    rows = []
    for entity, entity_id, action, changes in entries:
        entry_id += 1
        digest = entry_hash(prev, entry_id, at, user, entity, entity_id, action, changes)
        rows.append(
            dict(id=entry_id, at=at, utilisateur=user, entity=entity, entity_id=entity_id, action=action,
                 changes=changes, prev_hash=prev, hash=digest, txid=txid)
        )  # fmt: skip
        prev = digest
    insert_rows(conn, _T, rows, ids=False)  # PostgreSQL: one statement (storage/bulk_insert.py)


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    entry_id: int
    at: datetime | None
    entity: str
    entity_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(conn: Connection, batch: int = 2000) -> ChainReport:
    """Recompute every hash in id order: contents, links and coverage (no missing id)."""
    count, prev, expected_id = 0, GENESIS, None
    for row in _rows(conn, batch):
        if expected_id is not None and row.id != expected_id:
            return ChainReport(count, Break(expected_id, None, "", None, "manquante"))
        if row.prev_hash != prev:
            reason = "chaînage rompu (entrée précédente modifiée ou supprimée)"
            return ChainReport(count, Break(row.id, row.at, row.entity, row.entity_id, reason))
        digest = entry_hash(
            prev, row.id, row.at, row.utilisateur, row.entity, row.entity_id, row.action, row.changes
        )
        if row.hash != digest:
            reason = "contenu modifié après coup"
            return ChainReport(count, Break(row.id, row.at, row.entity, row.entity_id, reason))
        count, prev, expected_id = count + 1, row.hash, row.id + 1
    return ChainReport(count, None)


def _rows(conn: Connection, batch: int) -> Iterator[Row[Any]]:
    last = -1
    columns = (_T.c.id, _T.c.at, _T.c.utilisateur, _T.c.entity, _T.c.entity_id, _T.c.action, _T.c.changes,
               _T.c.prev_hash, _T.c.hash)
    while True:
        chunk = conn.execute(select(*columns).where(_T.c.id > last).order_by(_T.c.id).limit(batch)).all()
        if not chunk:
            return
        yield from cast(list[Row[Any]], chunk)
        last = chunk[-1].id



def describe(conn: Connection, report: ChainReport) -> str:
    """One French line: « journal intègre : N entrées, chaîne vérifiée » or the first broken entry."""
    broken = report.broken
    if broken is None:
        return f"journal intègre : {report.count} entrées, chaîne vérifiée"
    if broken.reason == "manquante":
        return f"journal altéré : entrée {broken.entry_id} manquante"
    when = f" du {broken.at:%d/%m/%Y à %H:%M}" if broken.at else ""
    return f"journal altéré : entrée {broken.entry_id}{when} ({_what(conn, broken)}) : {broken.reason}"


def _what(conn: Connection, broken: Break) -> str:
    if broken.entity == "dossier" and broken.entity_id is not None:
        from instructeur.storage.models import Dossier

        numero = conn.execute(select(Dossier.reference).where(Dossier.id == broken.entity_id)).scalar()
        if numero:
            return f"dossier {numero}"
    return f"{broken.entity} {broken.entity_id}"


def problem(conn: Connection) -> str | None:
    """What `check` reports: None when the chain holds."""
    report = verify(conn)
    return None if report.ok else describe(conn, report)
