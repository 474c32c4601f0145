"""The tableau de programmation (xlsx, DESIGN.md §8) and its synthesis sheets.

`export_programmation(db, campagne_id, path)` writes one workbook:

* « Programmation »: a title block (contrat, « Programmation 2026 — état provisoire », campagne,
  date of edition), a header row, one row per action (référence, porteur, intitulé, axe,
  objectif, quartiers, nouvelle/reconduite, coût total, « <code> demandé » / « <code> voté » per
  financeur, totals, taux, cotation F/H, score, décision, observations), then a totals row of
  `=SUBTOTAL(109, …)` formulas that stay right when a partner filters. An Excel table (with its
  own autofilter) covers the header and the data only, never the totals row; panes are frozen
  below the header; it prints at a readable size (exports/print_layout.py: one A4 or A3 page
  wide when the text stays ≥ 8 pt, else A3 at 75 % over several pages wide with référence and
  porteur repeated), title block and header repeated on every page;
* « Impression »: the same rows with the essential columns only (référence, porteur, intitulé,
  axe, quartiers, coût, totals demandé / voté, taux, décision), one A4 landscape page wide at
  ≥ 8 pt: the sheet to print for a comité or a partner;
* « Synthèse axes » (voté per axe × financeur), then one « Synthèse par <niveau> » per additional
  classification of the contrat (Saint-Omer: « Synthèse par ambition », services/synthese_classements.py),
  « Synthèse QPV » (demandé / voté per quartier,
  a dossier on several quartiers split equally), « Cotation F-H » (« / » is not allowed in a
  sheet name; demandé à l'entrée / voté à la sortie per level, with shares), « Enveloppes »
  (enveloppe, voté, reste in red when negative, taux d'utilisation per financeur). Their figures come from `SyntheseService`, the same
  aggregation as the dashboard; their totals are `=SUM` formulas.

Amounts are real numbers (euros, exact from integer cents) with a euro number format; user text
that a spreadsheet could take for a formula stays text (`xlsx_styles.write_text`). The workbook
asks for a full recalculation on load, since openpyxl stores formulas without cached results.

With `financeur_code` the workbook is that financeur's: only the dossiers where it is asked or
votes, only its columns, its name in the title (see `export_programmation_par_financeur`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from instructeur.domain.money import percent
from instructeur.domain.text import safe_filename
from instructeur.errors import UserError
from instructeur.exports.print_layout import setup_print
from instructeur.exports.xlsx_styles import os_reason, register_styles, write_text
from instructeur.services.synthese import (
    FinanceurRef,
    ProgrammationRow,
    SyntheseCampagne,
    SyntheseService,
)
from instructeur.services.synthese_classements import ClassificationSynthese, classification_syntheses
from instructeur.storage.db import Database

__all__ = ["ETATS", "export_programmation", "export_programmation_par_financeur"]

ETATS = ("provisoire", "définitif")
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


def _fraction(pct: Decimal | None) -> Decimal | None:
    """45.19 (%) → 0.4519, shown « 45,19 % » by the percent format."""
    return None if pct is None else pct.scaleb(-2)


def _date_fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _normalise_etat(etat: str) -> str:
    key = etat.strip().lower().replace("é", "e")
    if key == "provisoire":
        return "provisoire"
    if key == "definitif":
        return "définitif"
    raise UserError(f"état de la programmation inconnu : « {etat} » (provisoire ou définitif)")


# --- Column model of the « Programmation » sheet -------------------------------------------


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    kind: str  # text, wrap, center, euro, percent, score, cotation
    value: Callable[[ProgrammationRow], Any]
    total: bool = False  # SUBTOTAL(109) in the totals row


def _columns(financeurs: Sequence[FinanceurRef], *, single: bool = False) -> list[_Column]:
    """The columns; `single`: a financeur's workbook (its taux is its own voté / coût total)."""
    cols = [
        _Column("Référence", 12, "text", lambda r: r.reference),
        _Column("Porteur", 26, "wrap", lambda r: r.porteur),
        _Column("Intitulé de l'action", 38, "wrap", lambda r: r.intitule),
        _Column("Axe", 20, "wrap", lambda r: _code_titre(r.axe_code, r.axe_titre)),
        _Column(
            "Objectif",
            30,
            "wrap",
            lambda r: _code_titre(r.objectif_code, r.objectif_titre),
        ),
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
    return cols


def _demande_of(code: str) -> Callable[[ProgrammationRow], Decimal | None]:
    return lambda r: euros(r.demande.get(code) or None)  # blank when not asked


def _vote_of(code: str) -> Callable[[ProgrammationRow], Decimal | None]:
    return lambda r: euros(r.vote.get(code))


def _taux_of(code: str | None) -> Callable[[ProgrammationRow], Decimal | None]:
    if code is None:
        return lambda r: _fraction(r.taux)

    def taux(r: ProgrammationRow) -> Decimal | None:
        voted = r.vote.get(code)
        return None if voted is None else _fraction(percent(voted, r.cout_total_cents))

    return taux


def _code_titre(code: str, titre: str) -> str:
    return f"{code}. {titre}" if code else titre


_STYLE_OF_KIND = {
    "text": "ins_text",
    "wrap": "ins_wrap",
    "center": "ins_center",
    "euro": "ins_euro",
    "percent": "ins_percent",
    "score": "ins_score",
    "cotation": "ins_center",
}


# --- Public API ------------------------------------------------------------------------------


def export_programmation(
    db: Database,
    campagne_id: int,
    path: str | Path,
    *,
    financeur_code: str | None = None,
    etat: str = "provisoire",
    include_all: bool = False,
    edition: date | None = None,
) -> Path:
    """Write the tableau de programmation of a campagne; returns the path written.

    `etat`: « provisoire » or « définitif » (shown in the title); `include_all`: every recevable
    dossier (provisional table before the comité) instead of the dossiers that went to a comité;
    `edition`: the date printed in the title block (today by default).
    """
    etat = _normalise_etat(etat)
    target = Path(path)
    service = SyntheseService(db)
    synthese = service.campagne(campagne_id, financeur_code)  # raises for unknown campagne / code
    rows = service.programmation_rows(campagne_id, financeur_code, include_all=include_all)
    all_financeurs = service.financeurs(campagne_id)
    if financeur_code is not None:
        financeurs = [f for f in all_financeurs if f.code == synthese.financeur_code]
    else:
        financeurs = _used_financeurs(all_financeurs, synthese, rows)
    classements = classification_syntheses(db, campagne_id, financeur_code)
    wb = build_workbook(
        synthese, rows, financeurs, etat=etat, edition=edition or date.today(), classements=classements
    )
    _save(wb, target)
    return target


def export_programmation_par_financeur(
    db: Database,
    campagne_id: int,
    folder: str | Path,
    *,
    etat: str = "provisoire",
    include_all: bool = False,
    edition: date | None = None,
) -> list[Path]:
    """One workbook per financeur of the contrat in `folder` (created if needed), named
    « Programmation_<année>_<code>.xlsx » (safe file names)."""
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out} : dossier impossible à créer ({os_reason(exc)})") from exc
    service = SyntheseService(db)
    synthese = service.campagne(campagne_id)
    paths: list[Path] = []
    used: set[str] = set()
    for f in service.financeurs(campagne_id):
        stem = safe_filename(f"Programmation_{synthese.annee}_{f.code}")
        name, n = stem, 2
        while name.casefold() in used:  # two codes that differ only by accents or case
            name, n = f"{stem}_{n}", n + 1
        used.add(name.casefold())
        paths.append(
            export_programmation(
                db,
                campagne_id,
                out / f"{name}.xlsx",
                financeur_code=f.code,
                etat=etat,
                include_all=include_all,
                edition=edition,
            )
        )
    return paths


