"""Offline co-instruction: the scoring file (.xlsx) of one évaluateur, and its import back.

**The file.** `export_scoring_file` writes a workbook an évaluateur fills in Excel or LibreOffice:

* « Notation »: a title block (contrat, campagne, évaluateur, grille and its version, instructions
  in French), one row per dossier confié (référence, porteur, intitulé, quartiers, coût total,
  demandé: read-only, grey), one column per criterion (header « 1. libellé », the scale « 0–3 » on
  the row below) with a data validation (whole number in the scale, French message), the total
  /20 as a formula (for the évaluateur's convenience only: it is never read back), « Conflit
  d'intérêts (oui/non) » (list validation), « Motif du conflit », « Commentaire ». The sheet is
  protected **without password** so that only the input cells take a typing: a convenience
  against slips, not security (Révision ▸ Ôter la protection).
* « Aide »: each criterion's section, libellé, aide, scale with its level labels, poids.
* « _instructeur » (very hidden): format version, campagne, contrat, évaluateur, grille id +
  version + a **fingerprint** (sha256 of the criteria ids, scales and weights, in order), the
  criteria and their columns, and per dossier the évaluation id, its **base version** and a hash
  of its **base values** (notes, conflit, motif, commentaire at export time).

**The import.** `read_scoring_file` parses and validates (French problems naming the sheet, the
row and the column; never a traceback). `plan_import` refuses a file of another campagne or of an
évaluateur unknown here, and a **tampered grille** (fingerprint or headers ≠ the grille of those
évaluations), then classifies each row by comparing three states — base (at export), fichier,
base de données (now):

===================  =================================  ==========================================
kind                 when                               import does
===================  =================================  ==========================================
``inchangee``        fichier = base, base de données =   nothing
                     base
``base_seule``       fichier = base, base de données     nothing (the database's change is kept)
                     changed
``a_mettre_a_jour``  fichier ≠ base, base de données =   writes the file's values
                     base
``identique``        fichier ≠ base, fichier = base de   nothing (both made the same change)
                     données
``conflit``          fichier ≠ base, base de données     the user chooses: « fichier » or « base »
                     ≠ base, fichier ≠ base de données
===================  =================================  ==========================================

« Changed » compares **values** (the hash), not only the version: a change undone in the database
is no conflict. `apply_import` refuses while a conflict has no resolution and writes everything in
one transaction (same rules as `NotationService.save_matrix`: version check, notes within the
scale, audit log), all or nothing.

Values are compared in canonical form: a row in conflict of interest carries no notes (the notes
stored before a conflict stay in the database but leave the aggregate, as with
`NotationService.declare_conflict`), a row without conflict carries no motif.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from instructeur.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
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

__all__ = [
    "FORMAT",
    "KIND_LABELS",
    "NOT_A_SCORING_FILE",
    "FileCritere",
    "FileRow",
    "ImportOutcome",
    "ImportPlan",
    "PlanRow",
    "RowValues",
    "ScoringFile",
    "apply_import",
    "export_scoring_file",
    "fingerprint",
    "plan_import",
    "read_scoring_file",
]

FORMAT = "instructeur-notation/1"
SHEET = "Notation"
HELP_SHEET = "Aide"
META_SHEET = "_instructeur"
SCORING_FILE_MAX_UNCOMPRESSED = 20 * 1024 * 1024  # a campagne's scoring file is well under 1 Mo
NOT_A_SCORING_FILE = "ce fichier n'est pas un fichier de notation Instructeur"
GRILLE_MISMATCH = "la grille du fichier ne correspond pas à celle de la campagne"
PROTECTION_NOTE = "feuille protégée sans mot de passe (Révision ▸ Ôter la protection)"

HEADER_ROW = 7
SCALE_ROW = 8
FIRST_ROW = 9
IDENTITY = (
    ("Référence", 13),
    ("Porteur", 26),
    ("Intitulé", 38),
    ("Quartiers", 22),
    ("Coût total", 13),
    ("Demandé", 13),
)
FIRST_CRITERE_COLUMN = len(IDENTITY) + 1
TOTAL_HEADER = "Total /20"
CONFLIT_HEADER = "Conflit d'intérêts (oui/non)"
MOTIF_HEADER = "Motif du conflit"
COMMENT_HEADER = "Commentaire"

Kind = Literal["inchangee", "base_seule", "a_mettre_a_jour", "identique", "conflit"]
KIND_LABELS: dict[str, str] = {
    "inchangee": "inchangée",
    "base_seule": "modifiée dans la base seulement (gardée)",
    "a_mettre_a_jour": "à mettre à jour",
    "identique": "déjà identique",
    "conflit": "conflit",
}
Resolution = Literal["fichier", "base"]


# --- Values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowValues:
    """What an évaluateur decides on one dossier, in canonical form (module doc)."""

    notes: tuple[tuple[int, int], ...] = ()  # (critère id, note), sorted by critère id
    conflit: bool = False
    motif: str = ""
    commentaire: str = ""

    @classmethod
    def of(
        cls, notes: Mapping[int, int], conflit: bool, motif: str | None, commentaire: str | None
    ) -> RowValues:
        return cls(
            notes=() if conflit else tuple(sorted((int(k), int(v)) for k, v in notes.items())),
            conflit=bool(conflit),
            motif=(motif or "").strip() if conflit else "",
            commentaire=(commentaire or "").strip(),
        )

    @property
    def notes_dict(self) -> dict[int, int]:
        return dict(self.notes)

    def to_json(self) -> str:
        return json.dumps(
            {
                "notes": [[k, v] for k, v in self.notes],
                "conflit": self.conflit,
                "motif": self.motif,
                "commentaire": self.commentaire,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> RowValues:
        data = json.loads(text)
        return cls(
            notes=tuple(sorted((int(k), int(v)) for k, v in data.get("notes", []))),
            conflit=bool(data.get("conflit")),
            motif=str(data.get("motif") or ""),
            commentaire=str(data.get("commentaire") or ""),
        )

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def describe(self, criteria: Sequence[FileCritere]) -> str:
        """« 1. Public : 2 · 2. Cohérence : — … » or « conflit d'intérêts (motif) », then the comment."""
        if self.conflit:
            text = f"conflit d'intérêts ({self.motif})" if self.motif else "conflit d'intérêts"
        else:
            notes = self.notes_dict
            text = " · ".join(f"{c.number}. {c.short} : {notes.get(c.id, '—')}" for c in criteria)
        if self.commentaire:
            text += f" ; commentaire : « {self.commentaire} »"
        return text


