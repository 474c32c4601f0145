"""The rejected rows of a partial import (`--lignes-valides`), written to an .xlsx the user can
correct and import again: the header row as read, each rejected row as read, and a last column
« Motif » giving every reason of its rejection (« colonne « SIRET » : SIRET invalide … »)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from instructeur.errors import UserError
from instructeur.imports.headers import Mapping
from instructeur.imports.reader import Table
from instructeur.imports.values import RowProblem

__all__ = ["MOTIF", "write_rejects"]

MOTIF = "Motif"


def _reason(problem: RowProblem) -> str:
    return f"colonne « {problem.column} » : {problem.reason}" if problem.column else problem.reason


def write_rejects(path: Path, table: Table, mapping: Mapping, problems: Sequence[RowProblem]) -> Path:
    from openpyxl import Workbook

    reasons: dict[int, list[str]] = {}
    for p in problems:
        reasons.setdefault(p.row, []).append(_reason(p))
    width = len(mapping.headers)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Lignes rejetées")
    header = [*(text or None for text in mapping.headers), MOTIF]
    ws.append(header)
    for row in table.rows:
        if row.number in reasons:
            cells = list(row.cells[:width]) + [None] * (width - len(row.cells))
            ws.append([*cells, " ; ".join(reasons[row.number])])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except OSError as exc:
        raise UserError(f"{path} : écriture impossible ({exc.strerror or exc}) ; fichier ouvert ?") from exc
    return path
