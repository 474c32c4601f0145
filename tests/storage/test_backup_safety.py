"""Backups and restores that refuse damaged sources and failing disks, and files only their owner
may read. On both engines: the base is SQLite or PostgreSQL, a backup is always an SQLite file."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from instructeur.errors import UserError
from instructeur.storage import backup as backup_module
from instructeur.storage.backup import backup_to, restore_from
from instructeur.storage.db import Database, connect, open_database
from instructeur.storage.models import AuditLog, Base
from tests.factories import build_world, create_dossier

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(db: Database) -> str:
    """Every row of every table, in primary-key order: « nothing changed » means the same digest."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def corrupt_data_pages(path: Path, table: str = "dossier") -> None:
    """Overwrite the cell area of the table's leaf pages (never page 1, so the header is intact)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    pages = [p for (p,) in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", [table])]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    assert pages and 1 not in pages
    with path.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * size + size // 2)
            fh.write(b"\xff" * (size // 2))


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


@contextmanager
def read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A folder one may not write into. chmod does not stop root (CI runs tests as root): then
    creating a file there fails as on a read-only file system (EROFS), at os.open."""
    if not IS_ROOT:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if flags & os.O_CREAT and Path(path).resolve().parent == folder.resolve():
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(os, "open", refusing_open)
        yield


@pytest.fixture
def filled(db: Database) -> Database:
    world = build_world(db)
    for n in range(12):
        create_dossier(db, world, reference=f"26-{n:06d}")
    return db


# --- refused damaged sources ----------------------------------------------------------------


def test_restore_refuses_a_backup_with_damaged_data_pages_and_writes_no_safety_copy(
    filled: Database, tmp_path: Path
) -> None:
    good = backup_to(filled, tmp_path / "bonne.sqlite")
    bad = tmp_path / "abimee.sqlite"
    bad.write_bytes(good.read_bytes())
    corrupt_data_pages(bad)
    assert bad.read_bytes()[:16] == b"SQLite format 3\x00"  # the header is intact
    before = digest(filled)
    safety = tmp_path / "securite"
    safety.mkdir()

    with pytest.raises(UserError) as refused:
        restore_from(filled, bad, safety_dir=safety)

    message = refused.value.message
    assert message.startswith(f"restauration refusée : la sauvegarde {bad} est endommagée (integrity_check : ")
    assert "\n" not in message
    assert list(safety.iterdir()) == []  # no safety copy
    assert digest(filled) == before  # nothing changed
    # The intact backup still restores, and the restore is journaled.
    restore_from(filled, good, safety_dir=safety)
    assert digest(filled) != before  # the journal line was added
    assert len(list(safety.iterdir())) == 1


def test_restore_adds_a_journal_line_what_from_where_by_whom(filled: Database, tmp_path: Path) -> None:
    good = backup_to(filled, tmp_path / "copie.sqlite")
    safety = restore_from(filled, good, safety_dir=tmp_path)
    with filled.session() as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
    assert (last.entity, last.action) == ("base", "restore")
    changes = json.loads(last.changes)
    assert changes["fichier"] == str(good)
    assert changes["copie_de_securite"] == str(safety)
    assert changes["schema_sauvegarde"]
    assert last.utilisateur
    if not filled.is_sqlite:  # the server's login (session_user), not a name the client chose
        assert last.utilisateur == "postgres"
    from instructeur.storage.backup import check_database

    report = check_database(filled)  # the journal's hash chain covers the restore line
    assert report.ok, report.problems