def _used_financeurs(
    financeurs: Sequence[FinanceurRef], synthese: SyntheseCampagne, rows: Sequence[ProgrammationRow]
) -> list[FinanceurRef]:
    """Financeurs with an enveloppe or an amount in the table (a contrat may list partners that
    fund nothing this year: no empty columns for them)."""
    by_code = {f.code: f for f in synthese.financeurs}
    used = []
    for f in financeurs:
        s = by_code.get(f.code)
        if (s is not None and s.enveloppe_cents > 0) or any(
            r.demande.get(f.code) or r.vote.get(f.code) for r in rows
        ):
            used.append(f)
    return used or list(financeurs)


def _save(wb: Workbook, target: Path) -> None:
    if target.is_dir():
        raise UserError(f"{target} : c'est un dossier, donnez un nom de fichier .xlsx")
    if not target.parent.exists():
        raise UserError(f"{target.parent} : dossier introuvable")
    try:
        wb.save(target)
    except OSError as exc:
        raise UserError(f"{target} : écriture impossible ({os_reason(exc)})") from exc


# --- Workbook --------------------------------------------------------------------------------


def build_workbook(
    synthese: SyntheseCampagne,
    rows: Sequence[ProgrammationRow],
    financeurs: Sequence[FinanceurRef],
    *,
    etat: str,
    edition: date,
    classements: Sequence[ClassificationSynthese] = (),
) -> Workbook:
    wb = Workbook()
    register_styles(wb)
    wb.calculation = CalcProperties(fullCalcOnLoad=True)
    wb.properties.creator = "Instructeur"
    wb.properties.title = f"Programmation {synthese.annee} — {synthese.contrat_nom}"
    financeur_nom = financeurs[0].nom if synthese.financeur_code and financeurs else None
    titles = _titles(synthese, etat, edition, financeur_nom)

    ws = wb.active
    assert ws is not None
    ws.title = "Programmation"
    single = synthese.financeur_code is not None
    _programmation_sheet(ws, titles, rows, financeurs, single=single)
    _impression_sheet(wb.create_sheet("Impression"), titles, rows, financeurs, single=single)
    _axes_sheet(wb.create_sheet("Synthèse axes"), titles, synthese)
    for k in classements:  # Saint-Omer: « Synthèse par ambition » (issue 13)
        _axes_sheet(wb.create_sheet(f"Synthèse par {k.niveau.lower()}"[:31]), titles, synthese, k)
    _qpv_sheet(wb.create_sheet("Synthèse QPV"), titles, synthese)
    _cotation_sheet(wb.create_sheet("Cotation F-H"), titles, synthese)
    _enveloppes_sheet(wb.create_sheet("Enveloppes"), titles, synthese)
    return wb