def fingerprint(criteria: Iterable[tuple[int, int, int, int]]) -> str:
    """sha256 of the criteria (id, min, max, poids), in the grille's order."""
    payload = json.dumps([list(c) for c in criteria], separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class FileCritere:
    id: int
    number: int  # 1-based position in the grille
    libelle: str
    header: str  # the header cell's text
    echelle_min: int
    echelle_max: int
    poids: int
    column: int  # 1-based column of « Notation »

    @property
    def short(self) -> str:
        return _short(self.libelle, 40)

    @property
    def scale_text(self) -> str:
        return f"{self.echelle_min}–{self.echelle_max}"

    def key(self) -> tuple[int, int, int, int]:
        return (self.id, self.echelle_min, self.echelle_max, self.poids)


@dataclass(frozen=True)
class FileRow:
    excel_row: int
    reference: str
    evaluation_id: int
    base_version: int
    base_hash: str
    base_values: RowValues | None
    values: RowValues


@dataclass(frozen=True)
class ScoringFile:
    path: Path
    campagne_id: int
    campagne_label: str  # « 2026 — Appel à projets »
    contrat: str
    evaluateur_id: int
    evaluateur_nom: str
    grille_id: int
    grille_version: int
    fingerprint: str
    criteria: tuple[FileCritere, ...]
    rows: tuple[FileRow, ...]
    exported_at: str = ""


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


def export_scoring_file(db: Database, campagne_id: int, evaluateur_id: int, path: str | Path) -> Path:
    """Writes the évaluateur's scoring file for the dossiers confiés in this campagne (module doc)."""
    from openpyxl import Workbook

    from instructeur.exports.xlsx_styles import os_reason, register_styles

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
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
        grille_id, grille_version = max(
            ((ev.grille_id, version) for ev, _, _, version in evals), key=lambda gv: (gv[1], gv[0])
        )
        left_out = sorted(d.reference for ev, d, _, _ in evals if ev.grille_id != grille_id)
        grille = s.get(Grille, grille_id)
        assert grille is not None
        criteres = list(
            s.scalars(
                select(Critere).where(Critere.grille_id == grille_id).order_by(Critere.position, Critere.id)
            )
        )
        ids = [ev.id for ev, d, _, _ in evals if ev.grille_id == grille_id]
        notes: dict[int, dict[int, int]] = {}
        for eid, cid, valeur in s.execute(
            select(Note.evaluation_id, Note.critere_id, Note.valeur).where(Note.evaluation_id.in_(ids))
        ):
            notes.setdefault(eid, {})[cid] = valeur
        dossier_ids = [d.id for ev, d, _, _ in evals if ev.grille_id == grille_id]
        demandes: dict[int, int] = {}
        for did, cents in s.execute(
            select(LigneFinancement.dossier_id, LigneFinancement.demande_cents).where(
                LigneFinancement.dossier_id.in_(dossier_ids), LigneFinancement.financeur_id.is_not(None)
            )
        ):
            demandes[did] = demandes.get(did, 0) + int(cents)
        rows = [
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
            for ev, d, porteur, _ in evals
            if ev.grille_id == grille_id
        ]
        file_criteria = tuple(
            FileCritere(
                id=c.id,
                number=n,
                libelle=c.libelle,
                header=f"{n}. {_short(c.libelle, 60)}",
                echelle_min=c.echelle_min,
                echelle_max=c.echelle_max,
                poids=c.poids,
                column=FIRST_CRITERE_COLUMN + n - 1,
            )
            for n, c in enumerate(criteres, start=1)
        )
        help_rows = [
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
        ]
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

    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    _write_notation(ws, meta, file_criteria, rows, left_out)
    _write_help(wb.create_sheet(HELP_SHEET), meta, help_rows)
    _write_meta(wb.create_sheet(META_SHEET), meta, file_criteria, rows)
    try:
        wb.save(target)
    except OSError as exc:
        raise UserError(f"{target} : écriture impossible ({os_reason(exc)})") from exc
    return target


_GREY = "F2F2F2"
_INPUT = "FFFFFF"


def _write_notation(
    ws: Any,
    meta: Mapping[str, Any],
    criteria: Sequence[FileCritere],
    rows: Sequence[_ExportRow],
    left_out: Sequence[str],
) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from instructeur.exports.xlsx_styles import write_text

    grey = PatternFill("solid", fgColor=_GREY)
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)
    n_crit = len(criteria)
    total_col = FIRST_CRITERE_COLUMN + n_crit
    conflit_col, motif_col, comment_col = total_col + 1, total_col + 2, total_col + 3
    last_col = comment_col

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
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=min(last_col, 12))
    ws.row_dimensions[5].height = 58

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
    ws.cell(SCALE_ROW, total_col, "formule")
    ws.cell(SCALE_ROW, conflit_col, "oui / non")
    for col in (total_col, conflit_col):
        ws.cell(SCALE_ROW, col).style = "ins_header"

    weighted = [c for c in criteria if c.poids > 0]
    sum_poids = sum(c.poids for c in weighted)
    last_row = FIRST_ROW + len(rows) - 1
    for offset, row in enumerate(rows):
        r = FIRST_ROW + offset
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
            cell = ws.cell(r, c.column, notes.get(c.id))
            cell.style = "ins_center"
        letters = [f"{get_column_letter(c.column)}{r}" for c in weighted]
        conflit_ref = f"{get_column_letter(conflit_col)}{r}"
        if weighted and sum_poids:
            terms = "+".join(
                f"{c.poids}*({get_column_letter(c.column)}{r}-{c.echelle_min})/{c.echelle_max - c.echelle_min}"
                for c in weighted
            )
            formula = (
                f'=IF(OR({conflit_ref}="oui",COUNT({",".join(letters)})<{len(weighted)}),"",'
                f"ROUND(20*({terms})/{sum_poids},2))"
            )
            ws.cell(r, total_col, formula).style = "ins_score"
        ws.cell(r, total_col).fill = grey
        ws.cell(r, conflit_col, "oui" if row.values.conflit else "non").style = "ins_center"
        write_text(ws, r, motif_col, row.values.motif, "ins_wrap")
        write_text(ws, r, comment_col, row.values.commentaire, "ins_wrap")
        for col in [c.column for c in criteria] + [conflit_col, motif_col, comment_col]:
            cell = ws.cell(r, col)
            cell.protection = unlocked
            cell.fill = PatternFill("solid", fgColor=_INPUT)
        for col in range(1, last_col + 1):
            ws.cell(r, col).border = box
        ws.row_dimensions[r].height = 30

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
            promptTitle=_short(f"{c.number}. {c.libelle}", 32),
            prompt=_short(f"Note entière de {c.echelle_min} à {c.echelle_max}.", 250),
        )
        ws.add_data_validation(dv)
        if rows:
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
    if rows:
        letter = get_column_letter(conflit_col)
        dv_conflit.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")

    for col, (_, width) in enumerate(IDENTITY, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for c in criteria:
        ws.column_dimensions[get_column_letter(c.column)].width = 14
    ws.column_dimensions[get_column_letter(total_col)].width = 10
    ws.column_dimensions[get_column_letter(conflit_col)].width = 13
    ws.column_dimensions[get_column_letter(motif_col)].width = 28
    ws.column_dimensions[get_column_letter(comment_col)].width = 45
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
    ws["A1"].font = Font(bold=True, size=14)
    ws["A5"].alignment = Alignment(wrap_text=True, vertical="top")


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


# --- Read ------------------------------------------------------------------------------------


def read_scoring_file(path: str | Path) -> ScoringFile:
    """Parses and validates a scoring file; `UserError` / `ValidationError` in French otherwise."""
    from openpyxl.utils import get_column_letter

    from instructeur.imports.limits import open_workbook

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} : fichier introuvable")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserError(f"{path.name} : {NOT_A_SCORING_FILE} (attendu : un classeur .xlsx)")
    # Untrusted file: zip limits and defusedxml first; a scoring file is small, loaded in full.
    wb = open_workbook(path, read_only=False, max_uncompressed=SCORING_FILE_MAX_UNCOMPRESSED)
    try:
        if META_SHEET not in wb.sheetnames:
            raise UserError(f"{path.name} : {NOT_A_SCORING_FILE}")
        meta, lines = _read_meta(wb[META_SHEET], path)
        if SHEET not in wb.sheetnames:
            raise UserError(f"{path.name} : la feuille « {SHEET} » a disparu du fichier de notation")
        ws = wb[SHEET]
        try:
            criteria = tuple(
                FileCritere(
                    id=int(c["id"]),
                    number=int(c["numero"]),
                    libelle=str(c["libelle"]),
                    header=str(c["entete"]),
                    echelle_min=int(c["min"]),
                    echelle_max=int(c["max"]),
                    poids=int(c["poids"]),
                    column=int(c["colonne"]),
                )
                for c in json.loads(meta["criteres"])
            )
            columns = {k: int(v) for k, v in json.loads(meta["colonnes"]).items()}
            sf_fingerprint = str(meta["empreinte_grille"])
        except (KeyError, ValueError, TypeError) as exc:
            raise UserError(
                f"{path.name} : {NOT_A_SCORING_FILE} (informations de la grille illisibles)"
            ) from exc
        # Tampered grille: metadata vs its fingerprint, then the visible headers and scales.
        if fingerprint(c.key() for c in criteria) != sf_fingerprint:
            raise UserError(f"{path.name} : {GRILLE_MISMATCH} (échelles ou poids modifiés dans le fichier)")
        for c in criteria:
            header = _text(ws.cell(HEADER_ROW, c.column).value)
            if header != c.header:
                raise UserError(f"{path.name} : {GRILLE_MISMATCH} (critère « {c.header} » modifié)")
            if _text(ws.cell(SCALE_ROW, c.column).value) != c.scale_text:
                raise UserError(
                    f"{path.name} : {GRILLE_MISMATCH} (critère « {c.header} » : échelle modifiée)"
                )
        expected = {
            columns["total"]: TOTAL_HEADER,
            columns["conflit"]: CONFLIT_HEADER,
            columns["motif"]: MOTIF_HEADER,
            columns["commentaire"]: COMMENT_HEADER,
        }
        for col, text in expected.items():
            if _text(ws.cell(HEADER_ROW, col).value) != text:
                found = _text(ws.cell(HEADER_ROW, col).value)
                what = f"« {found} » à la place de « {text} »" if found else f"colonne « {text} » déplacée"
                raise UserError(f"{path.name} : {GRILLE_MISMATCH} (critère ajouté ou supprimé : {what})")

        def where(row: int, col: int, header: str) -> str:
            return f"feuille « {SHEET} », ligne {row}, colonne {get_column_letter(col)} (« {header} »)"

        problems: list[str] = []
        rows: list[FileRow] = []
        seen: dict[str, int] = {}
        for r in range(FIRST_ROW, ws.max_row + 1):
            reference = _text(ws.cell(r, 1).value)
            if not reference:
                continue
            line = lines.get(reference)
            if line is None:
                problems.append(
                    f"feuille « {SHEET} », ligne {r} : le dossier « {reference} » n'était pas dans ce "
                    "fichier de notation à son envoi"
                )
                continue
            if reference in seen:
                problems.append(
                    f"feuille « {SHEET} », ligne {r} : le dossier « {reference} » figure déjà ligne {seen[reference]}"
                )
                continue
            seen[reference] = r
            notes: dict[int, int] = {}
            for c in criteria:
                raw = ws.cell(r, c.column).value
                value, problem = _score(raw, c)
                if problem:
                    problems.append(f"{where(r, c.column, c.header)} : {problem}")
                elif value is not None:
                    notes[c.id] = value
            raw_conflit = _text(ws.cell(r, columns["conflit"]).value).lower()
            if raw_conflit in ("", "non", "n", "false", "faux"):
                conflit = False
            elif raw_conflit in ("oui", "o", "true", "vrai"):
                conflit = True
            else:
                problems.append(
                    f"{where(r, columns['conflit'], CONFLIT_HEADER)} : « {raw_conflit} » — répondez « oui » ou « non »"
                )
                conflit = False
            motif = _text(ws.cell(r, columns["motif"]).value)
            commentaire = _text(ws.cell(r, columns["commentaire"]).value)
            if conflit and not motif:
                problems.append(
                    f"{where(r, columns['motif'], MOTIF_HEADER)} : motif obligatoire quand un conflit "
                    "d'intérêts est déclaré"
                )
            # A conflict of interest drops the row's notes (RowValues.of): the stored ones stay in
            # the database, out of the aggregate, as with NotationService.declare_conflict.
            evaluation_id, base_version, base_hash, base_values = line
            rows.append(
                FileRow(
                    excel_row=r,
                    reference=reference,
                    evaluation_id=evaluation_id,
                    base_version=base_version,
                    base_hash=base_hash,
                    base_values=base_values,
                    values=RowValues.of(notes, conflit, motif, commentaire),
                )
            )
        if problems:
            raise ValidationError([f"{path.name}, {p}" for p in problems])
        try:
            return ScoringFile(
                path=path,
                campagne_id=int(meta["campagne_id"]),
                campagne_label=str(meta["campagne"]),
                contrat=str(meta["contrat"]),
                evaluateur_id=int(meta["evaluateur_id"]),
                evaluateur_nom=str(meta["evaluateur"]),
                grille_id=int(meta["grille_id"]),
                grille_version=int(meta["grille_version"]),
                fingerprint=sf_fingerprint,
                criteria=criteria,
                rows=tuple(rows),
                exported_at=str(meta.get("exporte_le", "")),
            )
        except (KeyError, ValueError) as exc:
            raise UserError(f"{path.name} : {NOT_A_SCORING_FILE} (informations illisibles)") from exc
    finally:
        wb.close()


