"""What an import says: the preview (planned creations, updates, rejections, warnings) and the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from instructeur.errors import UserError
from instructeur.imports.headers import Mapping
from instructeur.imports.reader import column_letter
from instructeur.imports.values import RowProblem

__all__ = [
    "FieldChange",
    "ImportPreview",
    "ImportRejected",
    "ImportResult",
    "MappedColumn",
    "PlannedDossier",
    "SiretConflict",
    "Unmatched",
]


@dataclass(frozen=True)
class Unmatched:
    """A value of the file that designates nothing of the contrat (« Beaurepaire Sud »)."""

    field: str  # « quartiers », « objectif_id »
    value: str
    rows: tuple[int, ...]
    proposals: tuple[str, ...]  # closest names, best first (difflib)


@dataclass(frozen=True)
class SiretConflict:
    """A SIRET of the file already known under another name: rattaché unless the user says otherwise."""

    siret: str
    known_as: str
    file_name: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class MappedColumn:
    key: str
    label: str
    column: int
    header: str

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label} {self.old} → {self.new}"


@dataclass(frozen=True)
class PlannedDossier:
    row: int
    reference: str
    intitule: str
    porteur: str
    changes: tuple[FieldChange, ...] = ()

    def describe_changes(self) -> str:
        return f"référence {self.reference} : " + ", ".join(str(c) for c in self.changes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@dataclass(frozen=True)
class ImportPreview:
    file: str
    header_row: int
    columns: tuple[MappedColumn, ...]
    unrecognised: tuple[str, ...]
    to_create: tuple[PlannedDossier, ...]
    to_update: tuple[PlannedDossier, ...]
    unchanged: tuple[PlannedDossier, ...]
    rejected: tuple[RowProblem, ...]
    totals_rows: tuple[int, ...]
    porteurs_to_create: tuple[str, ...]
    porteurs_reused: tuple[str, ...]
    mapping: Mapping | None = None
    preset: str | None = None  # « démarches-simplifiées », « Dauphin »: the platform recognised
    notes: tuple[str, ...] = ()  # what the preset read or assumed
    warnings: tuple[RowProblem, ...] = ()  # listed, never blocking
    unmatched: tuple[Unmatched, ...] = ()  # values of the file that matched nothing, with proposals
    siret_conflicts: tuple[SiretConflict, ...] = ()

    @property
    def announcement(self) -> str | None:
        return f"export {self.preset} reconnu" if self.preset else None

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rejected_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.rejected}))

    def summary(self, details: int = 3) -> str:
        """« 42 dossiers créés, 3 mis à jour (référence 24-000123 : … ; …), 0 inchangé »."""
        updated = f"{len(self.to_update)} mis à jour"
        if self.to_update:
            shown = [u.describe_changes() for u in self.to_update[:details]]
            if len(self.to_update) > details:
                shown.append("…")
            updated += f" ({' ; '.join(shown)})"
        n = len(self.to_create)
        created = f"{n} dossier{'s' if n > 1 else ''} créé{'s' if n > 1 else ''}"
        unchanged = _plural(len(self.unchanged), "inchangé")
        return f"{created}, {updated}, {unchanged}"


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    created_ids: tuple[int, ...]
    updated_ids: tuple[int, ...]
    porteurs_created: int
    rejects_file: Path | None = None  # partial import: the rejected rows, with « motif »


class ImportRejected(UserError):
    """Some rows are rejected: nothing was written. `problems` has one line per problem."""

    def __init__(self, problems: Sequence[RowProblem], preview: ImportPreview | None = None) -> None:
        rows = len({(p.file, p.row) for p in problems})
        super().__init__(f"{_plural(rows, 'ligne')} rejetée{'s' if rows > 1 else ''} : rien n'a été importé")
        self.problems = list(problems)
        self.preview = preview  # what the import saw (columns, warnings), for the report