def _titles(synthese: SyntheseCampagne, etat: str, edition: date, financeur_nom: str | None) -> list[str]:
    second = f"Programmation {synthese.annee} — état {etat}"
    if financeur_nom:
        second += f" — {financeur_nom}"
    return [synthese.contrat_nom, second, synthese.libelle, f"Édité le {_date_fr(edition)}"]


def _title_block(ws: Worksheet, titles: list[str], sheet_title: str | None = None) -> None:
    lines = list(titles)
    if sheet_title:
        lines[1] = f"{lines[1]} — {sheet_title}"
    for n, text in enumerate(lines, start=1):
        write_text(ws, n, 1, text, "ins_title" if n == 1 else "ins_subtitle" if n == 2 else "ins_text")
    ws.row_dimensions[1].height = 20


def _header(ws: Worksheet, row: int, headers: Sequence[str], height: float = 45) -> None:
    for n, text in enumerate(headers, start=1):
        write_text(ws, row, n, text, "ins_header")
    ws.row_dimensions[row].height = height


def _page_setup(ws: Worksheet, print_rows: str, *, landscape: bool = True) -> None:
    """Readable print setup (print_layout): the widths are those already set on the sheet."""
    widths = [d.width for d in ws.column_dimensions.values() if d.width]
    setup_print(ws, widths, print_rows, landscape=landscape)


def _programmation_sheet(
    ws: Worksheet,
    titles: list[str],
    rows: Sequence[ProgrammationRow],
    financeurs: Sequence[FinanceurRef],
    *,
    single: bool,
) -> None:
    _table_sheet(ws, titles, rows, _columns(financeurs, single=single), "Programmation")


def _impression_sheet(
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
    sheet_title: str | None = None,
) -> None:
    _title_block(ws, titles, sheet_title)
    _header(ws, HEADER_ROW, [c.header for c in cols])
    styles = [_STYLE_OF_KIND[c.kind] for c in cols]
    wrapped = [(n, c.width) for n, c in enumerate(cols) if c.kind == "wrap"]

    row_number = FIRST_DATA_ROW
    for r in rows:
        values = [c.value(r) for c in cols]
        for n, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
            if isinstance(value, str):
                write_text(ws, row_number, n, value, style)
            else:
                cell = ws.cell(row=row_number, column=n, value=value)
                cell.style = style
        _fit_height(ws, row_number, [(values[n], width) for n, width in wrapped])
        row_number += 1
    last = row_number - 1
    last_col = get_column_letter(len(cols))

    if rows:
        table = Table(displayName=table_name, ref=f"A{HEADER_ROW}:{last_col}{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW}"

    # Totals row, right below the table: SUBTOTAL(109) ignores the rows a filter hides.
    total_row = last + 1
    data_last = max(last, FIRST_DATA_ROW)
    write_text(ws, total_row, 1, f"Total ({len(rows)} actions)" if rows else "Aucune action", "ins_total")
    col_of = {c.header: get_column_letter(n) for n, c in enumerate(cols, start=1)}
    for n, c in enumerate(cols, start=1):
        letter = get_column_letter(n)
        cell = ws.cell(row=total_row, column=n)
        if c.total:
            cell.value = f"=SUBTOTAL(109,{letter}{FIRST_DATA_ROW}:{letter}{data_last})"
            cell.style = "ins_total_euro"
        elif c.kind == "percent":
            voted = col_of.get("Total voté") or next((col_of[h] for h in col_of if h.endswith(" voté")), None)
            cost = col_of["Coût total"]
            if voted:
                den = f"SUBTOTAL(109,{cost}{FIRST_DATA_ROW}:{cost}{data_last})"
                num = f"SUBTOTAL(109,{voted}{FIRST_DATA_ROW}:{voted}{data_last})"
                cell.value = f'=IF({den}=0,"",{num}/{den})'
            cell.style = "ins_total_percent"
        elif n > 1:
            cell.style = "ins_total"
    ws.row_dimensions[total_row].height = 18

    for n, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(n)].width = c.width
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    _page_setup(ws, f"1:{HEADER_ROW}")


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


