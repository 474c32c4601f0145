"""The journal's hash chain on both engines: appends chain, tampering and gaps are found, the
PostgreSQL triggers journal a psql change (by session_user) and the journal cannot be rewritten
by a role that does not own it."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text

from instructeur.cli.main import main
from instructeur.domain.journal_hash import canonical, entry_hash
from instructeur.services import audit
from instructeur.storage import journal_chain
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import AuditLog, LigneFinancement
from tests.factories import build_world, create_dossier


@pytest.fixture
def jdb(engine_url: str, tmp_path: Path) -> Any:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    create_dossier(db, world, "26-000123")
    yield db, engine_url
    db.close()


def _verify(db: Database) -> journal_chain.ChainReport:
    with db.engine.connect() as conn:
        return journal_chain.verify(conn)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _raw(db: Database, sql: str, **params: Any) -> None:
    """A change made outside the application, as the database owner."""
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_canonical_form_separates_fields_and_is_stable() -> None:
    at = datetime(2026, 12, 3, 10, 15, 0, 120)
    assert canonical("", 1, at, "u", "dossier", 7, "update", "{}") == (
        "0:|1:1|26:2026-12-03T10:15:00.000120|1:u|7:dossier|1:7|6:update|2:{}"
    )
    base = entry_hash("", 1, at, "ab", "c", 1, "x", "{}")
    assert base == entry_hash("", 1, at, "ab", "c", 1, "x", "{}")
    assert base != entry_hash("", 1, at, "a", "bc", 1, "x", "{}")  # no borrowing across fields
    assert base != entry_hash("", 2, at, "ab", "c", 1, "x", "{}")


def test_clean_journal_verifies_and_cli_says_so(jdb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db, url = jdb
    report = _verify(db)
    assert report.ok and report.count > 3
    code, out = _cli(capsys, "journal", "verifier", "--db", url)
    assert code == 0
    assert f"journal intègre : {report.count} entrées, chaîne vérifiée" in out


def test_tampered_changes_are_found_by_verifier_and_check(jdb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db, url = jdb
    with db.session() as s:
        target = s.scalars(
            select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.action == "create")
        ).first()
        assert target is not None
        target_id, at = target.id, target.at
    _raw(db, "UPDATE audit_log SET changes = '{\"montant\": 1}' WHERE id = :i", i=target_id)
    code, out = _cli(capsys, "journal", "verifier", "--db", url)
    assert code == 2 and "Traceback" not in out
    assert f"entrée {target_id} du {at:%d/%m/%Y à %H:%M} (dossier 26-000123) : contenu modifié après coup" in out
    code, out = _cli(capsys, "check", "--db", url)
    assert code == 1 and f"entrée {target_id}" in out and "saine" not in out


def test_deleted_entry_is_a_gap(jdb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    db, url = jdb
    _raw(db, "DELETE FROM audit_log WHERE id = 3")
    code, out = _cli(capsys, "journal", "verifier", "--db", url)
    assert code == 2 and "entrée 3 manquante" in out


def test_rewritten_chain_link_is_found(jdb: Any) -> None:
    """Recomputing one entry's own hash is not enough: the next entry's link breaks."""
    db, _ = jdb
    with db.engine.connect() as conn:
        row = conn.execute(select(AuditLog.__table__).where(AuditLog.id == 2)).one()
    forged = entry_hash(row.prev_hash, 2, row.at, "faussaire", row.entity, row.entity_id, row.action, row.changes)
    _raw(db, "UPDATE audit_log SET utilisateur = 'faussaire', hash = :h WHERE id = 2", h=forged)
    broken = _verify(db).broken
    assert broken is not None and broken.entry_id == 3 and "chaînage rompu" in broken.reason


def test_concurrent_writers_never_fork_the_chain(jdb: Any) -> None:
    db, _ = jdb
    before = _verify(db).count
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with db.session() as s:
                    audit.record(s, f"w{n}", "essai", i, "update", {"i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = _verify(db)
    assert report.ok and report.count == before + 45


@pytest.mark.postgres
def test_psql_change_is_journaled_by_trigger_and_chain_still_verifies(pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        world = build_world(db)
        create_dossier(db, world, "26-000123")
        with db.session() as s:
            ligne = s.scalars(select(LigneFinancement)).first()
            assert ligne is not None
            ligne_id, old = ligne.id, ligne.vote_cents
        with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname=db.url.database) as c:
            c.execute("UPDATE ligne_financement SET vote_cents = 999900 WHERE id = %s", (ligne_id,))
        with db.session() as s:
            last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
            assert last is not None
            assert (last.entity, last.entity_id, last.action) == ("ligne_financement", ligne_id, "sql:update")
            assert last.utilisateur == "postgres"  # the server's session_user
            assert json.loads(last.changes) == {"vote_cents": [old, 999900]}  # only what changed, old → new
        assert _verify(db).ok  # Python verifies what PL/pgSQL wrote
        with db.session() as s:  # the app's own entries: session_user too, whatever the client says
            audit.record(s, "nom choisi par le client", "essai", 1, "update", {})
        with db.session() as s:
            last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
            assert last is not None and last.utilisateur == "postgres"
        assert _verify(db).ok
    finally:
        db.close()
        pg_server.drop_database(url)


@pytest.mark.postgres
def test_non_owner_cannot_rewrite_the_journal(pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    role = f"j_{uuid.uuid4().hex[:8]}"
    dbname = db.url.database
    try:
        build_world(db)
        _raw(db, f"CREATE ROLE {role} LOGIN")
        # even an explicit grant does not help: the trigger refuses whoever is not the owner
        _raw(db, f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_log TO {role}")
        for statement in (
            "UPDATE audit_log SET changes = '{}' WHERE id = 1",
            "DELETE FROM audit_log WHERE id = 1",
            "TRUNCATE audit_log",
        ):
            with (
                psycopg.connect(host="127.0.0.1", port=pg_server.port, user=role, dbname=dbname) as c,
                pytest.raises(psycopg.errors.InsufficientPrivilege),
            ):
                c.execute(statement)
        assert _verify(db).ok
    finally:
        db.close()
        pg_server.drop_database(url)
        with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname="postgres",
                             autocommit=True) as c:
            c.execute(f"DROP ROLE IF EXISTS {role}")


def test_migration_chains_existing_entries(tmp_path: Path) -> None:
    """A 0003 database with a gap in its ids: 0004 renumbers and chains, in id order."""
    from alembic import command

    from instructeur.storage.db import connect
    from instructeur.storage.migrate import alembic_config

    db = connect(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
            for i in (1, 2, 5):
                conn.execute(
                    text(
                        "INSERT INTO audit_log (id, at, utilisateur, entity, entity_id, action, changes) "
                        "VALUES (:i, :at, 'ancien', 'dossier', :i, 'update', '{\"n\": 1}')"
                    ),
                    {"i": i, "at": f"2025-01-0{i} 10:00:00.000000"},
                )
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        report = _verify(db)
        assert report.ok and report.count == 3
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT max(id) FROM audit_log")).scalar() == 3
    finally:
        db.close()


@pytest.mark.postgres
def test_historique_shows_psql_changes_once_and_app_changes_in_french(pg_server: Any, tmp_path: Path) -> None:
    from instructeur.services.fiche import FicheService

    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        world = build_world(db)
        did = create_dossier(db, world, "26-000123")
        app_rows = FicheService(db).journal(did)
        assert not [r for r in app_rows if r.action == "Modification hors application"]  # app's own: no duplicate
        with db.session() as s:
            ligne_id = s.scalars(select(LigneFinancement.id).where(LigneFinancement.dossier_id == did)).first()
        with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname=db.url.database) as c:
            c.execute("UPDATE ligne_financement SET vote_cents = 999900 WHERE id = %s", (ligne_id,))
        rows = [r for r in FicheService(db).journal(did) if r.action == "Modification hors application"]
        assert len(rows) == 1 and rows[0].utilisateur == "postgres"
        assert "plan de financement : modification hors application" in rows[0].text
        assert "9 999,00" in rows[0].text.replace("\u202f", " ").replace("\xa0", " ")
        assert "{" not in rows[0].text
    finally:
        db.close()
        pg_server.drop_database(url)
