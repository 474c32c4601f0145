"""Writing an évaluateur's scoring file (« Notation », « Aide », the hidden « _instructeur » sheet)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.coinstruction.scoring_format import (
    COMMENT_HEADER,
    CONFLIT_HEADER,
    FIRST_CRITERE_COLUMN,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    HELP_SHEET,
    IDENTITY,
    META_SHEET,
    MOTIF_HEADER,
    PROTECTION_NOTE,
    SCALE_ROW,
    SHEET,
    TOTAL_HEADER,
    FileCritere,
    RowValues,
    fingerprint,
    shorten,
)
from instructeur.errors import NotFoundError, UserError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Contrat,
    Critere,
    Dossier,
    Evaluateur,
    Evaluation,
    Grille,
    LigneFinancement,
    Note,
    Porteur,
)

# --- Export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ExportRow:
    evaluation_id: int
    version: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    cout_total_cents: int
    demande_cents: int
    values: RowValues


@dataclass(frozen=True)
class _Content:
    """What a scoring file holds, read in one session."""

    meta: dict[str, Any]
    criteria: tuple[FileCritere, ...]
    rows: list[_ExportRow]
    help_rows: list[tuple[Any, ...]]
    left_out: list[str]  # dossiers notés on an older grille version, not in this file


def export_scoring_file(db: Database, campagne_id: int, evaluateur_id: int, path: str | Path) -> Path:
    """Writes the évaluateur's scoring file for the dossiers confiés in this campagne (module doc)."""
    from openpyxl import Workbook

    from instructeur.exports.xlsx_styles import os_reason, register_styles

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    content = _content(db, campagne_id, evaluateur_id)
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    _write_notation(ws, content.meta, content.criteria, content.rows, content.left_out)
    _write_help(wb.create_sheet(HELP_SHEET), content.meta, content.help_rows)
    _write_meta(wb.create_sheet(META_SHEET), content.meta, content.criteria, content.rows)
    try:
        wb.save(target)
    except OSError as exc:
        raise UserError(f"{target} : écriture impossible ({os_reason(exc)})") from exc
    return target


def _content(db: Database, campagne_id: int, evaluateur_id: int) -> _Content:
    with db.session() as s:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        contrat = s.get(Contrat, campagne.contrat_id)
        evaluateur = s.get(Evaluateur, evaluateur_id)
        if evaluateur is None or contrat is None or evaluateur.contrat_id != contrat.id:
            raise NotFoundError(f"évaluateur {evaluateur_id} introuvable dans ce contrat")
        evals = list(
            s.execute(
                select(Evaluation, Dossier, Porteur.raison_sociale, Grille.numero_version)
                .join(Dossier, Dossier.id == Evaluation.dossier_id)
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .join(Grille, Grille.id == Evaluation.grille_id)
                .where(Dossier.campagne_id == campagne_id, Evaluation.evaluateur_id == evaluateur_id)
                .order_by(Dossier.reference)
            )
        )
        if not evals:
            raise UserError(
                f"aucun dossier de la campagne {campagne.annee} n'est confié à {evaluateur.nom} : "
                "confiez-lui des dossiers avant de préparer son fichier de notation"
            )
        # One grille per file: the most recent version among the évaluations (module doc).
        grille_id, _ = max(
            ((ev.grille_id, version) for ev, _, _, version in evals), key=lambda gv: (gv[1], gv[0])
        )
        grille = s.get(Grille, grille_id)
        assert grille is not None
        criteres = list(
            s.scalars(
                select(Critere).where(Critere.grille_id == grille_id).order_by(Critere.position, Critere.id)
            )
        )
        file_criteria = _file_criteria(criteres)
        meta = {
            "format": FORMAT,
            "campagne_id": campagne.id,
            "campagne": f"{campagne.annee} — {campagne.libelle}",
            "contrat": contrat.nom,
            "evaluateur_id": evaluateur.id,
            "evaluateur": evaluateur.nom,
            "grille_id": grille.id,
            "grille_version": grille.numero_version,
            "grille_nom": grille.nom,
            "empreinte_grille": fingerprint(c.key() for c in file_criteria),
            "exporte_le": datetime.now().isoformat(timespec="seconds"),
            "exporte_par": audit.current_user(),
        }
        return _Content(
            meta=meta,
            criteria=file_criteria,
            rows=_export_rows(
                s, [(ev, d, porteur) for ev, d, porteur, _ in evals if ev.grille_id == grille_id]
            ),
            help_rows=[
                (
                    c.section,
                    c.libelle,
                    c.aide,
                    c.echelle_min,
                    c.echelle_max,
                    json.loads(c.niveaux) if c.niveaux else [],
                    c.poids,
                    c.eliminatoire,
                )
                for c in criteres
            ],
            left_out=sorted(d.reference for ev, d, _, _ in evals if ev.grille_id != grille_id),
        )


