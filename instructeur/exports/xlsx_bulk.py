"""The rows of big sheets, written straight as SpreadsheetML instead of one openpyxl `Cell` each.

Creating an openpyxl cell and serialising it through et_xmlfile costs ~25 µs; a 2 000-dossier
tableau de programmation has ~35 000 of them in its two table sheets, two thirds of its time
(issue 12). A table sheet keeps its data rows here as values (`BulkRows.add`) and a
`BulkWorkbook` writes them, at save, as the very XML openpyxl writes for the same cells (a test
compares the two byte for byte); everything else in the sheet (title block, header, totals,
table, print setup) stays openpyxl's. Only text, numbers and booleans take this path; a row with
anything else, or with a character a worksheet cannot hold, becomes openpyxl cells as before, and
so does every row when openpyxl writes through lxml (no raw output there).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string  # openpyxl's number formatting (%.16g)
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from instructeur.domain.text import needs_formula_guard
from instructeur.exports.xlsx_styles import put_row

__all__ = ["BulkRows", "BulkWorkbook", "bulk_rows"]

_MAX_TEXT = 32767  # openpyxl's check_string truncates there
_NUMBERS = (int, float, Decimal)
_PLACEHOLDER = re.compile("\x01(\\d+)\x01")  # never in text: a control character
_BULK: WeakKeyDictionary[Worksheet, BulkRows] = WeakKeyDictionary()


class BulkWorkbook(Workbook):  # type: ignore[misc]
    """A workbook whose `save` writes the sheets' bulk rows (`bulk_rows`) with the rest."""

    def save(self, filename: Any) -> None:
        # openpyxl.writer.excel.save_workbook, with the writer below and the archive closed on error
        with ZipFile(filename, "w", ZIP_DEFLATED, allowZip64=True) as archive:
            self.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
            _ExcelWriter(self, archive).write_data()


def bulk_rows(ws: Worksheet) -> BulkRows:
    """The bulk rows of `ws` (created on first use); only a `BulkWorkbook` writes them."""
    rows = _BULK.get(ws)
    if rows is None:
        if not isinstance(ws.parent, BulkWorkbook):
            raise TypeError("bulk rows need a BulkWorkbook, which writes them")
        rows = _BULK[ws] = BulkRows(ws)
    return rows


