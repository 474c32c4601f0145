"""Reading a scoring file back: validation with French problems naming sheet, row and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from instructeur.coinstruction.scoring_format import (
    COMMENT_HEADER,
    CONFLIT_HEADER,
    FIRST_ROW,
    FORMAT,
    GRILLE_MISMATCH,
    HEADER_ROW,
    META_SHEET,
    MOTIF_HEADER,
    NOT_A_SCORING_FILE,
    SCALE_ROW,
    SCORING_FILE_MAX_UNCOMPRESSED,
    SHEET,
    TOTAL_HEADER,
    FileCritere,
    FileRow,
    RowValues,
    ScoringFile,
    fingerprint,
)
from instructeur.domain.scoring import note_problem
from instructeur.errors import UserError, ValidationError

_COLUMN_KEYS = ("total", "conflit", "motif", "commentaire")
_MAX_COLUMN = 16384  # XFD, the last column of a worksheet

# --- Read ------------------------------------------------------------------------------------


def read_scoring_file(path: str | Path) -> ScoringFile:
    """Parses and validates a scoring file; `UserError` / `ValidationError` in French otherwise."""
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
        criteria, columns, sf_fingerprint = _grille(meta, path)
        _check_grille(ws, criteria, columns, sf_fingerprint, path)
        rows, problems = _read_rows(ws, criteria, columns, lines)
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


def _grille(meta: dict[str, str], path: Path) -> tuple[tuple[FileCritere, ...], dict[str, int], str]:
    """The criteria, the columns of total / conflit / motif / commentaire and the grille's
    fingerprint, as the export wrote them in the metadata sheet."""
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
        if not columns.keys() >= set(_COLUMN_KEYS):  # each is read below
            raise ValueError("colonne manquante")
        if not all(1 <= n <= _MAX_COLUMN for n in [*columns.values(), *(c.column for c in criteria)]):
            raise ValueError("colonne hors de la feuille")
        return criteria, columns, str(meta["empreinte_grille"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise UserError(f"{path.name} : {NOT_A_SCORING_FILE} (informations de la grille illisibles)") from exc


def _check_grille(
    ws: Any, criteria: tuple[FileCritere, ...], columns: dict[str, int], sf_fingerprint: str, path: Path
) -> None:
    """Tampered grille: metadata vs its fingerprint, then the visible headers and scales."""
    if fingerprint(c.key() for c in criteria) != sf_fingerprint:
        raise UserError(f"{path.name} : {GRILLE_MISMATCH} (échelles ou poids modifiés dans le fichier)")
    for c in criteria:
        header = _text(ws.cell(HEADER_ROW, c.column).value)
        if header != c.header:
            raise UserError(f"{path.name} : {GRILLE_MISMATCH} (critère « {c.header} » modifié)")
        if _text(ws.cell(SCALE_ROW, c.column).value) != c.scale_text:
            raise UserError(f"{path.name} : {GRILLE_MISMATCH} (critère « {c.header} » : échelle modifiée)")
    expected = {
        columns["total"]: TOTAL_HEADER,
        columns["conflit"]: CONFLIT_HEADER,
        columns["motif"]: MOTIF_HEADER,
        columns["commentaire"]: COMMENT_HEADER,
    }
    for col, text in expected.items():
        found = _text(ws.cell(HEADER_ROW, col).value)
        if found != text:
            what = f"« {found} » à la place de « {text} »" if found else f"colonne « {text} » déplacée"
            raise UserError(f"{path.name} : {GRILLE_MISMATCH} (critère ajouté ou supprimé : {what})")


def _where(row: int, col: int, header: str) -> str:
    from openpyxl.utils import get_column_letter

    return f"feuille « {SHEET} », ligne {row}, colonne {get_column_letter(col)} (« {header} »)"


def _read_rows(
    ws: Any,
    criteria: tuple[FileCritere, ...],
    columns: dict[str, int],
    lines: dict[str, tuple[int, int, str, RowValues | None]],
) -> tuple[list[FileRow], list[str]]:
    """The dossiers' rows, and every problem found in them (all reported at once)."""
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
        values = _row_values(ws, r, criteria, columns, problems)
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
                values=values,
            )
        )
    return rows, problems


def _row_values(
    ws: Any, r: int, criteria: tuple[FileCritere, ...], columns: dict[str, int], problems: list[str]
) -> RowValues:
    """Row `r`'s notes, conflict, motif and commentaire; its problems appended to `problems`."""
    notes: dict[int, int] = {}
    for c in criteria:
        value, problem = _score(ws.cell(r, c.column).value, c)
        if problem:
            problems.append(f"{_where(r, c.column, c.header)} : {problem}")
        elif value is not None:
            notes[c.id] = value
    raw_conflit = _text(ws.cell(r, columns["conflit"]).value).lower()
    if raw_conflit in ("", "non", "n", "false", "faux"):
        conflit = False
    elif raw_conflit in ("oui", "o", "true", "vrai"):
        conflit = True
    else:
        problems.append(
            f"{_where(r, columns['conflit'], CONFLIT_HEADER)} : « {raw_conflit} » — répondez « oui » ou « non »"
        )
        conflit = False
    motif = _text(ws.cell(r, columns["motif"]).value)
    commentaire = _text(ws.cell(r, columns["commentaire"]).value)
    if conflit and not motif:
        problems.append(
            f"{_where(r, columns['motif'], MOTIF_HEADER)} : motif obligatoire quand un conflit "
            "d'intérêts est déclaré"
        )
    return RowValues.of(notes, conflit, motif, commentaire)


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
    problem = note_problem(value, c.echelle_min, c.echelle_max)
    return (None, problem) if problem else (value, None)
