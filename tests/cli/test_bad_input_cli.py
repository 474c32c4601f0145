"""Issue 10's bad-input list through the CLI, on both engines: each case is exit 2, a few French
lines on stderr, no « Traceback », no password, and the database digest is unchanged."""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, inspect, select, table, text

from instructeur.cli.main import main
from instructeur.storage.db import open_database
from instructeur.storage.urls import display_url
from tests.factories import World, build_world
from tests.imports import hostile
from tests.imports.test_dossiers_import import messy_rows, write_csv

SECRET = "s3cret-Pw"


@pytest.fixture
def base(engine_url: str, tmp_path: Path) -> tuple[str, World]:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    db.close()
    return engine_url, world


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.zip_bomb_xlsx(tmp_path_factory.mktemp("bomb"))


def digest(url: str) -> str:
    """SHA-256 of every row of every table (a dump, in a stable order)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    h = hashlib.sha256()
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            for name in sorted(insp.get_table_names()):
                h.update(name.encode())
                # Sorted in Python: some column types (json) cannot be ordered by the server.
                for row in sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{name}"'))):
                    h.update(row.encode())
    finally:
        engine.dispose()
    return h.hexdigest()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Exit code and everything printed; stderr last (the lines that explain the refusal)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + "\n--- stderr ---\n" + err


def assert_refused(code: int, output: str, *, lines: int = 1) -> list[str]:
    assert code == 2, output
    assert "Traceback" not in output and SECRET not in output
    err_lines = [line for line in output.split("--- stderr ---\n", 1)[1].splitlines() if line.strip()]
    assert 1 <= len(err_lines) <= lines, output
    return err_lines


def _csv(tmp_path: Path, name: str, intitule: str = "Atelier", montant: str = "500") -> Path:
    row = messy_rows(fixed=True, csv_text=True)[0][:]
    row[3], row[5] = intitule, montant
    return write_csv(tmp_path / name, [[str(v) if v is not None else "" for v in row]], encoding="utf-8")


HOSTILE = {
    "xxe": (hostile.xxe_xlsx, "xxe.xlsx contient des déclarations XML interdites (entités)"),
    "rires": (hostile.laughs_xlsx, "rires.xlsx contient des déclarations XML interdites (entités)"),
}


@pytest.mark.parametrize("command", ["dossiers", "qpv", "notation"])
@pytest.mark.parametrize("kind", ["xxe", "rires", "bombe", "faux"])
def test_hostile_xlsx_every_reader(
    base: tuple[str, World], tmp_path: Path, bomb: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    url, world = base
    if kind == "bombe":
        path, reason = bomb, "bombe.xlsx est trop volumineux une fois décompressé"
    elif kind == "faux":
        path = tmp_path / "faux.xlsx"
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
        reason = "faux.xlsx n'est pas un classeur Excel (.xlsx) valide"
    else:
        make, reason = HOSTILE[kind]
        path = make(tmp_path)
    before = digest(url)
    scope = ["--contrat", str(world.contrat_id)] if command == "qpv" else ["--campagne", str(world.campagne_id)]
    code, output = run(capsys, "--db", url, "import", command, str(path), *scope)
    (line,) = assert_refused(code, output)
    assert line.startswith(f"instructeur : fichier refusé : {reason}")
    assert digest(url) == before


def test_csv_cell_over_the_field_limit(base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, world = base
    path = _csv(tmp_path, "fichier.csv", intitule="x" * 140_000)
    before = digest(url)
    code, output = run(capsys, "--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id))
    (line,) = assert_refused(code, output)
    # Row 1 is the title, 2 is empty, 3 the headers (write_csv): the data row is line 4.
    assert line == "instructeur : fichier.csv, ligne 4 : cellule trop longue (plus de 131\u00a0072 caractères)"
    assert digest(url) == before


def test_amount_of_10_power_17(base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, world = base
    path = _csv(tmp_path, "montants.csv", montant="100000000000000000")
    before = digest(url)
    code, output = run(capsys, "--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id))
    lines = assert_refused(code, output, lines=2)
    assert lines[0].startswith("montants.csv, ligne 4, colonne « Montant demandé État » : ") and "montant" in lines[0]
    assert lines[1] == "instructeur : 1 ligne rejetée, rien n'a été importé ; corrigez le fichier puis relancez"
    assert digest(url) == before


def test_nul_byte_in_a_file_never_reaches_the_database(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A NUL byte cannot be an argument; from a file it is cleaned (PostgreSQL refuses it in text)."""
    url, world = base
    path = _csv(tmp_path, "nul.csv", intitule="Ate\x00lier")
    code, output = run(capsys, "--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id))
    assert code == 0 and "Traceback" not in output, output
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            titles = conn.execute(select(text("intitule")).select_from(table("dossier"))).scalars().all()
    finally:
        engine.dispose()
    assert "Atelier" in titles and not any("\x00" in t for t in titles)


@pytest.fixture
def failing_writes() -> Iterator[list[int]]:
    """Every INSERT/UPDATE/DELETE raises the OSError in the list (set by the test)."""
    error: list[int] = []

    def refuse(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if error and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise OSError(error[0], "injected", "/données/instructeur.sqlite")

    event.listen(Engine, "before_cursor_execute", refuse)
    try:
        yield error
    finally:
        event.remove(Engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize(
    ("errno_", "message"),
    [
        (errno.ENOSPC, "instructeur : disque plein : /données/instructeur.sqlite (libérez de la place puis recommencez)"),
        (errno.EROFS, "instructeur : dossier en lecture seule : /données/instructeur.sqlite"),
        (errno.EACCES, "instructeur : accès refusé : /données/instructeur.sqlite"),
    ],
)  # fmt: skip
def test_failing_disk_during_import(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str], failing_writes: list[int],
    errno_: int, message: str,
) -> None:  # fmt: skip
    url, world = base
    path = _csv(tmp_path, "ok.csv")
    before = digest(url)
    failing_writes.append(errno_)
    code, output = run(capsys, "--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id))
    failing_writes.clear()
    (line,) = assert_refused(code, output)
    assert line == message
    assert digest(url) == before


def test_real_bugs_stay_tracebacks(
    base: tuple[str, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, world = base

    def broken(_path: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("instructeur.imports.reader.read_table", broken)
    monkeypatch.setattr("instructeur.imports.dossiers.read_table", broken, raising=False)
    with pytest.raises(ZeroDivisionError):
        main(["--db", url, "import", "dossiers", str(_csv(tmp_path, "ok.csv")), "--campagne", str(world.campagne_id)])


@pytest.mark.parametrize(
    ("db", "expected"),
    [
        (f"postgresql://anne:{SECRET}@localhost:abc/ville", "adresse de base invalide : port « abc » non numérique"),
        (f"postgresql://anne@127.0.0.1:1/ville?password={SECRET}",
         "base de données injoignable (postgresql+psycopg://anne@127.0.0.1:1/ville?password=***)"),
        (f"postgresql://anne:{SECRET}@127.0.0.1:1/ville",
         "base de données injoignable (postgresql+psycopg://anne:***@127.0.0.1:1/ville)"),
    ],
)  # fmt: skip
def test_bad_urls_never_show_the_password(capsys: pytest.CaptureFixture[str], db: str, expected: str) -> None:
    code, output = run(capsys, "--db", db, "campagnes", "list")
    (line,) = assert_refused(code, output)
    assert line.startswith(f"instructeur : {expected}")
    assert display_url(db).count("***") >= 1
