"""Reading spreadsheets: encodings, delimiters, row numbers as Excel shows them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from instructeur.errors import UserError
from instructeur.imports.reader import column_letter, read_table, sniff_delimiter


def test_xlsx_keeps_excel_row_numbers_and_cell_types(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Appel à projets 2026"])
    ws.append([])
    ws.append(["N° dossier", "Coût total", "Début"])
    ws.append(["26-001", 12500.5, datetime(2026, 3, 15)])
    ws.append([None, None, None])
    ws.append(["  26-002  ", "1 234,5", 46100])
    wb.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx")
    assert [r.number for r in table.rows] == [1, 3, 4, 6]
    assert table.rows[2].cells == ("26-001", 12500.5, datetime(2026, 3, 15))
    assert table.rows[3].cells == ("26-002", "1 234,5", 46100)
    assert table.name == "f.xlsx"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8", ",", True), ("utf-8", ";", False), ("cp1252", ";", False), ("cp1252", "\t", False)],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str, bom: bool) -> None:
    lines = [
        "Appel à projets 2026 — Contrat de ville",
        "",
        delimiter.join(["N° dossier", "Structure", "Coût total"]),
        delimiter.join(["26-001", "Élan Solidaire", '"12 500,00 €"']),
        delimiter.join(["26-002", "Œuvre sociale", "12500"]),
    ]
    data = "\r\n".join(lines).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    (tmp_path / "f.csv").write_bytes(data)
    table = read_table(tmp_path / "f.csv")
    assert [r.number for r in table.rows] == [1, 3, 4, 5]
    assert table.rows[0].cells == ("Appel à projets 2026 — Contrat de ville",)
    assert table.rows[1].cells == ("N° dossier", "Structure", "Coût total")
    assert table.rows[2].cells == ("26-001", "Élan Solidaire", "12 500,00 €")
    assert table.rows[3].cells[1] == "Œuvre sociale"


def test_semicolon_wins_over_decimal_commas() -> None:
    text = "a;b;c\n1;12 500,00;3,5\n2;1,5;4\n3;7;8\n"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n") == ","


def test_multiline_quoted_cell_is_one_row(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text('ref;quartiers\n26-001;"Damrémont\nCentre Ville"\n26-002;Outreau\n')
    table = read_table(tmp_path / "f.csv")
    assert [r.number for r in table.rows] == [1, 2, 3]
    assert table.rows[1].cells == ("26-001", "Damrémont\nCentre Ville")


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "vieux.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(UserError, match="xls"):
        read_table(tmp_path / "vieux.xls")
    with pytest.raises(UserError, match="introuvable"):
        read_table(tmp_path / "absent.csv")
    (tmp_path / "faux.xlsx").write_text("pas un zip")
    with pytest.raises(UserError, match="n.est pas un classeur Excel"):
        read_table(tmp_path / "faux.xlsx")


def test_column_letters() -> None:
    assert [column_letter(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
