"""Read a spreadsheet into a grid of cells that remember their row number as seen in Excel.

`.xlsx` files are streamed by `xlsx_stream` (cached values, first sheet, and the EXTRA_SHEETS); `.csv` files in UTF-8
(with or without BOM) or Windows-1252, the delimiter (« ; », « , » or tab) being sniffed. Rows whose
cells are all empty are dropped; row numbers are kept as Excel shows them (1-based, title rows
counted; for a CSV, one record = one row, even when a quoted cell spans several lines). Text cells
are cleaned (`domain.text.clean_text`) before anyone sees them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from instructeur.domain.text import clean_text
from instructeur.errors import UserError
from instructeur.imports import limits

__all__ = ["Cell", "Row", "Table", "column_letter", "read_table"]

Cell = str | int | float | Decimal | date | datetime | None

_DELIMITERS = (";", "\t", ",")  # in order of preference when the evidence is equal
_SNIFF_LINES = 40


@dataclass(frozen=True)
class Row:
    number: int  # as Excel shows it (1-based)
    cells: tuple[Cell, ...]

    def get(self, column: int) -> Cell:
        return self.cells[column] if 0 <= column < len(self.cells) else None


# Other sheets read along with the first one, for the platform presets (imports/presets.py):
# démarches-simplifiées puts each dossier's SIRET, address and association in « Etablissements »;
# « Correspondances » holds the value mapping saved with a template (imports/value_map.py).
EXTRA_SHEETS = ("Etablissements", "Correspondances")


@dataclass(frozen=True)
class Table:
    path: Path
    rows: tuple[Row, ...]
    sheets: tuple[str, ...] = ()  # every sheet name of the workbook (empty for a CSV)
    extra: dict[str, tuple[Row, ...]] = field(default_factory=dict)  # EXTRA_SHEETS found, by name
    truncated: bool = False  # read with `max_rows`: the first sheet has more rows than `rows`

    @property
    def name(self) -> str:
        return self.path.name


def column_letter(index: int) -> str:
    """0 → « A », 25 → « Z », 26 → « AA »."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _clean(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        # Invisible controls (NUL, bidi overrides, zero-width) never reach previews nor messages.
        text = clean_text(value).strip()
        return text or None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal | date):  # datetime is a date
        return value
    return str(value).strip() or None


def _trimmed(values: list[Cell]) -> tuple[Cell, ...]:
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def read_table(path: str | Path, max_rows: int | None = None) -> Table:
    """The first sheet of an .xlsx file, or a .csv file, as non-empty rows of cleaned cells;
    with `max_rows`, only that many (the wizard's first page shows the top of the file)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} : fichier introuvable")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, max_rows)
    if suffix in (".csv", ".txt", ".tsv"):
        rows = _read_csv(path)
    elif suffix == ".xls":
        raise UserError(
            f"{path.name} : format .xls (Excel 97-2003) non pris en charge ; enregistrez-le en .xlsx"
        )
    else:
        raise UserError(f"{path.name} : format non pris en charge (attendu .xlsx ou .csv)")
    if max_rows is not None and len(rows) > max_rows:
        return Table(path=path, rows=tuple(rows[:max_rows]), truncated=True)
    return Table(path=path, rows=tuple(rows))


def _read_workbook(path: Path, max_rows: int | None = None) -> Table:
    from instructeur.imports.xlsx_stream import open_xlsx

    workbook = open_xlsx(path)
    try:
        names = tuple(workbook.sheetnames)
        rows = _read_sheet(path, workbook, names[0], None if max_rows is None else max_rows + 1)
        extra = {name: tuple(_read_sheet(path, workbook, name)) for name in EXTRA_SHEETS if name in names[1:]}
        truncated = max_rows is not None and len(rows) > max_rows
        return Table(path=path, rows=tuple(rows[:max_rows] if truncated else rows), sheets=names, extra=extra,
                     truncated=truncated)  # fmt: skip
    finally:
        workbook.close()


def _read_sheet(path: Path, workbook: Any, sheet: str, max_rows: int | None = None) -> list[Row]:
    # Rows as written in the sheet's XML: a forged dimension (« A1:XFD1048576 ») pads nothing.
    rows: list[Row] = []
    cells_seen = 0
    check_cell, clean = limits.check_cell, _clean
    with limits.xml_guard(path):
        try:
            for number, values in workbook.rows(sheet):
                for index, value in enumerate(values):
                    if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
                        check_cell(path, sheet, number, column_letter(index), value)
                cells = _trimmed([clean(v) for v in values])
                if not cells:
                    continue
                rows.append(Row(number, cells))
                if max_rows is not None and len(rows) >= max_rows:
                    break
                cells_seen += len(cells)
                if len(rows) > limits.MAX_ROWS or cells_seen > limits.MAX_CELLS:
                    raise UserError(
                        f"fichier refusé : {path.name}, feuille « {sheet} » : trop de données "
                        f"(au plus {limits.fr_int(limits.MAX_ROWS)} lignes "
                        f"et {limits.fr_int(limits.MAX_CELLS)} cellules)"
                    )
        except (IndexError, KeyError) as exc:  # a shared string or a part that is not there
            raise UserError(
                f"fichier refusé : {path.name} n'est pas un classeur Excel (.xlsx) valide"
            ) from exc
    return rows


def decode(data: bytes) -> str:
    """UTF-8 (BOM dropped) when the bytes are valid UTF-8, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same, largest number of fields."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = _DELIMITERS[0], (0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = Counter(
                len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if len(r) > 1
            )
        except csv.Error:  # e.g. a cell over the field limit: the reading itself will name it
            continue
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = (lines, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path) -> list[Row]:
    limits.check_csv_size(path)
    text = decode(path.read_bytes())
    delimiter = sniff_delimiter(text)
    rows: list[Row] = []
    number = 0
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            # Checked here too: frictionless (open-data validation) raises the csv module's
            # process-wide field limit to sys.maxsize when it is imported.
            if any(len(v) > limits.CSV_FIELD_LIMIT for v in values):
                raise limits.csv_cell_too_long(path, number)
            cells = _trimmed([_clean(v) for v in values])
            if cells:
                rows.append(Row(number, cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limits.csv_cell_too_long(path, number + 1) from exc
        raise UserError(f"{path.name} : fichier CSV illisible ({exc})") from exc
    return rows