def _read_meta(
    ws: Any, path: Path
) -> tuple[dict[str, str], dict[str, tuple[int, int, str, RowValues | None]]]:
    meta: dict[str, str] = {}
    lines: dict[str, tuple[int, int, str, RowValues | None]] = {}
    for values in ws.iter_rows(values_only=True):
        if not values or values[0] is None:
            continue
        key = str(values[0])
        if key == "ligne":
            try:
                reference = str(values[1])
                base_values = RowValues.from_json(str(values[5])) if values[5] else None
                lines[reference] = (int(values[2]), int(values[3]), str(values[4]), base_values)
            except (IndexError, TypeError, ValueError) as exc:
                raise UserError(
                    f"{path.name} : {NOT_A_SCORING_FILE} (ligne de métadonnées illisible)"
                ) from exc
        elif len(values) > 1 and values[1] is not None:
            meta[key] = str(values[1])
    if meta.get("format") != FORMAT:
        if str(meta.get("format", "")).startswith("instructeur-notation/"):
            raise UserError(
                f"{path.name} : fichier de notation d'une version plus récente d'Instructeur "
                f"({meta['format']}) ; mettez l'application à jour"
            )
        raise UserError(f"{path.name} : {NOT_A_SCORING_FILE}")
    return meta, lines


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _score(raw: object, c: FileCritere) -> tuple[int | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    value: int | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if number.is_integer():
            value = int(number)
    if value is None:
        shown = _text(raw)
        return None, f"« {shown} » n'est pas un nombre entier (note de {c.echelle_min} à {c.echelle_max})"
    if not c.echelle_min <= value <= c.echelle_max:
        return None, f"note {value} hors de l'échelle {c.scale_text}"
    return value, None


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- Plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    evaluation_id: int
    reference: str
    intitule: str
    excel_row: int
    kind: Kind
    file_values: RowValues
    db_values: RowValues
    base_values: RowValues | None
    db_version: int
    db_updated_by: str | None
    db_updated_at: datetime | None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def changed_by(self) -> str:
        """« modifié par X le 12/03/2026 à 14:05 » (the database side of a conflict)."""
        who = self.db_updated_by or "un autre utilisateur"
        when = f" le {self.db_updated_at:%d/%m/%Y à %H:%M}" if self.db_updated_at else ""
        return f"modifié par {who}{when}"


@dataclass(frozen=True)
class ImportPlan:
    campagne_id: int
    evaluateur_id: int
    evaluateur_nom: str
    source: str  # the file's name
    criteria: tuple[FileCritere, ...]
    rows: tuple[PlanRow, ...]
    warnings: tuple[str, ...] = ()

    @property
    def conflicts(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.kind == "conflit")

    @property
    def updates(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.kind == "a_mettre_a_jour")

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    def summary(self) -> str:
        parts = [
            f"{self.count(k)} {KIND_LABELS[k]}"
            for k in ("a_mettre_a_jour", "conflit", "inchangee", "identique", "base_seule")
            if self.count(k)
        ]
        return f"{len(self.rows)} dossier{'s' if len(self.rows) > 1 else ''} : " + ", ".join(parts)


def plan_import(db: Database, campagne_id: int, scoring_file: ScoringFile) -> ImportPlan:
    """What importing the file would do, row by row (module doc); refuses the wrong campagne, an
    unknown évaluateur and a tampered grille with a `UserError`."""
    sf = scoring_file
    name = sf.path.name
    with db.session() as s:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        contrat = s.get(Contrat, campagne.contrat_id)
        assert contrat is not None
        if sf.campagne_id != campagne.id or sf.contrat != contrat.nom:
            raise UserError(
                f"{name} : ce fichier de notation concerne la campagne {sf.campagne_label} ({sf.contrat}) — "
                f"la campagne ouverte est {campagne.annee} — {campagne.libelle} ({contrat.nom}) ; "
                "ouvrez la bonne campagne"
            )
        evaluateur = s.get(Evaluateur, sf.evaluateur_id)
        if evaluateur is None or evaluateur.contrat_id != contrat.id:
            raise UserError(
                f"{name} : ce fichier de notation est celui de « {sf.evaluateur_nom} », évaluateur "
                "inconnu dans cette base"
            )
        grille = s.get(Grille, sf.grille_id)
        if grille is None or grille.campagne_id != campagne.id:
            raise UserError(
                f"{name} : {GRILLE_MISMATCH} (la version {sf.grille_version} de la grille n'existe plus)"
            )
        criteres = list(
            s.scalars(
                select(Critere).where(Critere.grille_id == grille.id).order_by(Critere.position, Critere.id)
            )
        )
        db_keys = [(c.id, c.echelle_min, c.echelle_max, c.poids) for c in criteres]
        if fingerprint(db_keys) != sf.fingerprint:
            raise UserError(f"{name} : {GRILLE_MISMATCH} ({_grille_difference(sf.criteria, criteres)})")
        warnings: list[str] = []
        ids = [r.evaluation_id for r in sf.rows]
        evals = {
            ev.id: (ev, intitule, dcampagne)
            for ev, intitule, dcampagne in s.execute(
                select(Evaluation, Dossier.intitule, Dossier.campagne_id)
                .join(Dossier, Dossier.id == Evaluation.dossier_id)
                .where(Evaluation.id.in_(ids))
            )
        }
        notes: dict[int, dict[int, int]] = {}
        for eid, cid, valeur in s.execute(
            select(Note.evaluation_id, Note.critere_id, Note.valeur).where(Note.evaluation_id.in_(ids))
        ):
            notes.setdefault(eid, {})[cid] = valeur
        plan_rows: list[PlanRow] = []
        for row in sf.rows:
            found = evals.get(row.evaluation_id)
            if found is None or found[0].evaluateur_id != sf.evaluateur_id or found[2] != campagne.id:
                warnings.append(
                    f"dossier {row.reference} : n'est plus confié à {sf.evaluateur_nom} ; ligne ignorée"
                )
                continue
            ev, intitule, _ = found
            if ev.grille_id != sf.grille_id:
                version = s.scalar(select(Grille.numero_version).where(Grille.id == ev.grille_id))
                raise UserError(
                    f"{name} : {GRILLE_MISMATCH} (le dossier {row.reference} est désormais noté sur la "
                    f"version {version} de la grille ; préparez un nouveau fichier de notation)"
                )
            db_values = RowValues.of(notes.get(ev.id, {}), ev.conflit, ev.conflit_motif, ev.commentaire)
            plan_rows.append(
                PlanRow(
                    evaluation_id=ev.id,
                    reference=row.reference,
                    intitule=intitule,
                    excel_row=row.excel_row,
                    kind=_classify(row, db_values),
                    file_values=row.values,
                    db_values=db_values,
                    base_values=row.base_values,
                    db_version=ev.version,
                    db_updated_by=ev.updated_by,
                    db_updated_at=ev.updated_at,
                )
            )
    return ImportPlan(
        campagne_id=campagne_id,
        evaluateur_id=sf.evaluateur_id,
        evaluateur_nom=sf.evaluateur_nom,
        source=name,
        criteria=sf.criteria,
        rows=tuple(plan_rows),
        warnings=tuple(warnings),
    )


def _classify(row: FileRow, db_values: RowValues) -> Kind:
    file_changed = row.values.digest() != row.base_hash
    db_changed = db_values.digest() != row.base_hash
    if not file_changed:
        return "base_seule" if db_changed else "inchangee"
    if row.values == db_values:
        return "identique"
    return "conflit" if db_changed else "a_mettre_a_jour"


def _grille_difference(file_criteria: Sequence[FileCritere], criteres: Sequence[Critere]) -> str:
    by_id = {c.id: c for c in criteres}
    file_ids = {c.id for c in file_criteria}
    for fc in file_criteria:
        c = by_id.get(fc.id)
        if c is None:
            return f"critère « {fc.libelle} » supprimé depuis l'envoi du fichier"
        if (c.echelle_min, c.echelle_max) != (fc.echelle_min, fc.echelle_max):
            return f"critère « {c.libelle} » modifié : échelle {fc.scale_text} devenue {c.echelle_min}–{c.echelle_max}"
        if c.poids != fc.poids:
            return f"critère « {c.libelle} » modifié : poids {fc.poids} devenu {c.poids}"
    for c in criteres:
        if c.id not in file_ids:
            return f"critère « {c.libelle} » ajouté depuis l'envoi du fichier"
    return "ordre des critères modifié"


# --- Apply -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    updated: tuple[str, ...]  # références written from the file
    kept_base: tuple[str, ...]  # conflicts resolved « base »
    unchanged: int
    versions: dict[int, int] = field(default_factory=dict)  # evaluation id → new version

    def summary(self) -> str:
        n = len(self.updated)
        text = f"{n} évaluation{'s' if n > 1 else ''} mise{'s' if n > 1 else ''} à jour"
        if self.kept_base:
            text += f", {len(self.kept_base)} conflit{'s' if len(self.kept_base) > 1 else ''} réglé"
            text += f"{'s' if len(self.kept_base) > 1 else ''} en gardant la base"
        if self.unchanged:
            text += f", {self.unchanged} sans changement"
        return text


def unresolved(plan: ImportPlan, resolutions: Mapping[int, str]) -> list[PlanRow]:
    return [r for r in plan.conflicts if resolutions.get(r.evaluation_id) not in ("fichier", "base")]


def apply_import(
    db: Database, plan: ImportPlan, resolutions: Mapping[int, str] | None = None, user: str | None = None
) -> ImportOutcome:
    """Writes the plan (rows « à mettre à jour » and conflicts resolved « fichier ») in ONE
    transaction; refuses while a conflict has no resolution, and when an évaluation changed since
    the plan was made (optimistic locking)."""
    resolutions = dict(resolutions or {})
    missing = unresolved(plan, resolutions)
    if missing:
        refs = ", ".join(r.reference for r in missing)
        raise UserError(
            f"{len(missing)} conflit{'s' if len(missing) > 1 else ''} sans décision (dossier"
            f"{'s' if len(missing) > 1 else ''} {refs}) : choisissez « garder le fichier » ou "
            "« garder la base » pour chacun ; rien n'a été importé"
        )
    who = user or audit.current_user()
    targets = list(plan.updates) + [r for r in plan.conflicts if resolutions[r.evaluation_id] == "fichier"]
    kept = tuple(r.reference for r in plan.conflicts if resolutions[r.evaluation_id] == "base")
    if not targets:
        return ImportOutcome((), kept, len(plan.rows) - len(kept))
    try:
        with db.session() as s:
            ids = [r.evaluation_id for r in targets]
            evs = {ev.id: ev for ev in s.scalars(select(Evaluation).where(Evaluation.id.in_(ids)))}
            grille_ids = {ev.grille_id for ev in evs.values()}
            criteria: dict[int, list[Critere]] = {}
            for c in s.scalars(select(Critere).where(Critere.grille_id.in_(grille_ids))):
                criteria.setdefault(c.grille_id, []).append(c)
            existing: dict[int, dict[int, Note]] = {}
            for note in s.scalars(select(Note).where(Note.evaluation_id.in_(ids))):
                existing.setdefault(note.evaluation_id, {})[note.critere_id] = note
            problems: list[str] = []
            for row in targets:
                ev = evs.get(row.evaluation_id)
                if ev is None:
                    raise NotFoundError(f"dossier {row.reference} : évaluation introuvable (retirée ?)")
                if ev.version != row.db_version:
                    raise audit.concurrent_edit(
                        f"L'évaluation du dossier {row.reference}", ev.updated_by, ev.updated_at
                    )
                by_id = {c.id: c for c in criteria.get(ev.grille_id, [])}
                for cid, value in row.file_values.notes:
                    crit = by_id.get(cid)
                    if crit is None:
                        problems.append(f"dossier {row.reference} : critère {cid} absent de la grille")
                    elif not crit.echelle_min <= value <= crit.echelle_max:
                        problems.append(
                            f"dossier {row.reference}, « {crit.libelle} » : note {value} hors de l'échelle "
                            f"{crit.echelle_min}–{crit.echelle_max}"
                        )
            if problems:
                raise ValidationError(problems)
            today, now = date.today(), datetime.now()
            for row in targets:
                ev = evs[row.evaluation_id]
                values = row.file_values
                libelles = {c.id: c.libelle for c in criteria.get(ev.grille_id, [])}
                record: dict[str, object] = {"source": plan.source}
                if ev.conflit != values.conflit or (ev.conflit_motif or "") != values.motif:
                    record["conflit"] = [ev.conflit, values.conflit]
                    record["motif"] = [ev.conflit_motif, values.motif or None]
                    ev.conflit = values.conflit
                    ev.conflit_motif = values.motif or None
                if not values.conflit:  # a conflicted row leaves the stored notes alone
                    current = existing.setdefault(ev.id, {})
                    wanted = values.notes_dict
                    diff: dict[str, list[int | None]] = {}
                    for cid in sorted(set(current) | set(wanted)):
                        stored = current.get(cid)
                        before = stored.valeur if stored is not None else None
                        after = wanted.get(cid)
                        if before == after:
                            continue
                        diff[libelles.get(cid, str(cid))] = [before, after]
                        if after is None:
                            assert stored is not None
                            s.delete(stored)
                        elif stored is None:
                            s.add(Note(evaluation_id=ev.id, critere_id=cid, valeur=after))
                        else:
                            stored.valeur = after
                    if diff:
                        record["notes"] = diff
                        ev.date_evaluation = today
                if (ev.commentaire or "") != values.commentaire:
                    record["commentaire"] = [ev.commentaire, values.commentaire or None]
                    ev.commentaire = values.commentaire or None
                ev.updated_by = who
                ev.updated_at = now
                audit.record(s, who, "evaluation", ev.id, "import_notation", record)
            s.flush()
            versions = {eid: ev.version for eid, ev in evs.items()}
    except StaleDataError as exc:
        raise ConcurrentEditError(
            "une évaluation a été modifiée par un autre utilisateur pendant l'import : rien n'a été "
            "importé ; recommencez l'import"
        ) from exc
    updated = tuple(r.reference for r in targets)
    return ImportOutcome(updated, kept, len(plan.rows) - len(updated) - len(kept), versions)
