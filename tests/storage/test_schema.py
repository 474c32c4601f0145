"""The schema on both engines: migrations agree with the models, guards against foreign files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from instructeur.errors import UserError
from instructeur.storage.db import Database, connect, open_database
from instructeur.storage.migrate import current_revision, head_revision, schema_differences
from instructeur.storage.models import Dossier, LigneFinancement
from tests.factories import build_world, create_dossier


def test_migrations_create_exactly_the_models(db: Database) -> None:
    assert current_revision(db) == head_revision()
    assert schema_differences(db) == []


def test_reopening_is_a_no_op(engine_url: str, tmp_path: Path) -> None:
    backups = tmp_path / "sauvegardes"
    open_database(engine_url, backup_dir=backups).close()
    again = open_database(engine_url, backup_dir=backups)
    assert current_revision(again) == head_revision()
    again.close()
    assert not backups.exists()  # nothing to migrate, so no backup either


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(LigneFinancement(dossier_id=999_999, libelle="orpheline", demande_cents=1))


def test_money_is_integer_cents_and_sums_exactly(db: Database) -> None:
    world = build_world(db)
    # 98 765 432,10 €: beyond 2^31 cents (64-bit columns needed), under the default ceiling.
    create_dossier(db, world, cout_total_cents=98_765_432_10, lignes=())
    with db.session() as s:
        s.execute(text("UPDATE dossier SET cout_total_cents = cout_total_cents + 30"))
        total = s.execute(text("SELECT SUM(cout_total_cents) FROM dossier")).scalar_one()
    assert total == 98_765_432_40 and not isinstance(total, float)  # PostgreSQL gives an exact Decimal


def test_check_constraints_refuse_negative_amounts(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(
            text("UPDATE ligne_financement SET demande_cents = -1 WHERE dossier_id = :d"), {"d": dossier_id}
        )


def test_a_newer_schema_is_refused_and_left_untouched(engine_url: str, tmp_path: Path) -> None:
    backups = tmp_path / "sauvegardes"
    open_database(engine_url, backup_dir=backups).close()
    raw = connect(engine_url)
    with raw.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_futur'"))
    raw.close()
    with pytest.raises(UserError, match="version plus récente"):
        open_database(engine_url, backup_dir=backups)
    raw = connect(engine_url)
    assert current_revision(raw) == "9999_futur"
    raw.close()
    assert not backups.exists()  # no backup, no migration attempted


def test_a_database_of_another_application_is_refused(engine_url: str, tmp_path: Path) -> None:
    raw = connect(engine_url)
    with raw.engine.begin() as conn:
        conn.execute(text("CREATE TABLE clients (id INTEGER PRIMARY KEY, nom TEXT)"))
    raw.close()
    with pytest.raises(UserError, match="pas une base Instructeur"):
        open_database(engine_url, backup_dir=tmp_path)


def test_a_file_that_is_not_a_database_is_refused_and_unchanged(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("ceci n'est pas une base\n" * 10, encoding="utf-8")
    before = bogus.read_bytes()
    with pytest.raises(UserError, match="pas une base de données SQLite"):
        open_database(bogus, backup_dir=tmp_path)
    assert bogus.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]


def test_a_truncated_sqlite_file_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite"
    open_database(good, backup_dir=tmp_path).close()
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(good.read_bytes()[:200])
    with pytest.raises(UserError):
        open_database(broken, backup_dir=tmp_path)


def test_an_unreachable_postgresql_server_gives_one_french_line() -> None:
    with pytest.raises(UserError, match="injoignable") as info:
        open_database("postgresql://nobody@127.0.0.1:9/instructeur")
    assert "\n" not in info.value.message


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "p.sqlite", backup_dir=tmp_path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    db.close()


def test_migrating_an_existing_database_backs_it_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database one revision behind is copied (online backup) before the upgrade, data kept."""
    path = tmp_path / "ancienne.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    world = build_world(db)
    create_dossier(db, world)
    db.close()
    raw = connect(path)
    with raw.engine.begin() as conn:  # pretend the schema is one revision older
        conn.execute(text("UPDATE alembic_version SET version_num = 'ancienne'"))
    raw.close()
    import instructeur.storage.migrate as migrate

    calls: list[str] = []
    monkeypatch.setattr(migrate, "known_revisions", lambda: {"ancienne", head_revision()})
    monkeypatch.setattr(migrate, "_run_upgrade", lambda database: calls.append(database.display_name))
    backups = tmp_path / "sauvegardes"
    backups.mkdir()
    db = open_database(path, backup_dir=backups)
    db.close()
    assert calls == [str(path.resolve())]
    (backup,) = backups.glob("*.sqlite")
    copy = connect(backup)
    with copy.session() as s:
        assert s.query(Dossier).count() == 1
    copy.close()
