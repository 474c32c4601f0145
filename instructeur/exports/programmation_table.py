"""The « Programmation » and « Impression » sheets of the tableau de programmation
(exports/programmation.py): their column model and the table (header, one row per action, an
Excel table with its autofilter, a totals row of `=SUBTOTAL(109, …)` formulas, frozen panes, the
readable print setup).

When the contrat has additional classifications (Saint-Omer's ambitions › engagements, issue 13),
« Programmation » carries one column per classification right after « Objectif »: the code and
title of the node the action is classé in, empty when it is not. « Impression » keeps its
essential columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from instructeur.domain.money import percent
from instructeur.exports.programmation_cells import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    code_titre,
    euros,
    fraction,
    header,
    page_setup,
    row_height,
    title_block,
)
from instructeur.exports.xlsx_bulk import bulk_rows
from instructeur.exports.xlsx_styles import style_arrays, write_text
from instructeur.services.synthese import FinanceurRef, ProgrammationRow
from instructeur.services.synthese_classements import ClassificationSynthese

__all__ = ["classement_header", "impression_sheet", "programmation_sheet"]


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    kind: str  # text, wrap, center, euro, percent, score, cotation
    value: Callable[[ProgrammationRow], Any]
    total: bool = False  # SUBTOTAL(109) in the totals row


def _columns(
    financeurs: Sequence[FinanceurRef],
    *,
    single: bool = False,
    classements: Sequence[ClassificationSynthese] = (),
) -> list[_Column]:
    """The columns; `single`: a financeur's workbook (its taux is its own voté / coût total);
    `classements`: one column each, after « Objectif »."""
    cols = [
        _Column("Référence", 12, "text", lambda r: r.reference),
        _Column("Porteur", 26, "wrap", lambda r: r.porteur),
        _Column("Intitulé de l'action", 38, "wrap", lambda r: r.intitule),
        _Column("Axe", 20, "wrap", lambda r: code_titre(r.axe_code, r.axe_titre)),
        _Column("Objectif", 30, "wrap", lambda r: code_titre(r.objectif_code, r.objectif_titre)),
        _Column("Quartiers", 20, "wrap", lambda r: r.quartiers),
        _Column("Nouvelle / reconduite", 12, "center", lambda r: r.nature_label),
        _Column("Coût total", 14, "euro", lambda r: euros(r.cout_total_cents), total=True),
    ]
    for f in financeurs:
        cols.append(_Column(f"{f.code} demandé", 13, "euro", _demande_of(f.code), total=True))
        cols.append(_Column(f"{f.code} voté", 13, "euro", _vote_of(f.code), total=True))
    if len(financeurs) > 1:
        cols.append(_Column("Total demandé", 14, "euro", lambda r: euros(r.total_demande_cents), total=True))
        cols.append(_Column("Total voté", 14, "euro", lambda r: euros(r.total_vote_cents), total=True))
    cols += [
        _Column("Taux (voté / coût)", 10, "percent", _taux_of(financeurs[0].code if single else None)),
        _Column(
            "Cotation F/H", 9, "cotation", lambda r: r.cotation if r.cotation is not None else "non cotée"
        ),
        _Column("Score /20", 8, "score", lambda r: r.score),
        _Column("Décision", 12, "center", lambda r: r.decision_label),
        _Column("Observations", 30, "wrap", lambda r: r.observations),
    ]
    after_objectif = [c.header for c in cols].index("Objectif") + 1
    cols[after_objectif:after_objectif] = _classement_columns(classements, {c.header for c in cols})
    return cols


def _classement_columns(classements: Sequence[ClassificationSynthese], taken: set[str]) -> list[_Column]:
    """One column per classification, as wide as « Objectif »; a header already used (an Excel table
    wants unique column names) gets the classification's code."""
    used = {h.casefold() for h in taken}
    out = []
    for k in classements:
        title = classement_header(k)
        if title.casefold() in used:
            title = f"{title} ({k.code})"
        used.add(title.casefold())
        out.append(_Column(title, 30, "wrap", _noeud_of(k)))
    return out


def classement_header(k: ClassificationSynthese) -> str:
    """« Ambition / engagement » (its level names), else its name."""
    if not k.niveaux:
        return k.nom
    first, *rest = k.niveaux
    return " / ".join([first, *(_lower_initial(n) for n in rest)])


def _lower_initial(word: str) -> str:
    """« Engagement » → « engagement »; an acronym (« QPV ») stays as it is."""
    return word[0].lower() + word[1:] if len(word) > 1 and word[1].islower() else word


def _noeud_of(k: ClassificationSynthese) -> Callable[[ProgrammationRow], str]:
    def noeud(r: ProgrammationRow) -> str:
        node = k.noeuds.get(r.dossier_id)
        return code_titre(*node) if node is not None else ""

    return noeud


def _demande_of(code: str) -> Callable[[ProgrammationRow], Decimal | None]:
    return lambda r: euros(r.demande.get(code) or None)  # blank when not asked


def _vote_of(code: str) -> Callable[[ProgrammationRow], Decimal | None]:
    return lambda r: euros(r.vote.get(code))


def _taux_of(code: str | None) -> Callable[[ProgrammationRow], Decimal | None]:
    if code is None:
        return lambda r: fraction(r.taux)

    def taux(r: ProgrammationRow) -> Decimal | None:
        voted = r.vote.get(code)
        return None if voted is None else fraction(percent(voted, r.cout_total_cents))

    return taux


