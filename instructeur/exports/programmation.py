"""The tableau de programmation (xlsx, DESIGN.md §8) and its synthesis sheets.

`export_programmation(db, campagne_id, path)` writes one workbook:

* « Programmation »: a title block (contrat, « Programmation 2026 — état provisoire », campagne,
  date of edition), a header row, one row per action (référence, porteur, intitulé, axe,
  objectif, one column per additional classification of the contrat — Saint-Omer: « Ambition /
  engagement », the node the action is classé in —, quartiers, nouvelle/reconduite, coût total, « <code> demandé » / « <code> voté » per
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

The sheets are written by exports/programmation_table.py (« Programmation », « Impression ») and
exports/programmation_syntheses.py (the synthesis sheets), with the shared cells of
exports/programmation_cells.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl.workbook.properties import CalcProperties

from instructeur.domain.text import safe_filename
from instructeur.errors import UserError
from instructeur.exports.programmation_syntheses import (
    axes_sheet,
    cotation_sheet,
    enveloppes_sheet,
    qpv_sheet,
)
from instructeur.exports.programmation_table import impression_sheet, programmation_sheet
from instructeur.exports.xlsx_bulk import BulkWorkbook
from instructeur.exports.xlsx_styles import os_reason, register_styles
from instructeur.services.synthese import (
    FinanceurRef,
    ProgrammationRow,
    SyntheseCampagne,
    SyntheseService,
)
from instructeur.services.synthese_classements import ClassificationSynthese
from instructeur.storage.db import Database

__all__ = [
    "ETATS",
    "build_workbook",
    "export_programmation",
    "export_programmation_par_financeur",
    "used_financeurs",
]

ETATS = ("provisoire", "définitif")


def _date_fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _normalise_etat(etat: str) -> str:
    key = etat.strip().lower().replace("é", "e")
    if key == "provisoire":
        return "provisoire"
    if key == "definitif":
        return "définitif"
    raise UserError(f"état de la programmation inconnu : « {etat} » (provisoire ou définitif)")


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
    # one loading of the campagne for every sheet; raises for an unknown campagne or code
    data = SyntheseService(db).programmation(campagne_id, financeur_code, include_all=include_all)
    synthese, rows, classements = data.synthese, data.rows, data.classements
    if financeur_code is not None:
        financeurs = [f for f in data.financeurs if f.code == synthese.financeur_code]
    else:
        financeurs = used_financeurs(data.financeurs, synthese, rows)
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


def used_financeurs(
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


def _save(wb: BulkWorkbook, target: Path) -> None:
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
) -> BulkWorkbook:
    wb = BulkWorkbook()
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
    programmation_sheet(ws, titles, rows, financeurs, single=single, classements=classements)
    impression_sheet(wb.create_sheet("Impression"), titles, rows, financeurs, single=single)
    axes_sheet(wb.create_sheet("Synthèse axes"), titles, synthese)
    for k in classements:  # Saint-Omer: « Synthèse par ambition » (issue 13)
        axes_sheet(wb.create_sheet(f"Synthèse par {k.niveau.lower()}"[:31]), titles, synthese, k)
    qpv_sheet(wb.create_sheet("Synthèse QPV"), titles, synthese)
    cotation_sheet(wb.create_sheet("Cotation F-H"), titles, synthese)
    enveloppes_sheet(wb.create_sheet("Enveloppes"), titles, synthese)
    return wb


def _titles(synthese: SyntheseCampagne, etat: str, edition: date, financeur_nom: str | None) -> list[str]:
    second = f"Programmation {synthese.annee} — état {etat}"
    if financeur_nom:
        second += f" — {financeur_nom}"
    return [synthese.contrat_nom, second, synthese.libelle, f"Édité le {_date_fr(edition)}"]