def _fit_height(ws: Worksheet, row: int, cells: Sequence[tuple[Any, float]]) -> None:
    lines = max((_lines(text, _chars(width)) for text, width in cells), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = _LINE_HEIGHT * lines + 3


# --- Synthesis sheets ------------------------------------------------------------------------


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
    _fit_height(ws, row, [(text, sum(widths) * 1.15)])


def _axes_sheet(
    ws: Worksheet, titles: list[str], s: SyntheseCampagne, k: ClassificationSynthese | None = None
) -> None:
    """Voté per axe × financeur; with `k`, per top-level node of that additional classification."""
    label = k.niveau if k is not None else "Axe"
    _title_block(ws, titles, f"voté par {label.lower()} et financeur")
    codes = [f.code for f in s.financeurs]
    widths = [44, 9, 9, *[13] * len(codes), 14, 14]
    headers = [label, "Actions", "Retenues", *[f"{c} voté" for c in codes], "Total voté", "Total demandé"]
    _header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for axe in s.axes if k is None else k.lignes:
        write_text(ws, row, 1, _code_titre(axe.code, axe.titre), "ins_wrap")
        ws.cell(row=row, column=2, value=axe.nb_dossiers).style = "ins_integer"
        ws.cell(row=row, column=3, value=axe.nb_retenus).style = "ins_integer"
        _money_row(
            ws,
            row,
            4,
            [axe.par_financeur[c].vote_cents for c in codes]
            + [axe.total.vote_cents, axe.total.demande_cents],
        )
        _fit_height(ws, row, [(_code_titre(axe.code, axe.titre), 44)])
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
    _page_setup(ws, f"1:{HEADER_ROW}")


def _qpv_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    _title_block(ws, titles, "par quartier")
    widths = [40, 11, 16, 9, 9, 15, 15, 11]
    headers = ["Quartier", "Code", "Type", "Actions", "Retenues", "Demandé", "Voté", "Part du voté"]
    _header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for q in s.quartiers:
        write_text(ws, row, 1, q.nom, "ins_wrap")
        _fit_height(ws, row, [(q.nom, widths[0])])
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
    _page_setup(ws, f"1:{HEADER_ROW}", landscape=False)


def _cotation_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    _title_block(ws, titles, "cotation égalité femmes-hommes")
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
    _header(ws, HEADER_ROW, headers)
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
    _page_setup(ws, f"1:{HEADER_ROW}", landscape=False)


def _enveloppes_sheet(ws: Worksheet, titles: list[str], s: SyntheseCampagne) -> None:
    _title_block(ws, titles, "enveloppes des financeurs")
    widths = [16, 46, 15, 15, 15, 15, 15, 13]
    headers = ["Code", "Financeur", "Enveloppe", "Demandé", "Proposé", "Voté", "Reste", "Taux d'utilisation"]
    _header(ws, HEADER_ROW, headers)
    row = FIRST_DATA_ROW
    for f in s.financeurs:
        write_text(ws, row, 1, f.code, "ins_text")
        write_text(ws, row, 2, f.nom, "ins_wrap")
        _fit_height(ws, row, [(f.nom, widths[1])])
        _money_row(ws, row, 3, [f.enveloppe_cents, f.demande_cents, f.propose_cents, f.vote_cents])
        ws.cell(row=row, column=7, value=euros(f.reste_cents)).style = "ins_euro_signed"
        ws.cell(row=row, column=8, value=_fraction(f.taux_utilisation)).style = "ins_percent"
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
    _page_setup(ws, f"1:{HEADER_ROW}")
