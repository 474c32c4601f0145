"""Hostile spreadsheets are refused before any parser inflates them: zip bomb, XXE, billion laughs,
corrupt zip, too many members, suspicious ratio, over-long cells, CSV over the field limit."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from instructeur.coinstruction.scoring_file import read_scoring_file
from instructeur.errors import UserError
from instructeur.imports import limits
from instructeur.imports.reader import read_table
from tests.imports import hostile

READERS: list[Callable[[Path], object]] = [read_table, read_scoring_file]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.zip_bomb_xlsx(tmp_path_factory.mktemp("bomb"))


def _measure(path: Path, reader: str) -> dict[str, object]:
    """Read `path` in a fresh interpreter; its message, time and peak memory (VmHWM, MB)."""
    code = f"""
import json, time
from instructeur.errors import UserError
from {reader.rsplit(".", 1)[0]} import {reader.rsplit(".", 1)[1]} as read
start = time.perf_counter()
try:
    read({str(path)!r}); message = None
except UserError as exc:
    message = exc.message
elapsed = time.perf_counter() - start
# VmHWM is this program's own peak: ru_maxrss would include the parent's size at fork (Linux
# keeps it across exec), i.e. pytest's, which grows along the suite.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"message": message, "seconds": elapsed, "peak_mb": peak_kb / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    print(path.name, reader, result)  # the figures for the closing note (pytest -s)
    return result


@pytest.mark.parametrize(
    "reader",
    ["instructeur.imports.reader.read_table", "instructeur.coinstruction.scoring_file.read_scoring_file"],
)
def test_zip_bomb_refused_fast_with_bounded_memory(bomb: Path, reader: str) -> None:
    assert bomb.stat().st_size < 2_000_000
    with zipfile.ZipFile(bomb) as z:
        assert sum(i.file_size for i in z.infolist()) > 1_000_000_000  # really a bomb
    result = _measure(bomb, reader)
    assert str(result["message"]).startswith(
        "fichier refusé : bombe.xlsx est trop volumineux une fois décompressé"
    )
    assert float(str(result["seconds"])) < 1.0
    assert float(str(result["peak_mb"])) < 300


