"""Whatever a partner typed in the cells of a dossiers spreadsheet, the preview and the import
either work or say what is wrong in French (UserError); an import that works writes exactly the
dossiers its preview announced, and a refused one writes nothing (Hypothesis, on SQLite; the
engines share this code and the two-engine import tests cover the writing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instructeur.errors import UserError
from instructeur.imports import dossiers as imp
from instructeur.storage.db import Database, open_database
from tests.factories import World, build_world
from tests.imports.test_dossiers_import import counts, messy_rows, write_xlsx

_cell = (
    st.none()
    | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=24)
    | st.sampled_from(
        ["", " ", "-0", "1e309", "12,5,3", "€", "1 000 000 000 000 000", "=1+1", "26-001", "TOTAL", "oui"]
    )
    | st.integers(-(10**16), 10**16)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates(date(1900, 1, 1), date(2100, 1, 1))
    | st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1))
    | st.booleans()
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, World]]:
    folder = tmp_path_factory.mktemp("fuzz")
    db = open_database(folder / "base.sqlite", backup_dir=folder)
    yield db, build_world(db)
    db.close()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9), _cell), min_size=1, max_size=5))
def test_any_cell_is_imported_or_refused_in_french(
    base: tuple[Database, World],
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, int, object]],
) -> None:
    db, world = base
    rows = messy_rows(fixed=True)
    for row, column, value in edits:
        rows[row][column] = value
    path = write_xlsx(tmp_path_factory.mktemp("edit") / "dossiers.xlsx", rows)
    try:
        preview = imp.preview(db, world.campagne_id, path)
    except UserError as exc:
        assert exc.message.strip()
        return
    before = counts(db)["dossier"]
    try:
        result = imp.apply(db, world.campagne_id, path, user="fuzz")
    except UserError as exc:
        assert exc.message.strip()
        assert counts(db)["dossier"] == before  # all or nothing
        return
    assert not preview.rejected
    assert len(result.created_ids) == len(preview.to_create)
    assert len(result.updated_ids) == len(preview.to_update)
    assert counts(db)["dossier"] == before + len(preview.to_create)