def _file_criteria(criteres: Sequence[Critere]) -> tuple[FileCritere, ...]:
    return tuple(
        FileCritere(
            id=c.id,
            number=n,
            libelle=c.libelle,
            header=f"{n}. {shorten(c.libelle, 60)}",
            echelle_min=c.echelle_min,
            echelle_max=c.echelle_max,
            poids=c.poids,
            column=FIRST_CRITERE_COLUMN + n - 1,
        )
        for n, c in enumerate(criteres, start=1)
    )


def _export_rows(s: Session, evals: Sequence[tuple[Evaluation, Dossier, str]]) -> list[_ExportRow]:
    """One row per évaluation, with its notes and the dossier's total demandé to the financeurs."""
    notes: dict[int, dict[int, int]] = {}
    for eid, cid, valeur in s.execute(
        select(Note.evaluation_id, Note.critere_id, Note.valeur).where(
            Note.evaluation_id.in_([ev.id for ev, _, _ in evals])
        )
    ):
        notes.setdefault(eid, {})[cid] = valeur
    demandes: dict[int, int] = {}
    for did, cents in s.execute(
        select(LigneFinancement.dossier_id, LigneFinancement.demande_cents).where(
            LigneFinancement.dossier_id.in_([d.id for _, d, _ in evals]),
            LigneFinancement.financeur_id.is_not(None),
        )
    ):
        demandes[did] = demandes.get(did, 0) + int(cents)
    return [
        _ExportRow(
            evaluation_id=ev.id,
            version=ev.version,
            reference=d.reference,
            porteur=porteur,
            intitule=d.intitule,
            quartiers=", ".join(q.nom for q in d.quartiers),
            cout_total_cents=d.cout_total_cents,
            demande_cents=demandes.get(d.id, 0),
            values=RowValues.of(notes.get(ev.id, {}), ev.conflit, ev.conflit_motif, ev.commentaire),
        )
        for ev, d, porteur in evals
    ]


_GREY = "F2F2F2"
_INPUT = "FFFFFF"


@dataclass(frozen=True)
class _Columns:
    """The columns after the criteria: total, conflit, motif, commentaire (the last one)."""

    total: int
    conflit: int
    motif: int
    comment: int

    @classmethod
    def after(cls, criteria: Sequence[FileCritere]) -> _Columns:
        total = FIRST_CRITERE_COLUMN + len(criteria)
        return cls(total, total + 1, total + 2, total + 3)


def _write_notation(
    ws: Any,
    meta: Mapping[str, Any],
    criteria: Sequence[FileCritere],
    rows: Sequence[_ExportRow],
    left_out: Sequence[str],
) -> None:
    from openpyxl.styles import Alignment, Font

    cols = _Columns.after(criteria)
    _notation_title(ws, meta, left_out, cols)
    _notation_headers(ws, criteria, cols)
    for offset, row in enumerate(rows):
        _notation_row(ws, FIRST_ROW + offset, row, criteria, cols)
    _notation_validations(ws, criteria, cols, FIRST_ROW + len(rows) - 1 if rows else None)
    _notation_page(ws, criteria, cols)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A5"].alignment = Alignment(wrap_text=True, vertical="top")


