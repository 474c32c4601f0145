"""Named cell styles of Instructeur's workbooks, registered once per workbook.

A named style is one `cellStyleXfs` record whatever the number of cells using it (many
per-cell `Font()`/`NumberFormat` combinations bloat the file and slow openpyxl down). Amounts are
real numbers with a euro number format — never pre-formatted strings — so partners can sum,
filter and sort them in Excel or LibreOffice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from instructeur.domain.text import needs_formula_guard

__all__ = [
    "EURO",
    "os_reason",
    "EURO_SIGNED",
    "PERCENT",
    "SCORE",
    "STYLES",
    "put_row",
    "register_styles",
    "style_arrays",
    "write_text",
]

# « 12 500,50 € » in a French Excel / LibreOffice; the format code always uses « , » and « . »
# in their English roles, the application displays them in the user's locale.
EURO = '#,##0.00\\ "€"'
# Negative amounts in red (an exceeded enveloppe).
EURO_SIGNED = EURO + ";[Red]\\-" + EURO
PERCENT = "0.00\\ %"
SCORE = "0.00"
INTEGER = "0"

_THIN = Side(style="thin", color="A6A6A6")
_MEDIUM = Side(style="medium", color="404040")
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)
_RIGHT_TOP = Alignment(horizontal="right", vertical="top")
_CENTER_TOP = Alignment(horizontal="center", vertical="top")


def _style(name: str, **kwargs: Any) -> NamedStyle:
    return NamedStyle(name=name, **kwargs)


def _total(name: str, number_format: str = "General", alignment: Alignment = _RIGHT_TOP) -> NamedStyle:
    return _style(
        name,
        font=Font(bold=True),
        fill=_TOTAL_FILL,
        border=Border(top=_MEDIUM, bottom=_THIN),
        number_format=number_format,
        alignment=alignment,
    )


STYLES: tuple[NamedStyle, ...] = (
    _style("ins_title", font=Font(bold=True, size=14)),
    _style("ins_subtitle", font=Font(bold=True, size=11, color="404040")),
    _style("ins_note", font=Font(italic=True, size=9, color="595959")),
    _style("ins_note_wrap", font=Font(italic=True, size=9, color="595959"), alignment=_TOP_WRAP),
    _style(
        "ins_header",
        font=Font(bold=True),
        fill=_HEADER_FILL,
        border=Border(bottom=_MEDIUM, top=_THIN, left=_THIN, right=_THIN),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    ),
    _style("ins_text", alignment=_TOP),
    _style("ins_wrap", alignment=_TOP_WRAP),
    _style("ins_center", alignment=_CENTER_TOP),
    _style("ins_euro", number_format=EURO, alignment=_RIGHT_TOP),
    _style("ins_euro_signed", number_format=EURO_SIGNED, alignment=_RIGHT_TOP),
    _style("ins_percent", number_format=PERCENT, alignment=_RIGHT_TOP),
    _style("ins_score", number_format=SCORE, alignment=_RIGHT_TOP),
    _style("ins_integer", number_format=INTEGER, alignment=_RIGHT_TOP),
    _total("ins_total", alignment=Alignment(horizontal="left", vertical="top")),
    _total("ins_total_euro", EURO),
    _total("ins_total_euro_signed", EURO_SIGNED),
    _total("ins_total_percent", PERCENT),
    _total("ins_total_integer", INTEGER),
)


def register_styles(wb: Workbook) -> None:
    """Add Instructeur's named styles to `wb` (idempotent)."""
    existing = set(wb.style_names)
    for style in STYLES:
        if style.name not in existing:
            wb.add_named_style(_copy(style))


def _copy(style: NamedStyle) -> NamedStyle:
    # A NamedStyle object is bound to one workbook once added: give each workbook its own.
    return NamedStyle(
        name=style.name,
        font=style.font,
        fill=style.fill,
        border=style.border,
        alignment=style.alignment,
        number_format=style.number_format,
        protection=style.protection,
    )


def write_text(ws: Any, row: int, column: int, text: str | None, style: str = "ins_text") -> Any:
    """Write user text as text, never as a formula (CSV/formula injection: « =HYPERLINK(…) »,
    « -Atelier », « @foo », « +33… » stay what the user typed)."""
    cell = ws.cell(row=row, column=column)
    value = text or ""
    cell.value = value
    cell.style = style
    _keep_text(cell, value)
    return cell


def _keep_text(cell: Cell, value: Any) -> None:
    if isinstance(value, str) and value and needs_formula_guard(value):
        cell.data_type = "s"  # openpyxl made it a formula when it starts with « = »
        cell.quotePrefix = True  # Excel keeps it text even when the user edits the cell


def style_arrays(wb: Workbook) -> dict[str, StyleArray]:
    """The cell format of each named style of `wb`, by name, for `put_row`: openpyxl's
    `cell.style = name` looks the name up in a list at every cell (a third of the time of a
    2 000-row tableau de programmation)."""
    return {ns.name: ns.as_tuple() for ns in wb._named_styles}


def put_row(ws: Worksheet, row: int, values: Sequence[Any], arrays: Sequence[StyleArray]) -> None:
    """Write a row of new cells, value n with cell format `arrays[n]` (`style_arrays`); user text
    stays text as with `write_text`. Empty values get no cell: give their column the format so
    that what a partner types there is formatted alike."""
    for column, (value, array) in enumerate(zip(values, arrays, strict=True), start=1):
        if value is None or value == "":
            continue
        cell = Cell(ws, row=row, column=column, value=value, style_array=array)  # copies the array
        _keep_text(cell, value)
        ws._add_cell(cell)


def os_reason(exc: OSError) -> str:
    """A short French reason for a failed file operation."""
    import errno  # a full disk, a read-only folder: the words of errors.system_error (H10)

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disque plein : libérez de la place puis recommencez"
    if exc.errno == errno.EROFS:
        return "dossier en lecture seule"
    if isinstance(exc, PermissionError):
        return "accès refusé"
    if isinstance(exc, FileNotFoundError):
        return "chemin introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier"
    return f"erreur système : {exc.strerror or exc}"
