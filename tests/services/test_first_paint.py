"""The main window's first paint (issue 12): read with sqlite3 before SQLAlchemy is imported, it
shows exactly what the services give, and steps aside for anything but a current SQLite base."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from instructeur.demo import create_demo
from instructeur.services.campagnes import CampagneService
from instructeur.services.dossier_list import DossierRow, default_campagne
from instructeur.services.dossiers import DossierService
from instructeur.services.first_paint import read_first_paint
from instructeur.storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("first_paint") / "demo.sqlite"
    create_demo(path, dossiers=60, seed=11)
    return path


def test_the_first_paint_is_what_the_services_give(demo: Path) -> None:
    first = read_first_paint(demo)
    assert first is not None
    db = open_database(demo)
    try:
        campagnes = CampagneService(db).all()
        assert first.campagnes == campagnes
        assert first.campagne == default_campagne(campagnes)
        rows = DossierService(db).list_rows(first.campagne.id, with_scores=False)
        assert first.rows == rows and len(rows) == first.campagne.nb_dossiers > 0
        assert any(r.quartier_ids for r in rows) and any(r.financeur_ids for r in rows)
        assert all(r.date_depot is None or r.date_depot.year >= 2020 for r in rows)  # dates, not text
        assert first.display_name == db.display_name  # same saved views of the list
    finally:
        db.close()


def test_reading_it_imports_neither_sqlalchemy_nor_the_services(demo: Path) -> None:
    code = (
        "import json, sys\n"
        "from instructeur.services.first_paint import read_first_paint\n"
        "first = read_first_paint(sys.argv[1])\n"
        "print(json.dumps([len(first.rows), sorted(m for m in sys.modules if m.startswith(('sqlalchemy', "
        "'instructeur.storage.models', 'instructeur.services.dossiers')))]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(demo)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    count, loaded = json.loads(done.stdout)
    assert count > 0 and loaded == []


def test_relative_and_home_paths_name_the_same_base(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo.parent)
    first = read_first_paint("demo.sqlite")
    assert first is not None and first.path == demo.resolve()


def _copy(demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copie.sqlite"
    source, copy = sqlite3.connect(demo), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return target


def test_anything_but_a_current_sqlite_base_is_left_to_the_usual_opening(demo: Path, tmp_path: Path) -> None:
    assert read_first_paint("postgresql://localhost/instructeur") is None
    assert read_first_paint(tmp_path / "absente.sqlite") is None
    assert read_first_paint(tmp_path) is None  # a folder
    hostile = tmp_path / "hostile.sqlite"
    hostile.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    assert read_first_paint(hostile) is None
    foreign = tmp_path / "autre.sqlite"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (x)")
    assert read_first_paint(foreign) is None
    older = _copy(demo, tmp_path)
    with sqlite3.connect(older) as con:
        con.execute("UPDATE alembic_version SET version_num = '0001'")
    assert read_first_paint(older) is None  # a migration is due: Alembic runs, with its backup
    empty = tmp_path / "vide.sqlite"
    open_database(empty).close()
    assert read_first_paint(empty) is None  # no campagne: the empty states read the contrats
    assert not (tmp_path / "absente.sqlite").exists()  # nothing was created on the way


def test_rows_are_the_dataclass_s_own(demo: Path) -> None:
    """The list's rows skip the frozen __init__ (launch speed): each has every field, and equals,
    hashes and replaces as a row built by DossierRow(...)."""
    first = read_first_paint(demo)
    assert first is not None
    names = {f.name for f in dataclasses.fields(DossierRow)}
    for row in first.rows:
        assert set(vars(row)) == names
        built = DossierRow(**vars(row))
        assert row == built and hash(row) == hash(built)
    changed = dataclasses.replace(first.rows[0], rank=1)
    assert changed.rank == 1 and first.rows[0].rank is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.rows[0].rank = 2  # type: ignore[misc]
