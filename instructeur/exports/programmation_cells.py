"""Cells and blocks shared by the sheets of the tableau de programmation (exports/programmation.py):
the rows of the title block and header, exact euros, the title block, the header row, row heights
fitted to wrapped text and the readable print setup."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from instructeur.exports.print_layout import setup_print
from instructeur.exports.xlsx_styles import write_text

__all__ = [
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "TITLE_ROWS",
    "code_titre",
    "euros",
    "fit_height",
    "fraction",
    "header",
    "page_setup",
    "title_block",
]

TITLE_ROWS = 4  # contrat, programmation + état, campagne, date of edition
HEADER_ROW = TITLE_ROWS + 1
FIRST_DATA_ROW = HEADER_ROW + 1
_LINE_HEIGHT = 12.75  # points per line of 10-11 pt text
_MAX_LINES = 8


def euros(cents: int | None) -> Decimal | None:
    """Exact euros for a spreadsheet cell (openpyxl writes the Decimal's digits as they are)."""
    if cents is None:
        return None
    return Decimal(cents).scaleb(-2)


def fraction(pct: Decimal | None) -> Decimal | None:
    """45.19 (%) → 0.4519, shown « 45,19 % » by the percent format."""
    return None if pct is None else pct.scaleb(-2)


def code_titre(code: str, titre: str) -> str:
    return f"{code}. {titre}" if code else titre


def title_block(ws: Worksheet, titles: list[str], sheet_title: str | None = None) -> None:
    lines = list(titles)
    if sheet_title:
        lines[1] = f"{lines[1]} — {sheet_title}"
    for n, text in enumerate(lines, start=1):
        write_text(ws, n, 1, text, "ins_title" if n == 1 else "ins_subtitle" if n == 2 else "ins_text")
    ws.row_dimensions[1].height = 20


def header(ws: Worksheet, row: int, headers: Sequence[str], height: float = 45) -> None:
    for n, text in enumerate(headers, start=1):
        write_text(ws, row, n, text, "ins_header")
    ws.row_dimensions[row].height = height


def page_setup(ws: Worksheet, print_rows: str, *, landscape: bool = True) -> None:
    """Readable print setup (print_layout): the widths are those already set on the sheet."""
    widths = [d.width for d in ws.column_dimensions.values() if d.width]
    setup_print(ws, widths, print_rows, landscape=landscape)


def _lines(value: Any, per_line: int) -> int:
    """Lines a wrapped cell needs (word wrap simulated; openpyxl cannot auto-fit row heights and
    neither Excel nor LibreOffice resizes rows on load for us)."""
    if not isinstance(value, str) or not value:
        return 1
    count = sum(
        len(textwrap.wrap(part, per_line, break_on_hyphens=False)) or 1 for part in value.splitlines()
    )
    return max(1, min(count, _MAX_LINES))


def _chars(width: float) -> int:
    """Characters of proportional text that fit on one line of a column `width` wide."""
    return max(1, int(width * 1.05) - 1)


def fit_height(ws: Worksheet, row: int, cells: Sequence[tuple[Any, float]]) -> None:
    lines = max((_lines(text, _chars(width)) for text, width in cells), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = _LINE_HEIGHT * lines + 3
