"""Online backup, restore across engines, integrity check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from instructeur.errors import UserError
from instructeur.storage.backup import backup_to, check_database, restore_from
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Dossier, LigneFinancement, Transition
from tests.factories import build_world, create_dossier


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Dossier)) or 0,
            s.scalar(select(func.count()).select_from(LigneFinancement)) or 0,
            s.scalar(select(func.count()).select_from(Transition)) or 0,
        )


def test_backup_while_open_then_restore_into_a_fresh_database(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    for n in range(5):
        create_dossier(db, world, reference=f"26-{n:06d}")
    expected = _counts(db)
    target = backup_to(db, tmp_path / "copie.sqlite")  # the source stays open (WAL on SQLite)

    fresh = open_database(tmp_path / "neuve.sqlite", backup_dir=tmp_path)
    restore_from(fresh, target)
    assert _counts(fresh) == expected
    assert check_database(fresh).ok
    # Identifiers keep working after a restore (PostgreSQL sequences are moved past the copied ids).
    create_dossier(fresh, world, reference="26-999999")
    fresh.close()


def test_restore_from_sqlite_backup_into_this_engine(db: Database, tmp_path: Path) -> None:
    source = open_database(tmp_path / "source.sqlite", backup_dir=tmp_path)
    world = build_world(source)
    create_dossier(source, world)
    backup = backup_to(source, tmp_path / "sauvegarde.sqlite")
    source.close()
    restore_from(db, backup)
    assert _counts(db) == (1, 3, 1)
    new_id = create_dossier(db, world, reference="26-000002")
    assert new_id > 1
    assert check_database(db).ok


def test_backup_refuses_to_overwrite(db: Database, tmp_path: Path) -> None:
    existing = tmp_path / "existe.sqlite"
    existing.write_bytes(b"x")
    with pytest.raises(UserError, match="existe déjà"):
        backup_to(db, existing)
    assert existing.read_bytes() == b"x"


def test_restore_refuses_a_foreign_file_and_keeps_data(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    create_dossier(db, world)
    bogus = tmp_path / "photo.sqlite"
    bogus.write_bytes(b"\x89PNG" + b"\x00" * 100)
    with pytest.raises(UserError):
        restore_from(db, bogus)
    assert _counts(db)[0] == 1


def test_check_finds_broken_references_on_sqlite(tmp_path: Path) -> None:
    db = open_database(tmp_path / "c.sqlite", backup_dir=tmp_path)
    world = build_world(db)
    create_dossier(db, world)
    assert check_database(db).ok
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(text("UPDATE ligne_financement SET dossier_id = 4242"))
        conn.commit()
    report = check_database(db)
    assert not report.ok
    assert any("ligne_financement" in p for p in report.problems)
    db.close()
