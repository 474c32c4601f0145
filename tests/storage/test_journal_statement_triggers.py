"""Migration 0006 on a real PostgreSQL server: the journal's triggers fire once per statement
(transition tables) yet still write one chained entry per changed row, in the rows' order, with
the diffs the row triggers of 0004 wrote; the downgrade brings the row triggers back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from instructeur.storage import journal_chain
from instructeur.storage.db import Database, open_database
from tests.factories import build_world, create_dossier

pytestmark = pytest.mark.postgres

TRIGGERED_TABLES = 10  # migration 0004's TRIGGERED


def _psql(pg_server: Any, db: Database, *statements: str) -> list[Any]:
    """Statements made outside the application (one transaction, as the owner `postgres`)."""
    out = []
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname=db.url.database) as c:
        for statement in statements:
            cur = c.execute(statement)
            out.append(cur.fetchall() if cur.description else cur.rowcount)
    return out


def _entries_after(db: Database, last: int) -> list[tuple[int, str, int, str, Any]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, entity, entity_id, action, changes, utilisateur FROM audit_log WHERE id > :i ORDER BY id"),
            {"i": last},
        ).all()
    assert all(r.utilisateur == "postgres" for r in rows)
    return [(r.id, r.entity, r.entity_id, r.action, json.loads(r.changes)) for r in rows]


def _journal_triggers(db: Database) -> dict[str, int]:
    """Journal triggers of the tables → tgtype (bit 0 set = FOR EACH ROW)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.tgname, t.tgtype FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE p.proname IN ('instructeur_journal_row', 'instructeur_journal_statement')"
            )
        ).all()
    return {r.tgname: r.tgtype for r in rows}