def _notation_title(ws: Any, meta: Mapping[str, Any], left_out: Sequence[str], cols: _Columns) -> None:
    from instructeur.exports.xlsx_styles import write_text

    ws["A1"] = f"Fiche de notation — {meta['evaluateur']}"
    ws["A1"].style = "ins_title"
    write_text(ws, 2, 1, f"Contrat : {meta['contrat']}", "ins_subtitle")
    write_text(ws, 3, 1, f"Campagne : {meta['campagne']}", "ins_subtitle")
    write_text(
        ws,
        4,
        1,
        f"Grille : {meta['grille_nom']} (version {meta['grille_version']}) — "
        f"fichier préparé le {datetime.fromisoformat(meta['exporte_le']):%d/%m/%Y}",
        "ins_subtitle",
    )
    instructions = (
        "Saisissez une note entière par critère dans les cellules blanches (l'échelle est sous chaque "
        "en-tête ; le détail des niveaux est dans la feuille « Aide »). En cas de conflit d'intérêts avec "
        "un porteur, écrivez « oui » dans la colonne « Conflit d'intérêts », précisez le motif (les notes "
        "de la ligne ne seront pas prises en compte). Le total /20 se calcule seul. Ne modifiez ni les en-têtes ni les colonnes : "
        f"renvoyez le fichier tel quel au chef de projet. ({PROTECTION_NOTE}.)"
    )
    if left_out:
        instructions += (
            f" Dossiers notés sur une version antérieure de la grille, absents de ce fichier : "
            f"{', '.join(left_out)}."
        )
    write_text(ws, 5, 1, instructions, "ins_note_wrap")
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=min(cols.comment, 12))
    ws.row_dimensions[5].height = 58


def _notation_headers(ws: Any, criteria: Sequence[FileCritere], cols: _Columns) -> None:
    """The header row and, below it, each criterion's scale (its levels in a comment)."""
    from openpyxl.comments import Comment

    headers = [name for name, _ in IDENTITY] + [c.header for c in criteria]
    headers += [TOTAL_HEADER, CONFLIT_HEADER, MOTIF_HEADER, COMMENT_HEADER]
    for col, text in enumerate(headers, start=1):
        ws.cell(HEADER_ROW, col, text).style = "ins_header"
        ws.cell(SCALE_ROW, col).style = "ins_header"
    ws.row_dimensions[HEADER_ROW].height = 75
    for c in criteria:
        cell = ws.cell(SCALE_ROW, c.column, c.scale_text)
        cell.style = "ins_header"
        levels = f"Poids {c.poids}. Échelle {c.scale_text}."
        ws.cell(HEADER_ROW, c.column).comment = Comment(f"{c.libelle}\n{levels}", "Instructeur", 120, 260)
    ws.cell(SCALE_ROW, cols.total, "formule")
    ws.cell(SCALE_ROW, cols.conflit, "oui / non")
    for col in (cols.total, cols.conflit):
        ws.cell(SCALE_ROW, col).style = "ins_header"


def _total_formula(r: int, criteria: Sequence[FileCritere], cols: _Columns) -> str | None:
    """The row's total /20 (weighted, each note brought to 0–1), empty while a note is missing or
    when a conflict is declared; None without a weighted criterion."""
    from openpyxl.utils import get_column_letter

    weighted = [c for c in criteria if c.poids > 0]
    sum_poids = sum(c.poids for c in weighted)
    if not weighted or not sum_poids:
        return None
    letters = [f"{get_column_letter(c.column)}{r}" for c in weighted]
    terms = "+".join(
        f"{c.poids}*({get_column_letter(c.column)}{r}-{c.echelle_min})/{c.echelle_max - c.echelle_min}"
        for c in weighted
    )
    return (
        f'=IF(OR({get_column_letter(cols.conflit)}{r}="oui",COUNT({",".join(letters)})<{len(weighted)}),"",'
        f"ROUND(20*({terms})/{sum_poids},2))"
    )


