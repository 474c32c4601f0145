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
    "row_height",
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


def _text_lines(value: str, per_line: int) -> int:
    """Lines a wrapped cell needs (word wrap simulated; openpyxl cannot auto-fit row heights and
    neither Excel nor LibreOffice resizes rows on load for us)."""
    count = sum(wrapped_lines(part, per_line) for part in value.splitlines())
    return max(1, min(count, _MAX_LINES))


_ODD_SPACES = frozenset("\t\x0b\x0c\r")


def wrapped_lines(text: str, width: int) -> int:
    """`len(textwrap.wrap(text, width, break_on_hyphens=False)) or 1`, counted without building
    the lines when the words are separated by single spaces and none is longer than `width`
    (nearly every intitulé; 2 000-row tableaux count thousands of them)."""
    words = text.split(" ")
    if any(not w or len(w) > width for w in words) or not _ODD_SPACES.isdisjoint(text):
        return len(textwrap.wrap(text, width, break_on_hyphens=False)) or 1
    lines, used = 1, len(words[0])
    for word in words[1:]:
        if used + 1 + len(word) <= width:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
    return lines


def _chars(width: float) -> int:
    """Characters of proportional text that fit on one line of a column `width` wide."""
    return max(1, int(width * 1.05) - 1)


def fit_height(
    ws: Worksheet,
    row: int,
    cells: Sequence[tuple[Any, float]],
    memo: dict[tuple[str, int], int] | None = None,
) -> None:
    """Row `row` as high as its tallest wrapped text (`row_height`)."""
    height = row_height(cells, memo)
    if height is not None:
        ws.row_dimensions[row].height = height


def row_height(
    cells: Sequence[tuple[Any, float]], memo: dict[tuple[str, int], int] | None = None
) -> float | None:
    """The height of a row holding these (text, column width) cells, None for one line; `memo`
    keeps the line counts of one sheet (the same porteurs, axes, objectifs and quartiers come
    back on many rows)."""
    lines = 1
    for text, width in cells:
        if not isinstance(text, str) or not text:
            continue
        key = (text, _chars(width))
        count = memo.get(key) if memo is not None else None
        if count is None:
            count = _text_lines(*key)
            if memo is not None:
                memo[key] = count
        lines = max(lines, count)
    return _LINE_HEIGHT * lines + 3 if lines > 1 else None