_STYLE_OF_KIND = {
    "text": "ins_text",
    "wrap": "ins_wrap",
    "center": "ins_center",
    "euro": "ins_euro",
    "percent": "ins_percent",
    "score": "ins_score",
    "cotation": "ins_center",
}


def programmation_sheet(
    ws: Worksheet,
    titles: list[str],
    rows: Sequence[ProgrammationRow],
    financeurs: Sequence[FinanceurRef],
    *,
    single: bool,
    classements: Sequence[ClassificationSynthese] = (),
) -> None:
    _table_sheet(
        ws, titles, rows, _columns(financeurs, single=single, classements=classements), "Programmation"
    )


def impression_sheet(
    ws: Worksheet,
    titles: list[str],
    rows: Sequence[ProgrammationRow],
    financeurs: Sequence[FinanceurRef],
    *,
    single: bool,
) -> None:
    """The essential columns, one A4 landscape page wide at a readable size (issue 11 §8); the
    « Programmation » sheet and the per-financeur workbooks carry the detail."""
    by_header = {c.header: c for c in _columns(financeurs, single=single)}
    picked = [
        _Column(c.header, _PRINT_WIDTHS.get(c.header, c.width), c.kind, c.value, c.total)
        for h, c in by_header.items()
        if h in _PRINT_WIDTHS or (len(financeurs) == 1 and h.endswith((" demandé", " voté")))
    ]
    _table_sheet(ws, titles, rows, picked, "Impression")
    ws.freeze_panes = None


# The « Impression » sheet's columns and their widths (narrower than on screen, text wraps).
_PRINT_WIDTHS = {
    "Référence": 11,
    "Porteur": 22,
    "Intitulé de l'action": 34,
    "Axe": 16,
    "Quartiers": 16,
    "Coût total": 12.5,
    "Total demandé": 12.5,
    "Total voté": 12.5,
    "Taux (voté / coût)": 8,
    "Décision": 11,
}


def _table_sheet(
    ws: Worksheet,
    titles: list[str],
    rows: Sequence[ProgrammationRow],
    cols: Sequence[_Column],
    table_name: str,
) -> None:
    title_block(ws, titles)
    header(ws, HEADER_ROW, [c.header for c in cols])
    styles = [_STYLE_OF_KIND[c.kind] for c in cols]
    formats = style_arrays(ws.parent)
    arrays = [formats[style] for style in styles]
    wrapped = [(n, c.width) for n, c in enumerate(cols) if c.kind == "wrap"]

    row_number = FIRST_DATA_ROW
    memo: dict[tuple[str, int], int] = {}
    data = bulk_rows(ws)  # ~35 000 cells for 2 000 dossiers: written without openpyxl cells
    for r in rows:
        values = [c.value(r) for c in cols]
        data.add(row_number, values, arrays, row_height([(values[n], width) for n, width in wrapped], memo))
        row_number += 1
    last = row_number - 1
    last_col = get_column_letter(len(cols))

    if rows:
        table = Table(displayName=table_name, ref=f"A{HEADER_ROW}:{last_col}{last}")
        # named here: openpyxl would otherwise create every cell of the table to read the header
        table.tableColumns = [TableColumn(id=n, name=c.header) for n, c in enumerate(cols, start=1)]
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW}"
    _totals_row(ws, cols, last + 1, len(rows))

    for n, (c, array) in enumerate(zip(cols, arrays, strict=True), start=1):
        dimension = ws.column_dimensions[get_column_letter(n)]
        dimension.width = c.width
        # the column's format for the table's empty cells, which are not written
        # (`Dimension.style` is only the index of a format already in the workbook)
        dimension._style = StyleArray(array)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    page_setup(ws, f"1:{HEADER_ROW}")


def _totals_row(ws: Worksheet, cols: Sequence[_Column], total_row: int, count: int) -> None:
    """Right below the table: SUBTOTAL(109) ignores the rows a filter hides. The columns are found
    by their header, never by a fixed letter (the classification columns shift them)."""
    data_last = max(total_row - 1, FIRST_DATA_ROW)
    write_text(ws, total_row, 1, f"Total ({count} actions)" if count else "Aucune action", "ins_total")
    col_of = {c.header: get_column_letter(n) for n, c in enumerate(cols, start=1)}
    for n, c in enumerate(cols, start=1):
        letter = get_column_letter(n)
        cell = ws.cell(row=total_row, column=n)
        if c.total:
            cell.value = f"=SUBTOTAL(109,{letter}{FIRST_DATA_ROW}:{letter}{data_last})"
            cell.style = "ins_total_euro"
        elif c.kind == "percent":
            voted = col_of.get("Total voté") or next(
                (col_of[t.header] for t in cols if t.total and t.header.endswith(" voté")), None
            )
            cost = col_of["Coût total"]
            if voted:
                den = f"SUBTOTAL(109,{cost}{FIRST_DATA_ROW}:{cost}{data_last})"
                num = f"SUBTOTAL(109,{voted}{FIRST_DATA_ROW}:{voted}{data_last})"
                cell.value = f'=IF({den}=0,"",{num}/{den})'
            cell.style = "ins_total_percent"
        elif n > 1:
            cell.style = "ins_total"
    ws.row_dimensions[total_row].height = 18