def _last_id(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def _verify_ok(db: Database) -> None:
    with db.engine.connect() as conn:
        report = journal_chain.verify(conn)
    assert report.ok, report


@pytest.fixture
def pgdb(pg_server: Any, tmp_path: Path) -> Any:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        world = build_world(db)
        yield db, create_dossier(db, world, "26-000123")
    finally:
        db.close()
        pg_server.drop_database(url)


def test_triggers_are_statement_level_one_per_operation(pgdb: Any) -> None:
    db, _ = pgdb
    triggers = _journal_triggers(db)
    assert len(triggers) == 3 * TRIGGERED_TABLES
    assert {"dossier_journal_ins", "dossier_journal_upd", "dossier_journal_del"} <= set(triggers)
    assert all(tgtype & 1 == 0 for tgtype in triggers.values())  # TRIGGER_TYPE_ROW unset


def test_multi_row_statements_give_one_entry_per_row_in_order(pg_server: Any, pgdb: Any) -> None:
    db, did = pgdb
    before = _last_id(db)
    (inserted, *_) = _psql(
        pg_server, db,
        "INSERT INTO ligne_financement (dossier_id, libelle, demande_cents, position) VALUES "
        f"({did}, 'A', 100, 10), ({did}, 'B', 200, 11), ({did}, 'C', 300, 12) RETURNING id",
    )  # fmt: skip
    ids = [r[0] for r in inserted]
    in_list = ", ".join(map(str, ids))
    _psql(
        pg_server, db,
        # old and new rows paired right: each line's new amount is its own old one + its position
        f"UPDATE ligne_financement SET demande_cents = demande_cents + position WHERE id IN ({in_list})",
        f"UPDATE ligne_financement SET libelle = libelle WHERE id IN ({in_list})",  # nothing changes: no entry
        f"DELETE FROM ligne_financement WHERE id IN ({in_list})",
    )  # fmt: skip
    entries = _entries_after(db, before)
    assert [e[0] for e in entries] == list(range(before + 1, before + 10))  # no gap
    assert [(e[1], e[2], e[3]) for e in entries] == (
        [("ligne_financement", i, "sql:insert") for i in ids]
        + [("ligne_financement", i, "sql:update") for i in ids]
        + [("ligne_financement", i, "sql:delete") for i in ids]
    )
    assert entries[0][4] == {"id": ids[0], "dossier_id": did, "libelle": "A", "demande_cents": 100, "position": 10}
    assert [e[4] for e in entries[3:6]] == [
        {"demande_cents": [100, 110]}, {"demande_cents": [200, 211]}, {"demande_cents": [300, 312]}
    ]
    assert all(e[4] == {} for e in entries[6:])
    _verify_ok(db)  # Python's hash agrees with what the statement trigger chained


def test_quiet_columns_alone_write_nothing_and_restore_bypass_holds(pg_server: Any, pgdb: Any) -> None:
    db, did = pgdb
    before = _last_id(db)
    _psql(pg_server, db, f"UPDATE dossier SET version = version + 1, updated_by = 'x' WHERE id = {did}")
    assert _entries_after(db, before) == []
    _psql(
        pg_server, db, "SET LOCAL instructeur.restauration = 'on'",
        f"UPDATE dossier SET intitule = 'restauré' WHERE id = {did}",
    )  # fmt: skip
    assert _entries_after(db, before) == []  # the owner's restore replaces the journal itself


def test_downgrade_restores_row_triggers_and_upgrade_comes_back(pg_server: Any, pgdb: Any) -> None:
    from alembic import command

    from instructeur.storage.migrate import alembic_config

    db, did = pgdb
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    triggers = _journal_triggers(db)
    assert len(triggers) == TRIGGERED_TABLES and all(t & 1 for t in triggers.values())
    before = _last_id(db)
    _psql(pg_server, db, f"UPDATE dossier SET intitule = 'par ligne' WHERE id = {did}")
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    _psql(pg_server, db, f"UPDATE dossier SET intitule = 'par instruction' WHERE id = {did}")
    entries = _entries_after(db, before)
    # the same entry whichever trigger wrote it
    assert [(e[1], e[2], e[3]) for e in entries] == [("dossier", did, "sql:update")] * 2
    assert entries[1][4] == {"intitule": ["par ligne", "par instruction"]}
    assert list(entries[0][4]) == ["intitule"]
    assert len(_journal_triggers(db)) == 3 * TRIGGERED_TABLES
    _verify_ok(db)


def test_0007_writes_the_same_entries_as_0006(pg_server: Any, pgdb: Any) -> None:
    """Migration 0007's faster trigger: the same `changes` text, byte for byte, and a chain that verifies."""
    from alembic import command

    from instructeur.storage.migrate import alembic_config

    db, did = pgdb
    statements = (
        "INSERT INTO ligne_financement (dossier_id, libelle, demande_cents, position) VALUES "
        f"({did}, 'Ville « été »', 100, 20), ({did}, 'B', 200, 21) RETURNING id",
        f"UPDATE ligne_financement SET demande_cents = demande_cents + 1 WHERE dossier_id = {did} AND position >= 20",
        f"DELETE FROM ligne_financement WHERE dossier_id = {did} AND position >= 20",
    )

    def changes_after(before: int) -> list[tuple[str, str, str]]:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT entity, action, changes FROM audit_log WHERE id > :i ORDER BY id"), {"i": before}
            ).all()
        return [(r.entity, r.action, r.changes) for r in rows]

    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    before = _last_id(db)
    _psql(pg_server, db, *statements)
    by_0006 = changes_after(before)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    before = _last_id(db)
    _psql(pg_server, db, *statements)
    by_0007 = changes_after(before)
    assert len(by_0007) == 6

    def without_ids(entries: list[tuple[str, str, str]]) -> list[tuple[str, str, Any]]:
        out = []
        for entity, action, changes in entries:
            data = json.loads(changes)
            data.pop("id", None)  # the new lines' ids differ from one run to the other
            out.append((entity, action, data))
        return out

    assert without_ids(by_0007) == without_ids(by_0006)
    # updates and deletes: the text itself
    assert [c for _, _, c in by_0007[2:]] == [c for _, _, c in by_0006[2:]]
    _verify_ok(db)