class BulkRows:
    """Data rows of one sheet, kept as values with their cell formats until the workbook is saved."""

    def __init__(self, ws: Worksheet) -> None:
        self._ws = ws
        self._rows: dict[int, str] = {}  # row number → its <row> element
        self._with_cells: list[int] = []
        self._columns: set[int] = set()  # first and last columns written
        self._local: dict[tuple[int, ...], int] = {}  # a cell format → its placeholder
        self._arrays: list[StyleArray] = []
        self._ids: dict[int, str] = {}  # placeholder → the workbook's index, once written
        self._letters: list[str] = [""]

    def add(
        self,
        row: int,
        values: Sequence[Any],
        arrays: Sequence[StyleArray],
        height: float | None = None,
    ) -> None:
        """Row `row`: value n with cell format `arrays[n]` (as `put_row`), `height` in points."""
        if row in self._rows or any((row, c) in self._ws._cells for c in range(1, len(values) + 1)):
            raise ValueError(f"row {row} written twice")
        cells = None if openpyxl.LXML else self._cells_xml(row, values, arrays)
        if cells is None:  # a value openpyxl must handle: its cells, as before
            put_row(self._ws, row, values, arrays)
            if height is not None:
                self._ws.row_dimensions[row].height = height
            return
        if not cells and height is None:
            return  # openpyxl writes no element for such a row
        head = f'<row r="{row}"'
        if height is not None:
            head += f' ht="{safe_string(float(height))}" customHeight="1"'
        self._rows[row] = f"{head}>{cells}</row>"
        if cells:  # a row with a height only does not count in the sheet's dimension
            self._with_cells.append(row)
            written = [n for n, v in enumerate(values, start=1) if v is not None and v != ""]
            self._columns.update((written[0], written[-1]))

    def _cells_xml(self, row: int, values: Sequence[Any], arrays: Sequence[StyleArray]) -> str | None:
        texts = [v for v in values if type(v) is str]
        if texts and ILLEGAL_CHARACTERS_RE.search("".join(texts)):
            return None
        while len(self._letters) <= len(values):
            self._letters.append(get_column_letter(len(self._letters)))
        parts = []
        for column, (value, array) in enumerate(zip(values, arrays, strict=True), start=1):
            if value is None or value == "":
                continue
            ref = f"{self._letters[column]}{row}"
            if type(value) is str:
                text = value[:_MAX_TEXT]
                if needs_formula_guard(text):
                    array = _quoted(array)
                space = ' xml:space="preserve"' if text.strip() and text != text.strip() else ""
                parts.append(
                    f'<c r="{ref}"{self._style(array)} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
                )
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{self._style(array)} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, _NUMBERS) and math.isfinite(value):
                parts.append(f'<c r="{ref}"{self._style(array)} t="n"><v>{safe_string(value)}</v></c>')
            else:
                return None
        return "".join(parts)

    def _style(self, array: StyleArray) -> str:
        """The cell's s attribute, with a placeholder for its format's index: `xml` gives it the
        index openpyxl would, registering formats in the order cells are written."""
        key = tuple(array)
        local = self._local.get(key)
        if local is None:
            if not any(array):
                return ""  # openpyxl writes no s for an unstyled cell
            local = self._local[key] = len(self._arrays)
            self._arrays.append(StyleArray(array))
        return f' s="\x01{local}\x01"'

    def numbers(self) -> list[int]:
        return list(self._rows)

    def xml(self, row: int) -> str:
        """Row `row`'s element, its formats indexed in the workbook (as Cell.style_id does)."""
        return _PLACEHOLDER.sub(self._style_id, self._rows[row])

    def _style_id(self, match: re.Match[str]) -> str:
        local = int(match[1])
        found = self._ids.get(local)
        if found is None:
            found = self._ids[local] = str(self._ws.parent._cell_styles.add(self._arrays[local]))
        return found

    def bounds(self) -> tuple[set[int], set[int]]:
        """The first and last rows with cells, and their first and last columns."""
        if not self._with_cells:
            return set(), set()
        return {min(self._with_cells), max(self._with_cells)}, self._columns


def _quoted(array: StyleArray) -> StyleArray:
    quoted = StyleArray(array)
    quoted.quotePrefix = 1
    return quoted


class _SheetWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's sheet writer, with the bulk rows merged into sheetData in row order."""

    def __init__(self, ws: Worksheet, bulk: BulkRows) -> None:
        self.bulk = bulk
        super().__init__(ws)

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(_dimension(self.ws, self.bulk)).to_tree())

    def write_rows(self) -> None:
        rows, bulk = self.rows(), self.bulk.numbers()
        both = sorted({n for n, _ in rows}.intersection(bulk))
        if both:  # two <row> elements for one row would make a file Excel repairs
            raise ValueError(f"rows {both} have bulk rows and openpyxl cells or heights")
        xf = self.xf.send(True)
        raw = xf._file  # et_xmlfile's output function (with lxml, add() made openpyxl cells)
        with xf.element("sheetData"):
            for row_idx, cells in _merged(rows, bulk):
                if cells is None:
                    raw(self.bulk.xml(row_idx))
                else:
                    self.write_row(xf, cells, row_idx)
        self.xf.send(None)


def _merged(
    openpyxl_rows: list[tuple[int, list[Cell]]], bulk: list[int]
) -> Iterator[tuple[int, list[Cell] | None]]:
    """Every row in order: openpyxl's with their cells, the bulk ones with None."""
    return iter(sorted(chain(openpyxl_rows, ((n, None) for n in bulk)), key=lambda item: item[0]))


def _dimension(ws: Worksheet, bulk: BulkRows) -> str:
    # openpyxl's Worksheet.calculate_dimension, counting the bulk rows
    rows, cols = bulk.bounds()
    rows |= {r for r, _ in ws._cells}
    cols |= {c for _, c in ws._cells}
    if not rows:
        return "A1:A1"
    return f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}{max(rows)}"


class _ExcelWriter(ExcelWriter):  # type: ignore[misc]
    def write_worksheet(self, ws: Any) -> None:
        bulk = _BULK.get(ws)
        if bulk is None or not bulk.numbers():
            super().write_worksheet(ws)
            return
        # openpyxl's ExcelWriter.write_worksheet (not write-only), with _SheetWriter
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws, bulk)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()
