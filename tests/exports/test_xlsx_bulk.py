"""Bulk rows (exports/xlsx_bulk.py) write the very file openpyxl's cells would: every part of the
xlsx is compared byte for byte with the same workbook written through openpyxl cells (the path
a bulk row takes when openpyxl writes with lxml), on made-up rows and on a real tableau de
programmation."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from instructeur.exports import xlsx_bulk
from instructeur.exports.programmation import export_programmation
from instructeur.exports.xlsx_bulk import BulkWorkbook, bulk_rows
from instructeur.exports.xlsx_styles import register_styles, style_arrays, write_text
from instructeur.storage.db import open_database
from tests.exports import HYPERLINK, build_scenario

STYLES = ("ins_text", "ins_wrap", "ins_euro", "ins_percent", "ins_center")
Row = tuple[int, list[Any], float | None]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # core.xml holds the time of writing
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _write(path: Path, rows: Sequence[Row], styles: Sequence[str] = STYLES) -> None:
    wb = BulkWorkbook()
    register_styles(wb)
    ws = wb.active
    write_text(ws, 1, 1, "Titre", "ins_title")
    formats = style_arrays(wb)
    arrays = [formats[s] for s in styles]
    bulk = bulk_rows(ws)
    for number, values, height in rows:
        bulk.add(number, values, arrays, height)
    last = max((n for n, _, _ in rows), default=1) + 1
    ws.cell(row=last, column=3, value=f"=SUM(C2:C{last - 1})").style = "ins_total_euro"
    wb.create_sheet("Autre")["A1"] = "après"
    wb.save(path)


def _both(tmp_path: Path, rows: Sequence[Row], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    bulk, cells = tmp_path / "bulk.xlsx", tmp_path / "cells.xlsx"
    _write(bulk, rows)
    with monkeypatch.context() as m:
        m.setattr(openpyxl, "LXML", True)  # bulk rows become openpyxl cells
        _write(cells, rows)
    return bulk, cells


def test_rows_of_every_kind_are_the_file_openpyxl_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[Row] = [
        (2, ["AAP-001", "Porteur & fils <SARL>", Decimal("12500.50"), Decimal("0.4519"), 3], 38.25),
        (3, [HYPERLINK, "  espaces autour  ", Decimal("0.00"), None, ""], None),
        (4, ["-Atelier", "+33 3 21", 7, 1.5, True], None),
        (5, ["x" * 40_000, "ligne 1\nligne 2", Decimal("1E+2"), Decimal("-3.10"), False], 80.0),
        (6, [None, None, None, None, None], 25.5),  # an empty row with a height
        (7, [None, "", None, None, None], None),  # nothing at all: no element
        (9, ["date", date(2026, 12, 4), None, None, "non cotée"], None),  # a date: openpyxl's cells
    ]
    bulk, cells = _both(tmp_path, rows, monkeypatch)
    assert _parts(bulk) == _parts(cells)

    ws = load_workbook(bulk)["Sheet"]
    assert ws["A3"].value == HYPERLINK and ws["A3"].data_type == "s" and ws["A3"].quotePrefix
    assert ws["C2"].value == 12500.5 and ws["C2"].number_format == '#,##0.00\\ "€"'
    assert ws["E4"].value is True and ws["B3"].value == "  espaces autour  "
    assert len(ws["A5"].value) == 32767
    assert ws.row_dimensions[2].height == 38.25 and ws.row_dimensions[6].height == 25.5
    assert ws["B9"].value.date() == date(2026, 12, 4)
    assert ws["C10"].value == "=SUM(C2:C9)"
    assert ws.dimensions == "A1:E10"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(
    ["=1+1", "@x", " a", "a\n", "&<>\"'"]
)
_value = st.none() | _text | st.integers(-(10**12), 10**12) | st.booleans()
_value |= st.decimals(min_value=-(10**9), max_value=10**9, places=2) | st.floats(allow_nan=False, width=32)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.lists(_value, min_size=5, max_size=5), st.none() | st.floats(1, 400)), max_size=12)
)
def test_any_rows_are_the_file_openpyxl_writes(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, rows: list[Any]
) -> None:
    numbered = [(n, values, height) for n, (values, height) in enumerate(rows, start=2)]
    bulk, cells = _both(tmp_path_factory.mktemp("bulk"), numbered, monkeypatch)
    assert _parts(bulk) == _parts(cells)


def test_a_character_a_worksheet_cannot_hold_fails_as_with_openpyxl() -> None:
    wb = BulkWorkbook()
    register_styles(wb)
    arrays = [style_arrays(wb)["ins_text"]]
    with pytest.raises(IllegalCharacterError):
        bulk_rows(wb.active).add(2, ["bip\x07"], arrays)


def test_bulk_rows_need_a_bulk_workbook_and_rows_once() -> None:
    with pytest.raises(TypeError):
        bulk_rows(Workbook().active)
    wb = BulkWorkbook()
    register_styles(wb)
    arrays = [style_arrays(wb)["ins_text"]]
    wb.active["A3"] = "déjà là"
    rows = bulk_rows(wb.active)
    rows.add(2, ["une"], arrays)
    with pytest.raises(ValueError):
        rows.add(2, ["deux"], arrays)
    with pytest.raises(ValueError):
        rows.add(3, ["trois"], arrays)
    rows.add(4, ["quatre"], arrays)
    wb.active.row_dimensions[4].height = 30  # a height set on a bulk row afterwards
    with pytest.raises(ValueError, match=r"rows \[4\]"):
        wb.save(io.BytesIO())


def test_the_tableau_de_programmation_is_the_file_openpyxl_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fallbacks: list[int] = []
    monkeypatch.setattr(xlsx_bulk, "put_row", lambda ws, row, *a: fallbacks.append(row))
    db = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    try:
        sc = build_scenario(db)
        paths = tmp_path / "bulk.xlsx", tmp_path / "cells.xlsx"
        export_programmation(db, sc.world.campagne_id, paths[0], edition=date(2026, 12, 4))
        assert fallbacks == []  # every row went through bulk rows
        monkeypatch.undo()
        with monkeypatch.context() as m:
            m.setattr(openpyxl, "LXML", True)
            export_programmation(db, sc.world.campagne_id, paths[1], edition=date(2026, 12, 4))
    finally:
        db.close()
    assert _parts(paths[0]) == _parts(paths[1])
    sheet = _parts(paths[0])["xl/worksheets/sheet1.xml"].decode()
    assert f"<t>{HYPERLINK}</t>" in sheet  # the guarded porteur, as text
