"""The synthesis sheets of the tableau de programmation (exports/programmation.py): « Synthèse axes »
and one « Synthèse par <niveau> » per additional classification, « Synthèse QPV », « Cotation F-H »,
« Enveloppes ». Their figures come from `SyntheseService` (the dashboard's aggregation); their totals
are `=SUM` formulas."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from instructeur.exports.programmation_cells import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    code_titre,
    euros,
    fit_height,
    fraction,
    header,
    page_setup,
    title_block,
)
from instructeur.exports.xlsx_styles import write_text
from instructeur.services.synthese import SyntheseCampagne
from instructeur.services.synthese_classements import ClassificationSynthese

__all__ = ["axes_sheet", "cotation_sheet", "enveloppes_sheet", "qpv_sheet"]


def _money_row(
    ws: Worksheet, row: int, start_col: int, values: Sequence[int], style: str = "ins_euro"
) -> None:
    for n, cents in enumerate(values, start=start_col):
        ws.cell(row=row, column=n, value=euros(cents)).style = style


def _sum_row(ws: Worksheet, row: int, first: int, last: int, columns: Sequence[int], style: str) -> None:
    for n in columns:
        letter = get_column_letter(n)
        cell = ws.cell(row=row, column=n, value=f"=SUM({letter}{first}:{letter}{last})")
        cell.style = style


def _share(
    ws: Worksheet, row: int, column: int, value_col: int, total_row: int, style: str = "ins_percent"
) -> None:
    v = f"{get_column_letter(value_col)}{row}"
    t = f"${get_column_letter(value_col)}${total_row}"
    ws.cell(row=row, column=column, value=f'=IF({t}=0,"",{v}/{t})').style = style


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width


def _note(ws: Worksheet, row: int, text: str, widths: Sequence[float]) -> None:
    """An explanatory line under a table, wrapped within the table's width (so that it does not
    widen the printed page)."""
    write_text(ws, row, 1, text, "ins_note_wrap")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
    fit_height(ws, row, [(text, sum(widths) * 1.15)])


def axes_sheet(
    ws: Worksheet, titles: list[str], s: SyntheseCampagne, k: ClassificationSynthese | None = None
) -> None:
    """Voté per axe × financeur; with `k`, per top-level node of that additional classification."""
    label = k.niveau if k is not None else "Axe"
    title_block(ws, titles, f"voté par {label.lower()} et financeur")
    codes = [f.code for f in s.financeurs]
    widths = [44, 9, 9, *[13] * len(codes), 14, 14]
    headers = [label, "Actions", "Retenues", *[f"{c} voté" for c in codes], "Total voté", "Total demandé"]
    header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for axe in s.axes if k is None else k.lignes:
        write_text(ws, row, 1, code_titre(axe.code, axe.titre), "ins_wrap")
        ws.cell(row=row, column=2, value=axe.nb_dossiers).style = "ins_integer"
        ws.cell(row=row, column=3, value=axe.nb_retenus).style = "ins_integer"
        _money_row(
            ws,
            row,
            4,
            [axe.par_financeur[c].vote_cents for c in codes]
            + [axe.total.vote_cents, axe.total.demande_cents],
        )
        fit_height(ws, row, [(code_titre(axe.code, axe.titre), 44)])
        row += 1
    last = row - 1
    write_text(ws, row, 1, "Total", "ins_total")
    _sum_row(ws, row, FIRST_DATA_ROW, max(last, FIRST_DATA_ROW), [2, 3], "ins_total_integer")
    _sum_row(ws, row, FIRST_DATA_ROW, max(last, FIRST_DATA_ROW), range(4, len(headers) + 1), "ins_total_euro")
    _note(
        ws,
        row + 2,
        "Actions recevables rattachées à l'axe de leur objectif principal ; voté : actions retenues en comité."
        if k is None
        else f"{k.nom} : actions recevables classées dans chaque {label.lower()} ou l'un de ses "
        "sous-niveaux ; voté : actions retenues en comité.",
        widths,
    )
    _widths(ws, widths)
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    page_setup(ws, f"1:{HEADER_ROW}")


def qpv_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    title_block(ws, titles, "par quartier")
    widths = [40, 11, 16, 9, 9, 15, 15, 11]
    headers = ["Quartier", "Code", "Type", "Actions", "Retenues", "Demandé", "Voté", "Part du voté"]
    header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for q in s.quartiers:
        write_text(ws, row, 1, q.nom, "ins_wrap")
        fit_height(ws, row, [(q.nom, widths[0])])
        write_text(ws, row, 2, q.code or "", "ins_text")
        write_text(ws, row, 3, q.type_label, "ins_text")
        ws.cell(row=row, column=4, value=q.nb_dossiers).style = "ins_integer"
        ws.cell(row=row, column=5, value=q.nb_retenus).style = "ins_integer"
        _money_row(ws, row, 6, [q.demande_cents, q.vote_cents])
        row += 1
    last = row - 1
    total_row = row
    for r in range(FIRST_DATA_ROW, total_row):
        _share(ws, r, 8, 7, total_row)
    write_text(ws, total_row, 1, "Total", "ins_total")
    for n in (2, 3, 4, 5):
        ws.cell(row=total_row, column=n).style = "ins_total"
    _sum_row(ws, total_row, FIRST_DATA_ROW, max(last, FIRST_DATA_ROW), [6, 7], "ins_total_euro")
    _share(ws, total_row, 8, 7, total_row, "ins_total_percent")
    _note(
        ws,
        total_row + 2,
        "Une action menée sur plusieurs quartiers est répartie à parts égales entre eux, au centime près "
        "(le reste sur le premier quartier par ordre alphabétique) : les colonnes s'additionnent.",
        widths,
    )
    _note(
        ws,
        total_row + 3,
        "« Actions » compte chaque action dans chacun de ses quartiers (une action sur deux quartiers "
        "compte deux fois) ; demandé : actions recevables ; voté : actions retenues.",
        widths,
    )
    _widths(ws, widths)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    page_setup(ws, f"1:{HEADER_ROW}", landscape=False)


def cotation_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    title_block(ws, titles, "cotation égalité femmes-hommes")
    widths = [40, 11, 16, 9, 11, 16, 9]
    headers = [
        "Niveau de cotation",
        "Actions à l'entrée",
        "Demandé à l'entrée",
        "Part",
        "Actions retenues",
        "Voté à la sortie",
        "Part",
    ]
    header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for c in s.cotations:
        write_text(ws, row, 1, c.label, "ins_wrap")
        ws.cell(row=row, column=2, value=c.nb_entree).style = "ins_integer"
        ws.cell(row=row, column=3, value=euros(c.demande_entree_cents)).style = "ins_euro"
        ws.cell(row=row, column=5, value=c.nb_sortie).style = "ins_integer"
        ws.cell(row=row, column=6, value=euros(c.vote_sortie_cents)).style = "ins_euro"
        row += 1
    total_row = row
    for r in range(FIRST_DATA_ROW, total_row):
        _share(ws, r, 4, 3, total_row)
        _share(ws, r, 7, 6, total_row)
    write_text(ws, total_row, 1, "Total", "ins_total")
    _sum_row(ws, total_row, FIRST_DATA_ROW, total_row - 1, [2, 5], "ins_total_integer")
    _sum_row(ws, total_row, FIRST_DATA_ROW, total_row - 1, [3, 6], "ins_total_euro")
    _share(ws, total_row, 4, 3, total_row, "ins_total_percent")
    _share(ws, total_row, 7, 6, total_row, "ins_total_percent")
    _note(
        ws,
        total_row + 2,
        "Entrée : actions recevables, classées selon la cotation déclarée par le porteur (à défaut, "
        "la cotation instruite).",
        widths,
    )
    _note(
        ws,
        total_row + 3,
        "Sortie : actions retenues en comité, classées selon la cotation instruite (à défaut, la cotation "
        "déclarée).",
        widths,
    )
    _widths(ws, widths)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    page_setup(ws, f"1:{HEADER_ROW}", landscape=False)


def enveloppes_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    title_block(ws, titles, "enveloppes des financeurs")
    widths = [16, 46, 15, 15, 15, 15, 15, 13]
    headers = ["Code", "Financeur", "Enveloppe", "Demandé", "Proposé", "Voté", "Reste", "Taux d'utilisation"]
    header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for f in s.financeurs:
        write_text(ws, row, 1, f.code, "ins_text")
        write_text(ws, row, 2, f.nom, "ins_wrap")
        fit_height(ws, row, [(f.nom, widths[1])])
        _money_row(ws, row, 3, [f.enveloppe_cents, f.demande_cents, f.propose_cents, f.vote_cents])
        ws.cell(row=row, column=7, value=euros(f.reste_cents)).style = "ins_euro_signed"
        ws.cell(row=row, column=8, value=fraction(f.taux_utilisation)).style = "ins_percent"
        row += 1
    last = row - 1
    total_row = row
    write_text(ws, total_row, 1, "Total", "ins_total")
    ws.cell(row=total_row, column=2).style = "ins_total"
    _sum_row(ws, total_row, FIRST_DATA_ROW, max(last, FIRST_DATA_ROW), [3, 4, 5, 6], "ins_total_euro")
    _sum_row(ws, total_row, FIRST_DATA_ROW, max(last, FIRST_DATA_ROW), [7], "ins_total_euro_signed")
    ws.cell(
        row=total_row, column=8, value=f'=IF(C{total_row}=0,"",F{total_row}/C{total_row})'
    ).style = "ins_total_percent"
    _note(
        ws,
        total_row + 2,
        "Reste = enveloppe − voté (en rouge quand l'enveloppe est dépassée) ; demandé et proposé : actions "
        "recevables ; voté : actions retenues en comité.",
        widths,
    )
    _widths(ws, widths)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    page_setup(ws, f"1:{HEADER_ROW}")
