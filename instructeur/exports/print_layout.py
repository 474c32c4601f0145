"""Print setup that stays readable on paper (issue 11 §8).

A sheet fitted to one page width prints its 11 pt text at `scale × 11` points: 31 columns on one
A3 width printed at about 4 pt. `setup_print` measures the columns and chooses, in order: one A4
page width, one A3 page width, or — when even A3 would shrink the text below `MIN_SCALE` — A3
landscape at a fixed `MIN_SCALE` over several pages width, with the identifying columns repeated on
each page. The text therefore never prints under `BODY_FONT_PT × MIN_SCALE` points.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["BODY_FONT_PT", "MIN_SCALE", "column_points", "effective_scale", "printable_width", "setup_print"]

BODY_FONT_PT = 11.0  # the workbook's default font (Calibri 11)
MIN_SCALE = 0.75  # 11 pt × 0.75 = 8.25 pt on paper
SIDE_MARGIN_IN = 0.4
_PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_PT_PER_MM = 72 / 25.4


def column_points(width: float) -> float:
    """Printed width in points of a column `width` characters wide (Excel: 7 px per character of
    Calibri 11 plus 5 px of padding, 96 px per inch)."""
    return (width * 7 + 5) * 0.75


def printable_width(paper: str, *, landscape: bool) -> float:
    short, long = _PAPER_MM[paper]
    return (long if landscape else short) * _PT_PER_MM - 2 * SIDE_MARGIN_IN * 72


def effective_scale(ws: Worksheet) -> float:
    """The scale at which `ws` prints, from its saved page setup and column widths (what Excel and
    LibreOffice compute for « fit to one page wide »)."""
    setup = ws.page_setup
    if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
        widths = [d.width or 8.43 for d in ws.column_dimensions.values() if not d.hidden]
        paper = "A3" if int(setup.paperSize or 9) == ws.PAPERSIZE_A3 else "A4"
        fit = printable_width(paper, landscape=setup.orientation == "landscape") * (setup.fitToWidth or 1)
        return min(1.0, fit / sum(column_points(w) for w in widths))
    return (setup.scale or 100) / 100


def setup_print(
    ws: Worksheet,
    widths: Sequence[float],
    print_rows: str,
    *,
    landscape: bool = True,
    title_cols: str = "A:B",
) -> None:
    """Page setup of a table whose columns are `widths` characters wide."""
    total = sum(column_points(w) for w in widths)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    for paper, size in (("A4", ws.PAPERSIZE_A4), ("A3", ws.PAPERSIZE_A3)):
        if printable_width(paper, landscape=landscape) / total >= MIN_SCALE:
            ws.page_setup.paperSize = size
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0  # as many pages tall as needed
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            break
    else:  # too wide for one readable page: a fixed scale, several pages wide
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3
        ws.page_setup.scale = round(MIN_SCALE * 100)
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_title_cols = title_cols
    ws.print_title_rows = print_rows
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "Page &P / &N"
    ws.oddFooter.right.text = "&A"
    ws.print_options.horizontalCentered = True