@pytest.mark.parametrize("make", [hostile.xxe_xlsx, hostile.laughs_xlsx])
def test_entities_refused_in_a_subprocess(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    path = make(tmp_path)
    result = _measure(path, "instructeur.imports.reader.read_table")
    assert (
        result["message"]
        == f"fichier refusé : {path.name} contient des déclarations XML interdites (entités)"
    )
    assert float(str(result["seconds"])) < 1.0 and float(str(result["peak_mb"])) < 300


@pytest.mark.parametrize("read", READERS)
def test_xxe_beyond_the_quick_scan_is_refused_by_defusedxml(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    path = hostile.xxe_xlsx(tmp_path, padding=100_000)  # DOCTYPE after 100 kB of comment
    with pytest.raises(UserError) as info:
        read(path)
    assert (
        info.value.message == "fichier refusé : xxe.xlsx contient des déclarations XML interdites (entités)"
    )
    assert "root:" not in info.value.message


@pytest.mark.parametrize("read", READERS)
def test_not_a_zip_and_truncated_zip(tmp_path: Path, read: Callable[[Path], object]) -> None:
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    truncated = tmp_path / "coupe.xlsx"
    truncated.write_bytes(hostile.valid_xlsx(tmp_path / "ok.xlsx").read_bytes()[:1500])
    for path in (fake, truncated):
        with pytest.raises(UserError) as info:
            read(path)
        assert (
            info.value.message == f"fichier refusé : {path.name} n'est pas un classeur Excel (.xlsx) valide"
        )


def test_ratio_and_member_count(tmp_path: Path) -> None:
    base = hostile.valid_xlsx(tmp_path / "base.xlsx")
    dense = hostile._rewrite(base, tmp_path / "dense.xlsx", {}, extra={hostile.SHEET: 60 * limits.MB})
    with pytest.raises(UserError, match=r"^fichier refusé : dense\.xlsx a un taux de compression suspect"):
        read_table(dense)
    many = tmp_path / "nombreux.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(many, "w") as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        for i in range(limits.MAX_MEMBERS + 1):
            out.writestr(f"xl/media/m{i}.bin", b"")
    with pytest.raises(UserError, match=r"^fichier refusé : nombreux\.xlsx contient trop d'éléments"):
        read_table(many)


def test_cell_longer_than_excel_allows_names_sheet_row_column(tmp_path: Path) -> None:
    # openpyxl truncates on write: the over-long cell is written in the sheet XML directly.
    base = hostile.valid_xlsx(tmp_path / "base.xlsx")
    long_text = "x" * (limits.MAX_CELL_CHARS + 1)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Référence</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>D-1</t></is></c>'
        f'<c r="B2" t="inlineStr"><is><t>{long_text}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    path = hostile._rewrite(base, tmp_path / "long.xlsx", {hostile.SHEET: sheet})
    with pytest.raises(UserError) as info:
        read_table(path)
    assert info.value.message == (
        "long.xlsx, feuille « Sheet », ligne 2, colonne B : cellule trop longue (plus de 32\u00a0767 caractères)"
    )


def test_forged_dimension_does_not_pad_rows(tmp_path: Path) -> None:
    path = hostile.valid_xlsx(tmp_path / "dim.xlsx")
    forged = tmp_path / "forge.xlsx"
    with zipfile.ZipFile(path) as src:
        sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', src.read(hostile.SHEET))
    assert b"XFD1048576" in sheet
    hostile._rewrite(path, forged, {hostile.SHEET: sheet})
    table = read_table(forged)
    assert [r.cells for r in table.rows] == [("Référence", "Intitulé"), ("D-1", "Projet")]


def test_csv_cell_over_the_field_limit_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "fichier.csv"
    path.write_text("Référence;Intitulé\nD-1;court\nD-2;" + "x" * 200_000 + "\nD-3;fin\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_table(path)
    assert (
        info.value.message == "fichier.csv, ligne 3 : cellule trop longue (plus de 131\u00a0072 caractères)"
    )


def test_csv_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gros.csv"
    path.write_text("a;b\n" * 1000, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", 1024)
    with pytest.raises(UserError, match=r"^fichier refusé : gros\.csv est trop volumineux"):
        read_table(path)


def test_rows_of_a_sheet_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 1)
    with pytest.raises(UserError) as info:
        read_table(hostile.valid_xlsx(tmp_path / "lignes.xlsx"))
    assert info.value.message == (
        "fichier refusé : lignes.xlsx, feuille « Sheet » : trop de données (au plus 1 lignes et 5\u00a0000\u00a0000 cellules)"
    )


def test_valid_files_still_read(tmp_path: Path) -> None:
    table = read_table(hostile.valid_xlsx(tmp_path / "ok.xlsx"))
    assert [r.cells for r in table.rows] == [("Référence", "Intitulé"), ("D-1", "Projet")]


def test_defusedxml_is_what_openpyxl_uses() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_damaged_bytes_are_refused_never_a_traceback(tmp_path: Path, compression: int) -> None:
    """Random bytes changed in a valid workbook (deflate data, CRC, XML): a UserError or a table."""
    import random

    source = hostile.valid_xlsx(tmp_path / "ok.xlsx")
    original = tmp_path / "orig.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(original, "w", compression) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
    data = original.read_bytes()
    refused = 0
    for seed in range(40):
        rng = random.Random(seed)
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 3, 8])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / "abime.xlsx"
        path.write_bytes(bytes(damaged))
        for read in READERS:
            try:
                read(path)
            except UserError:
                refused += 1
    assert refused > 0


def test_csv_cell_limit_holds_when_the_csv_module_limit_was_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """frictionless raises csv.field_size_limit for the whole process: our limit does not move."""
    import csv
    import sys

    previous = csv.field_size_limit(sys.maxsize)
    try:
        path = tmp_path / "fichier.csv"
        path.write_text("Référence;Intitulé\nD-1;court\nD-2;" + "x" * 200_000 + "\n", encoding="utf-8")
        with pytest.raises(UserError, match=r"^fichier\.csv, ligne 3 : cellule trop longue"):
            read_table(path)
    finally:
        csv.field_size_limit(previous)
