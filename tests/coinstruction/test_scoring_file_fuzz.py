"""A scoring file comes back from an évaluateur's laptop: whatever was typed or tampered in it, in
its metadata or in its notation sheet, reading it then planning its import either works or says
what is wrong in French (UserError); never a traceback (Hypothesis)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from instructeur.coinstruction.scoring_file import plan_import, read_scoring_file
from instructeur.coinstruction.scoring_format import FIRST_ROW, META_SHEET, SHEET
from instructeur.errors import UserError
from instructeur.storage.db import Database, open_database
from tests.coinstruction.test_scoring_file import Setup, _export, _setup

_json_like = st.sampled_from(
    ["[]", "{}", "null", "[1]", '{"total": "x"}', '[{"id": "a"}]', '{"total": 99999, "conflit": 2}', "1e400"]
)
_value = (
    st.none()
    | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20)
    | _json_like
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Setup, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    db = open_database(folder / "base.sqlite", backup_dir=folder)
    setup = _setup(db)
    yield db, setup, _export(db, setup, folder)
    db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.sampled_from([META_SHEET, SHEET]), st.integers(1, 16), st.integers(1, 14), _value),
        min_size=1,
        max_size=4,
    )
)
def test_any_edit_is_read_or_refused_in_french(
    exported: tuple[Database, Setup, Path], tmp_path_factory: pytest.TempPathFactory, edits: list[object]
) -> None:
    db, setup, original = exported
    path = tmp_path_factory.mktemp("edit") / original.name
    shutil.copy(original, path)
    wb = load_workbook(path)
    for sheet, row, column, value in edits:  # type: ignore[misc]
        ws = wb[sheet]
        # the metadata: a key, then its value (B) or a dossier line's fields (B–F); the notation
        # sheet: its header rows, then the dossiers' rows from FIRST_ROW
        target = (row, 2 + column % 5) if sheet == META_SHEET else (FIRST_ROW - 3 + row, column)
        ws.cell(*target).value = value
    wb.save(path)
    try:
        plan_import(db, setup.campagne_id, read_scoring_file(path))
    except UserError as exc:
        assert exc.message.strip()
