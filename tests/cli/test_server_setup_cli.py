"""Server set-up and failing backups from the command line: one French line, exit 2, no
traceback, no password, nothing written. `check` never creates nor migrates; `init` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from instructeur.cli.main import main
from instructeur.storage.db import Database, connect, open_database
from tests.factories import build_world, create_dossier
from tests.storage.test_backup_safety import corrupt_data_pages, digest, read_only_folder

INIT_HINT = "base vide : aucune table Instructeur ; créez le schéma avec « instructeur init --db URL »"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def tables(url: str) -> list[str]:
    db = connect(url)
    try:
        with db.engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        db.close()


@pytest.fixture
def server_url(pg_server) -> str:  # type: ignore[no-untyped-def]
    url: str = pg_server.create_database()
    return url


def with_password(url: str) -> str:
    """The same URL with a password (the test server trusts local logins and ignores it)."""
    return url.replace("postgres@", "postgres:TresSecret42@")


# --- an empty server base is never filled by surprise ----------------------------------------


@pytest.mark.postgres
def test_check_and_other_commands_on_an_empty_server_base_say_init(
    capsys: pytest.CaptureFixture[str], server_url: str
) -> None:
    url = with_password(server_url)
    for argv in (["check"], ["campagnes", "list"], ["backup", "-o", "/tmp/x.sqlite"], ["contrats", "list"]):
        code, _, err = run(capsys, "--db", url, *argv)
        line = one_line(err)
        assert code == 2, argv
        assert line.endswith(INIT_HINT), line
        assert "TresSecret42" not in line and "***" in line
    assert tables(server_url) == []  # nothing was created

    code, out, _ = run(capsys, "init", "--db", url)
    assert code == 0 and "schéma Instructeur créé" in out and "TresSecret42" not in out
    assert "dossier" in tables(server_url)
    code, out, _ = run(capsys, "check", "--db", url)
    assert code == 0 and "base saine" in out
    code, out, _ = run(capsys, "init", "--db", url)
    assert code == 0 and "déjà à jour" in out


@pytest.mark.postgres
def test_init_refuses_a_foreign_database(capsys: pytest.CaptureFixture[str], server_url: str) -> None:
    db = connect(server_url)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE clients (id integer primary key)"))
    db.close()
    code, _, err = run(capsys, "init", "--db", server_url)
    assert code == 2
    assert "tables qui ne sont pas d'Instructeur ; rien n'a été créé" in one_line(err)
    assert tables(server_url) == ["clients"]


def test_check_on_an_older_schema_says_a_migration_is_due_without_migrating(
    capsys: pytest.CaptureFixture[str], engine_url: str
) -> None:
    from alembic import command

    from instructeur.storage.migrate import alembic_config, current_revision, head_revision

    old = connect(engine_url)
    with old.engine.connect() as conn:
        if old.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        command.upgrade(alembic_config(conn), "0001")
        conn.commit()
    old.close()
    code, _, err = run(capsys, "check", "--db", engine_url)
    assert code == 2
    assert f"schéma 0001 : une migration vers {head_revision()} est due (rien n'a été modifié" in one_line(err)
    again = connect(engine_url)
    try:
        assert current_revision(again) == "0001"
    finally:
        again.close()


def test_check_on_an_empty_sqlite_file_creates_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "vide.sqlite"
    path.touch()
    code, _, err = run(capsys, "check", "--db", str(path))
    assert code == 2 and one_line(err).endswith(INIT_HINT)
    assert path.stat().st_size == 0
    code, _, err = run(capsys, "check", "--db", str(tmp_path / "absente.sqlite"))
    assert code == 2 and "base introuvable" in one_line(err)
    assert not (tmp_path / "absente.sqlite").exists()


# --- demo create on a server ----------------------------------------------------------------


@pytest.mark.postgres
def test_demo_create_on_an_empty_server_base_masks_the_password(
    capsys: pytest.CaptureFixture[str], server_url: str
) -> None:
    url = with_password(server_url)
    code, out, err = run(capsys, "demo", "create", url, "--dossiers", "3")
    assert code == 0, err
    assert "TresSecret42" not in out + err
    assert out.startswith(f"Base de démonstration créée : {url.replace('TresSecret42', '***')} — 3 dossiers")
    assert not Path(url.split("://", 1)[1]).exists() and not Path("postgresql+psycopg:").exists()
    code, out, _ = run(capsys, "check", "--db", url)
    assert code == 0 and "3 dossiers" in out
    # A second time: the base is not empty, refused without touching it.
    db = connect(server_url)
    before = digest(db)
    db.close()
    code, _, err = run(capsys, "demo", "create", url, "--dossiers", "3")
    line = one_line(err)
    assert code == 2 and "n'est pas vide" in line and "TresSecret42" not in line
    db = connect(server_url)
    assert digest(db) == before
    db.close()


# --- backup and restore that cannot be done -------------------------------------------------


@pytest.fixture
def base(engine_url: str, tmp_path: Path) -> str:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    for n in range(12):
        create_dossier(db, world, reference=f"26-{n:06d}")
    db.close()
    return engine_url


def _digest(url: str) -> str:
    db: Database = connect(url)
    try:
        return digest(db)
    finally:
        db.close()


def test_restore_of_a_damaged_backup_exit_2_no_safety_copy(
    capsys: pytest.CaptureFixture[str], base: str, tmp_path: Path
) -> None:
    good = tmp_path / "bonne.sqlite"
    assert run(capsys, "--db", base, "backup", "-o", str(good))[0] == 0
    bad = tmp_path / "abimee.sqlite"
    bad.write_bytes(good.read_bytes())
    corrupt_data_pages(bad)
    before = _digest(base)
    backups = Path(os.environ["INSTRUCTEUR_DATA_DIR"]) / "sauvegardes"
    existing = set(backups.iterdir()) if backups.exists() else set()

    code, out, err = run(capsys, "--db", base, "restore", str(bad))
    assert code == 2 and out == ""
    assert one_line(err).startswith(f"instructeur : restauration refusée : la sauvegarde {bad} est endommagée")
    assert _digest(base) == before
    assert (set(backups.iterdir()) if backups.exists() else set()) == existing


def test_backup_into_a_read_only_folder_exit_2(
    capsys: pytest.CaptureFixture[str], base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lecture_seule"
    folder.mkdir()
    before = _digest(base)
    with read_only_folder(folder, monkeypatch):
        code, _, err = run(capsys, "--db", base, "backup", "-o", str(folder / "copie.sqlite"))
    assert code == 2
    assert one_line(err) == (
        f"instructeur : sauvegarde impossible : écriture impossible dans {folder} (dossier en lecture seule ou interdit)"
    )
    assert list(folder.iterdir()) == [] and _digest(base) == before


def test_full_disk_during_backup_exit_2(
    capsys: pytest.CaptureFixture[str], base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from instructeur.storage import backup as backup_module

    def full(db: Database, tmp: Path) -> None:
        tmp.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(backup_module, "_write", full)
    target = tmp_path / "copie.sqlite"
    code, _, err = run(capsys, "--db", base, "backup", "-o", str(target))
    assert code == 2
    assert one_line(err) == (
        f"instructeur : sauvegarde impossible : disque plein : {target} (libérez de la place ; rien n'a été écrit)"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copie")) == []
