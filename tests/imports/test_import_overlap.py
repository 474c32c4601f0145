"""Writing while planning (imports/dossiers_write.OverlappedWriter), with chunks of 3 rows so that a
small file goes through many hand-overs: on PostgreSQL the writer's thread writes them, in the
file's order, porteurs created in one chunk are reused by the next ones, the journal's chain holds;
a row rejected after chunks were written leaves the database as it was. SQLite writes in one go."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from instructeur.imports import dossiers as imp
from instructeur.imports import dossiers_write
from instructeur.imports.results import ImportRejected
from instructeur.storage import journal_chain
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Porteur
from tests.factories import World
from tests.imports.test_dossiers_import import counts, messy_rows, write_xlsx

ROWS = 32


def _rows(bad_last: bool = False) -> list[list[object]]:
    base = [r for r in messy_rows(fixed=True) if r[0] != "TOTAL"]
    rows = []
    for n in range(ROWS):
        row = list(base[n % len(base)])
        row[0] = f"26-{100 + n}"
        rows.append(row)
    if bad_last:
        rows[-1][5] = "-500"  # Montant demandé État
    return rows


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of each write_creates call."""
    monkeypatch.setattr("instructeur.imports.dossiers_plan.CHUNK_ROWS", 3)
    threads: list[str] = []
    original = dossiers_write.write_creates

    def spy(*args: object) -> tuple[int, ...]:
        threads.append(threading.current_thread().name)
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dossiers_write, "write_creates", spy)
    return threads


def test_rows_written_in_order_by_the_writer_thread(
    db: Database, world: World, tmp_path: Path, writes: list[str]
) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", _rows())
    result = imp.apply(db, world.campagne_id, path, user="t")
    assert len(result.created_ids) == ROWS
    if db.engine.dialect.name == "postgresql":
        assert len(writes) > 5 and set(writes) == {"import-writer"}
    else:
        assert writes == [threading.current_thread().name]
    with db.session() as s:
        dossiers = s.scalars(
            select(Dossier).where(Dossier.campagne_id == world.campagne_id).order_by(Dossier.id)
        ).all()
        assert [d.reference for d in dossiers] == [f"26-{100 + n}" for n in range(ROWS)]
        assert list(result.created_ids) == [d.id for d in dossiers]
        names = {p.raison_sociale for p in s.scalars(select(Porteur))}
        # one porteur per name, though each name comes back in many chunks
        portel = [d for d in dossiers if d.porteur.raison_sociale == "Les Amis du Portel"]
        assert len(portel) > 3 and len({d.porteur_id for d in portel}) == 1
        assert "Compagnie Z" in names
    with db.engine.connect() as conn:
        assert journal_chain.verify(conn).ok


def test_a_late_rejected_row_writes_nothing(
    db: Database, world: World, tmp_path: Path, writes: list[str]
) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", _rows(bad_last=True))
    before = counts(db)
    with pytest.raises(ImportRejected) as rejected:
        imp.apply(db, world.campagne_id, path, user="t")
    assert [p.row for p in rejected.value.problems] == [3 + ROWS]
    if db.engine.dialect.name == "postgresql":
        assert len(writes) > 5  # chunks were written before the last row was read, then rolled back
    assert counts(db) == before