def _notation_row(ws: Any, r: int, row: _ExportRow, criteria: Sequence[FileCritere], cols: _Columns) -> None:
    """A dossier's row: identity greyed and locked, notes / conflit / motif / commentaire white and
    unlocked, the total's formula."""
    from openpyxl.styles import Border, PatternFill, Protection, Side

    from instructeur.exports.xlsx_styles import write_text

    grey = PatternFill("solid", fgColor=_GREY)
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    write_text(ws, r, 1, row.reference)
    write_text(ws, r, 2, row.porteur, "ins_wrap")
    write_text(ws, r, 3, row.intitule, "ins_wrap")
    write_text(ws, r, 4, row.quartiers, "ins_wrap")
    ws.cell(r, 5, row.cout_total_cents / 100).style = "ins_euro"
    ws.cell(r, 6, row.demande_cents / 100).style = "ins_euro"
    for col in range(1, FIRST_CRITERE_COLUMN):
        ws.cell(r, col).fill = grey
    notes = row.values.notes_dict
    for c in criteria:
        ws.cell(r, c.column, notes.get(c.id)).style = "ins_center"
    formula = _total_formula(r, criteria, cols)
    if formula is not None:
        ws.cell(r, cols.total, formula).style = "ins_score"
    ws.cell(r, cols.total).fill = grey
    ws.cell(r, cols.conflit, "oui" if row.values.conflit else "non").style = "ins_center"
    write_text(ws, r, cols.motif, row.values.motif, "ins_wrap")
    write_text(ws, r, cols.comment, row.values.commentaire, "ins_wrap")
    for col in [c.column for c in criteria] + [cols.conflit, cols.motif, cols.comment]:
        cell = ws.cell(r, col)
        cell.protection = Protection(locked=False)
        cell.fill = PatternFill("solid", fgColor=_INPUT)
    for col in range(1, cols.comment + 1):
        ws.cell(r, col).border = box
    ws.row_dimensions[r].height = 30