def test_backup_refuses_a_damaged_sqlite_base(tmp_path: Path) -> None:
    path = tmp_path / "base.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    world = build_world(db)
    for n in range(12):
        create_dossier(db, world, reference=f"26-{n:06d}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    corrupt_data_pages(path)
    damaged = connect(path)
    try:
        with pytest.raises(UserError) as refused:
            backup_to(damaged, tmp_path / "copie.sqlite")
    finally:
        damaged.close()
    assert refused.value.message.startswith(f"sauvegarde refusée : la base {path} est endommagée (quick_check : ")
    assert "\n" not in refused.value.message
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copie")) == []


# --- failing disks ---------------------------------------------------------------------------


def test_full_disk_during_backup_is_one_line_and_leaves_no_file(
    filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite itself runs out of room (max_page_count: its real SQLITE_FULL « database or disk is
    full »), in the backup API (SQLite source) or in the table copy (PostgreSQL source)."""
    real_target, real_connect = backup_module._sqlite_target, backup_module.connect

    def tiny_target(path: Path) -> sqlite3.Connection:
        con = real_target(path)
        con.execute("PRAGMA max_page_count = 3")
        return con

    def tiny_connect(path: Path) -> Database:
        target = real_connect(path)
        event.listen(target.engine, "connect", lambda c, _r: c.execute("PRAGMA max_page_count = 40"))
        target.engine.dispose()  # the next connection gets the limit
        return target

    monkeypatch.setattr(backup_module, "_sqlite_target", tiny_target)
    monkeypatch.setattr(backup_module, "connect", tiny_connect)
    out = tmp_path / "sorties"
    out.mkdir()
    with pytest.raises(UserError) as refused:
        backup_to(filled, out / "copie.sqlite")
    assert refused.value.message == (
        f"sauvegarde impossible : disque plein : {out / 'copie.sqlite'} (libérez de la place ; rien n'a été écrit)"
    )
    assert list(out.iterdir()) == []  # no partial file, no -journal


def test_backup_into_a_read_only_folder_is_one_line_and_leaves_no_file(
    filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lecture_seule"
    folder.mkdir()
    with read_only_folder(folder, monkeypatch), pytest.raises(UserError) as refused:
        backup_to(filled, folder / "copie.sqlite")
    assert refused.value.message == (
        f"sauvegarde impossible : écriture impossible dans {folder} (dossier en lecture seule ou interdit)"
    )
    assert list(folder.iterdir()) == []


def test_restore_with_a_read_only_safety_folder_changes_nothing(
    filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = backup_to(filled, tmp_path / "copie.sqlite")
    with filled.engine.begin() as conn:  # the base now differs from the backup
        conn.execute(text("UPDATE dossier SET intitule = 'changé après la copie' WHERE id = (SELECT MIN(id) FROM dossier)"))
    before = digest(filled)
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    with read_only_folder(folder, monkeypatch), pytest.raises(UserError) as refused:
        restore_from(filled, good, safety_dir=folder)
    assert refused.value.message.startswith("restauration refusée : copie de sécurité impossible : ")
    assert "lecture seule" in refused.value.message and "\n" not in refused.value.message
    assert list(folder.iterdir()) == []
    assert digest(filled) == before


# --- private files ------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_new_base_backups_and_data_folder_are_private(
    umask: int, filled: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from instructeur.paths import backups_dir, data_dir

    previous = os.umask(umask)
    try:
        monkeypatch.setenv("INSTRUCTEUR_DATA_DIR", str(tmp_path / "donnees"))
        assert mode(data_dir()) == 0o700
        assert mode(backups_dir()) == 0o700

        new = open_database(tmp_path / "neuve.sqlite", backup_dir=tmp_path)
        build_world(new)  # writes: the -wal and -shm files exist now
        for suffix in ("", "-wal", "-shm"):
            assert mode(tmp_path / f"neuve.sqlite{suffix}") == 0o600, suffix
        new.close()

        copy = backup_to(filled, tmp_path / "copie.sqlite")
        assert mode(copy) == 0o600
        safety = restore_from(filled, copy, safety_dir=backups_dir())
        assert safety is not None and mode(safety) == 0o600
    finally:
        os.umask(previous)


def test_migration_backup_copy_is_private(engine_url: str, tmp_path: Path) -> None:
    from alembic import command

    from instructeur.storage.migrate import alembic_config

    previous = os.umask(0)
    try:
        old = connect(engine_url)
        with old.engine.connect() as conn:
            if old.is_sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            command.upgrade(alembic_config(conn), "0001")
            conn.commit()
        old.close()
        backups = tmp_path / "avant_migration"
        backups.mkdir()
        open_database(engine_url, backup_dir=backups).close()
        (made,) = list(backups.iterdir())
        assert mode(made) == 0o600
    finally:
        os.umask(previous)


# --- the same on a real small / read-only file system, where the machine allows mounting -----


@contextmanager
def small_tmpfs(where: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    import shutil
    import subprocess

    where.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if shutil.which("mount") is None or not IS_ROOT:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"tmpfs not available here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_real_full_disk_and_real_read_only_file_system(filled: Database, tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "petit", "64k") as small:
        with pytest.raises(UserError) as refused:
            backup_to(filled, small / "copie.sqlite")
        assert refused.value.message.startswith("sauvegarde impossible : disque plein : ")
        assert list(small.iterdir()) == []
    with small_tmpfs(tmp_path / "ro", "1m", read_only=True) as ro:
        with pytest.raises(UserError) as refused:
            backup_to(filled, ro / "copie.sqlite")
        assert refused.value.message == (
            f"sauvegarde impossible : écriture impossible dans {ro} (dossier en lecture seule ou interdit)"
        )
        before = digest(filled)
        good = backup_to(filled, tmp_path / "bonne.sqlite")
        with pytest.raises(UserError) as refused:
            restore_from(filled, good, safety_dir=ro)
        assert refused.value.message.startswith("restauration refusée : copie de sécurité impossible : ")
        assert digest(filled) == before
