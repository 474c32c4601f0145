"""What the wizard reads and reports, without widgets: the analysis of the file, the field choices,
sample values, the counts and the problems report."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from instructeur.imports import dossiers as dossiers_import
from instructeur.imports.dossiers import ImportPreview
from instructeur.imports.headers import DEMANDE_PREFIX, FIELDS, Mapping, is_totals_row
from instructeur.imports.reader import Table
from instructeur.imports.values import text_of
from instructeur.services.contrats import FinanceurRow
from instructeur.storage.db import Database
from ui.workers import Progress

TABLE_FILTER = "Tableaux (*.xlsx *.csv);;Classeurs Excel (*.xlsx);;Fichiers CSV (*.csv)"
REPORT_FILTER = "Fichier CSV (*.csv);;Texte (*.txt)"
TEMPLATE_FILTER = "Classeur Excel (*.xlsx)"
ACCEPTED_SUFFIXES = (".xlsx", ".csv")
IGNORE = ""  # mapping choice: the column is not imported
UNKNOWN = "?montant"  # an amount for a financeur the contrat lacks: a value there rejects the row
SAMPLE_ROWS = 3
FILE_PREVIEW_ROWS = 12
ANALYSIS_ROWS = 200  # the first pages read only the top of the file; the preview reads it all


def plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n <= 1 else (plural or singular + 's')}"


@dataclass(frozen=True)
class Analysis:
    """What the first page read: the table, the contrat's financeurs, the proposed mapping."""

    path: Path
    table: Table
    financeurs: tuple[FinanceurRow, ...]
    mapping: Mapping
    announcement: str | None = None  # « export démarches-simplifiées reconnu »
    notes: tuple[str, ...] = ()

    @property
    def data_rows(self) -> int:
        return sum(1 for row in self.table.rows if row.number > self.mapping.header_row)

    def data_rows_text(self) -> str:
        """« 42 lignes », or « plus de 190 lignes » when only the top of the file was read."""
        n = self.data_rows
        return f"plus de {n} lignes" if self.table.truncated else plural(n, "ligne")


def analyse(db: Database, campagne_id: int, path: Path, progress: Progress) -> Analysis:
    """Job: read the file and propose the mapping (runs in a worker thread: data in, data out)."""
    progress.update(0, 0, f"Lecture de « {path.name} »…")
    financeurs = tuple(dossiers_import.campagne_financeurs(db, campagne_id))
    prepared = dossiers_import.analyse(db, campagne_id, path, ANALYSIS_ROWS)
    progress.check()
    return Analysis(path, prepared.table, financeurs, prepared.mapping, prepared.announcement, prepared.notes)


def field_choices(financeurs: Sequence[FinanceurRow]) -> list[tuple[str, str]]:
    """(key, label) of every target a column can get: ignore, the fields, one amount per financeur
    (right after « Coût total », as in the template)."""
    out = [(IGNORE, "— ignorer —")]
    for spec in FIELDS:
        out.append((spec.key, f"{spec.label} (obligatoire)" if spec.key == "reference" else spec.label))
        if spec.key == "cout_total_cents":
            out.extend((DEMANDE_PREFIX + f.code, f"Montant demandé {f.nom}") for f in financeurs)
    return out


def sample_values(table: Table, mapping: Mapping, column: int, count: int = SAMPLE_ROWS) -> tuple[str, ...]:
    """The column's values on the first `count` data rows (below the header row, totals skipped)."""
    out: list[str] = []
    for row in table.rows:
        if row.number <= mapping.header_row or is_totals_row(row, mapping):
            continue
        out.append(text_of(row.get(column)))
        if len(out) == count:
            break
    return tuple(out)


def planned_counts(preview: ImportPreview) -> str:
    """« 7 dossiers à créer, 1 à mettre à jour, 6 inchangés »."""
    return (
        f"{plural(len(preview.to_create), 'dossier à créer', 'dossiers à créer')}, "
        f"{len(preview.to_update)} à mettre à jour, {plural(len(preview.unchanged), 'inchangé')}"
    )


def done_counts(preview: ImportPreview) -> str:
    """« 7 dossiers créés, 1 mis à jour, 6 inchangés » (the summary without the diffs)."""
    return (
        f"{plural(len(preview.to_create), 'dossier créé', 'dossiers créés')}, "
        f"{len(preview.to_update)} mis à jour, {plural(len(preview.unchanged), 'inchangé')}"
    )


def report_text(preview: ImportPreview) -> str:
    """The problems (and planned changes) as plain text, one line each, for « Enregistrer le rapport… »."""
    lines = [f"Import de « {preview.file} »"]
    if preview.announcement:
        lines.append(f"{preview.announcement[0].upper()}{preview.announcement[1:]} : {' ; '.join(preview.notes)}")
    if preview.rejected:
        rows = len(preview.rejected_rows)
        lines.append(
            f"{plural(rows, 'ligne rejetée', 'lignes rejetées')} : rien ne sera importé tant que le "
            "fichier n'est pas corrigé."
        )
        lines.append("")
        lines.extend(str(p) for p in preview.rejected)
    else:
        lines.append(f"Aucune ligne rejetée : {planned_counts(preview)}.")
    if preview.to_update:
        lines.append("")
        lines.extend(f"Mise à jour ligne {u.row} : {u.describe_changes()}" for u in preview.to_update)
    if preview.warnings:
        lines.append("")
        lines.extend(f"Avertissement : {w}" for w in preview.warnings)
    if preview.totals_rows:
        lines.append("")
        lines.extend(f"Ligne {n} ignorée (ligne de total)" for n in preview.totals_rows)
    if preview.unrecognised:
        lines.append("Colonnes ignorées : " + ", ".join(f"« {h} »" for h in preview.unrecognised))
    return "\n".join(lines) + "\n"


def write_report(path: Path, preview: ImportPreview) -> Path:
    """.csv: one row per problem (Fichier;Ligne;Colonne;Motif), UTF-8 with BOM for Excel; else text."""
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(["Fichier", "Ligne", "Colonne", "Motif"])
        for p in preview.rejected:
            writer.writerow([p.file, p.row, p.column or "", p.reason])
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    else:
        path.write_text(report_text(preview), encoding="utf-8")
    return path