def _notation_validations(
    ws: Any, criteria: Sequence[FileCritere], cols: _Columns, last_row: int | None
) -> None:
    """Whole notes within each scale, « oui » / « non » for the conflict (`last_row`: None without rows)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for c in criteria:
        letter = get_column_letter(c.column)
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1=str(c.echelle_min),
            formula2=str(c.echelle_max),
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle="Note hors de l'échelle",
            error=f"Saisissez un nombre entier de {c.echelle_min} à {c.echelle_max}.",
            promptTitle=shorten(f"{c.number}. {c.libelle}", 32),
            prompt=shorten(f"Note entière de {c.echelle_min} à {c.echelle_max}.", 250),
        )
        ws.add_data_validation(dv)
        if last_row is not None:
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
    dv_conflit = DataValidation(
        type="list",
        formula1='"oui,non"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Conflit d'intérêts",
        error="Répondez « oui » ou « non ».",
    )
    ws.add_data_validation(dv_conflit)
    if last_row is not None:
        letter = get_column_letter(cols.conflit)
        dv_conflit.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")


def _notation_page(ws: Any, criteria: Sequence[FileCritere], cols: _Columns) -> None:
    """Widths, frozen identity, landscape A4 one page wide, the sheet protected without password."""
    from openpyxl.utils import get_column_letter

    for col, (_, width) in enumerate(IDENTITY, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for c in criteria:
        ws.column_dimensions[get_column_letter(c.column)].width = 14
    ws.column_dimensions[get_column_letter(cols.total)].width = 10
    ws.column_dimensions[get_column_letter(cols.conflit)].width = 13
    ws.column_dimensions[get_column_letter(cols.motif)].width = 28
    ws.column_dimensions[get_column_letter(cols.comment)].width = 45
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    ws.print_title_rows = f"{HEADER_ROW}:{SCALE_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.protection.sheet = True  # no password: a convenience (module doc)
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _write_help(ws: Any, meta: Mapping[str, Any], criteria: Sequence[tuple[Any, ...]]) -> None:
    from openpyxl.utils import get_column_letter

    from instructeur.exports.xlsx_styles import write_text

    ws["A1"] = f"Grille d'analyse — {meta['grille_nom']} (version {meta['grille_version']})"
    ws["A1"].style = "ins_title"
    write_text(
        ws,
        2,
        1,
        "Chaque critère se note par un nombre entier sur son échelle. Le total /20 pondère chaque "
        "critère par son poids (un critère de poids 0 ne compte pas).",
        "ins_note",
    )
    headers = (
        "N°",
        "Section",
        "Critère",
        "Aide à la notation",
        "Échelle",
        "Niveaux",
        "Poids",
        "Éliminatoire",
    )
    widths = (5, 22, 34, 60, 9, 40, 7, 12)
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        ws.cell(4, col, text).style = "ins_header"
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, (section, libelle, aide, low, high, niveaux, poids, elim) in enumerate(criteria, start=1):
        r = 4 + n
        ws.cell(r, 1, n).style = "ins_center"
        write_text(ws, r, 2, section, "ins_wrap")
        write_text(ws, r, 3, libelle, "ins_wrap")
        write_text(ws, r, 4, aide, "ins_wrap")
        ws.cell(r, 5, f"{low}–{high}").style = "ins_center"
        levels = (
            "\n".join(f"{low + i} : {label}" for i, label in enumerate(niveaux) if label)
            or f"de {low} (minimum) à {high} (maximum)"
        )
        write_text(ws, r, 6, levels, "ins_wrap")
        ws.cell(r, 7, poids).style = "ins_center"
        ws.cell(r, 8, "oui" if elim else "non").style = "ins_center"
        ws.row_dimensions[r].height = max(45, 15 * (len(niveaux) + 1))
    ws.freeze_panes = "A5"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_meta(
    ws: Any, meta: Mapping[str, Any], criteria: Sequence[FileCritere], rows: Sequence[_ExportRow]
) -> None:
    total_col = FIRST_CRITERE_COLUMN + len(criteria)
    entries = dict(meta)
    entries["criteres"] = json.dumps(
        [
            {
                "id": c.id,
                "numero": c.number,
                "libelle": c.libelle,
                "entete": c.header,
                "min": c.echelle_min,
                "max": c.echelle_max,
                "poids": c.poids,
                "colonne": c.column,
            }
            for c in criteria
        ],
        ensure_ascii=False,
    )
    entries["colonnes"] = json.dumps(
        {"total": total_col, "conflit": total_col + 1, "motif": total_col + 2, "commentaire": total_col + 3}
    )
    ws.cell(1, 1, "clé")
    ws.cell(1, 2, "valeur")
    r = 2
    for key, value in entries.items():
        ws.cell(r, 1, key)
        ws.cell(r, 2, str(value)).data_type = "s"
        r += 1
    r += 1
    ws.cell(r, 1, "lignes")
    for col, text in enumerate(
        ("référence", "évaluation", "version_base", "empreinte_base", "valeurs_base"), 2
    ):
        ws.cell(r, col, text)
    for row in rows:
        r += 1
        ws.cell(r, 1, "ligne")
        ws.cell(r, 2, row.reference).data_type = "s"
        ws.cell(r, 3, row.evaluation_id)
        ws.cell(r, 4, row.version)
        ws.cell(r, 5, row.values.digest())
        ws.cell(r, 6, row.values.to_json()).data_type = "s"
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
