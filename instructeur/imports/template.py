"""The .xlsx import template: a « Dossiers » sheet with the recognised headers and an « Aide » sheet
listing each column, whether it is required, the accepted formats and the other recognised headers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from instructeur.imports.headers import FIELDS, FieldSpec
from instructeur.imports.value_map import ValueMap, write_sheet
from instructeur.services.contrats import FinanceurRow

__all__ = ["template_columns", "write_template"]

# Without a contrat, one demanded-amount column per usual type of financeur (matched by type word).
DEFAULT_DEMANDES = ("État", "EPCI", "Commune", "Département", "Région", "CAF")
_AMOUNT_FORMATS = "montant : 12 500,00 € · 12500 · 1 234,5 · nombre Excel ; jamais négatif"
_AFTER = "cout_total_cents"  # demanded amounts come right after the coût total


def template_columns(financeurs: Sequence[FinanceurRow] = ()) -> list[tuple[str, bool, str, str]]:
    """(header, required, formats, other recognised headers) for each column of the template."""
    names = [f.code for f in financeurs] or list(DEFAULT_DEMANDES)
    out: list[tuple[str, bool, str, str]] = []

    def add(spec: FieldSpec) -> None:
        out.append((spec.label, spec.required, spec.formats, " ; ".join(spec.synonyms)))

    for spec in FIELDS:
        if spec.key == "nouvelle":
            continue  # « Nouvelle / reconduite » says the same
        add(spec)
        if spec.key == _AFTER:
            for name in names:
                out.append(
                    (
                        f"Montant demandé {name}",
                        False,
                        _AMOUNT_FORMATS,
                        f"Demandé {name} ; Montant sollicité {name} ; Subvention demandée {name} ; "
                        "« Montant demandé » seul = État",
                    )
                )
    return out


def write_template(
    path: str | Path,
    financeurs: Sequence[FinanceurRow] = (),
    values: ValueMap | None = None,
    originals: dict[str, str] | None = None,
) -> Path:
    """The template; `values` (value mapping) go to its « Correspondances » sheet, read back by the
    import of the filled template or by `--correspondances`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    columns = template_columns(financeurs)
    wb = Workbook()
    ws = wb.active
    ws.title = "Dossiers"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for n, (header, required, _formats, _synonyms) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=n, value=header)
        cell.font = bold
        if required:
            cell.fill = required_fill
        ws.column_dimensions[get_column_letter(n)].width = max(14, min(40, len(header) + 4))
    ws.freeze_panes = "B2"

    aide = wb.create_sheet("Aide")
    aide.append(["Colonne", "Obligatoire", "Formats acceptés", "Autres intitulés reconnus"])
    for cell in aide[1]:
        cell.font = bold
    for header, required, formats, synonyms in columns:
        aide.append([header, "oui" if required else "non", formats, synonyms])
    aide.append([])
    for line in (
        "Les en-têtes peuvent être précédés de lignes de titre ; accents, majuscules et ponctuation sont ignorés.",
        "Un fichier réimporté met à jour les dossiers par N° dossier ; une cellule vide ne modifie rien.",
        "Tout ou rien : si une ligne est rejetée, rien n'est importé. Les lignes TOTAL sont ignorées.",
        "Les porteurs sont reconnus par SIRET, puis N° RNA, puis raison sociale (sans SIRET).",
    ):
        aide.append([line])
    for letter, width in zip("ABCD", (34, 12, 60, 80), strict=True):
        aide.column_dimensions[letter].width = width
    for row in aide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    write_sheet(wb, values or {}, originals)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
