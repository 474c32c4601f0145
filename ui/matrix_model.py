"""The scoring matrix's table model (ui/matrix.py): dossiers × criteria, then « Total /20 » and
« Commentaire », edits kept (bold, tinted) until the window saves them; its labels and tooltips."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
)

from instructeur.domain import scoring
from instructeur.domain.scoring import CritereSpec
from instructeur.services.grilles import CritereDto
from instructeur.services.notation import MatrixChange, MatrixDto, MatrixRow
from ui.models.table import ALIGN_CENTER, ALIGN_LEFT, ALIGN_RIGHT

AnyIndex = QModelIndex | QPersistentModelIndex

MODIFIED_BACKGROUND = QColor("#fff3c4")
CONFLICT_BACKGROUND = QColor("#e6e6e6")
CONFLICT_FOREGROUND = QColor("#8a8a8a")
INCOMPLETE_FOREGROUND = QColor("#8a8a8a")
INTITULE_CHARS = 42


def short_label(critere: CritereDto, number: int, unique_sections: bool) -> str:
    """Header of a criterion column: « 3. Porteur » when sections name one criterion each."""
    if unique_sections and critere.section.strip():
        return f"{number}. {critere.section.strip()}"
    words = critere.libelle.split()
    text = ""
    for word in words:
        if len(text) + len(word) > 14 and text:
            break
        text = f"{text} {word}".strip()
    return f"{number}. {text}"


def two_lines(text: str, limit: int = 12) -> str:
    """A header on two balanced lines when longer than `limit` characters (narrow columns)."""
    spaces = [n for n, ch in enumerate(text) if ch == " "][1:]  # never right after « 3. »
    if len(text) <= limit or not spaces:
        return text
    cut = min(spaces, key=lambda n: abs(n - len(text) / 2))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def critere_tooltip(critere: CritereDto) -> str:
    """Full label, aide and scale (with the level labels) of a criterion."""
    lines = [critere.libelle]
    if critere.aide.strip():
        lines.append(critere.aide.strip())
    scale = f"Échelle {critere.echelle_min}–{critere.echelle_max}"
    if critere.niveaux:
        levels = ", ".join(f"{critere.echelle_min + n} {label}" for n, label in enumerate(critere.niveaux))
        scale += f" : {levels}"
    lines.append(scale)
    details = [f"poids {critere.poids}"]
    if critere.eliminatoire:
        details.append("éliminatoire (la note minimale rend le dossier non retenable)")
    lines.append(", ".join(details).capitalize())
    return "\n".join(lines)


def format_total(value: Any) -> str:
    shown = scoring.display(value)
    return "" if shown is None else f"{shown}".replace(".", ",")


def modifications_text(n: int) -> str:
    if n == 0:
        return "Aucune modification"
    return f"{n} modification{'s' if n > 1 else ''} non enregistrée{'s' if n > 1 else ''}"


@dataclass(frozen=True)
class _Fixed:
    key: str
    header: str
    width: int


FIXED = (
    _Fixed("reference", "Référence", 96),
    _Fixed("porteur", "Porteur", 170),
    _Fixed("intitule", "Intitulé", 230),
)


class MatrixModel(QAbstractTableModel):
    """Editable dossiers × criteria table over a `MatrixDto`; edits kept until `changes()` is saved."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    modificationsChanged = Signal(int)
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dto: MatrixDto | None = None
        self._rows: list[MatrixRow] = []
        self._criteria: list[tuple[CritereDto, ...]] = []  # per row: its grille's criteria
        self._headers: list[CritereDto] = []
        self._labels: list[str] = []
        self._edits: dict[tuple[int, int], int | None] = {}  # (row, critere id) → note (None erases)
        self._comments: dict[int, str] = {}  # row → commentaire
        self._totals: list[Any] = []

    # --- content ----------------------------------------------------------------------------

    @property
    def dto(self) -> MatrixDto | None:
        return self._dto

    @property
    def n_criteria(self) -> int:
        return len(self._headers)

    @property
    def total_column(self) -> int:
        return len(FIXED) + self.n_criteria

    @property
    def comment_column(self) -> int:
        return self.total_column + 1

    def criterion_column(self, position: int) -> int:
        return len(FIXED) + position

    def is_criterion_column(self, column: int) -> bool:
        return len(FIXED) <= column < self.total_column

    def set_matrix(self, dto: MatrixDto, *, keep_edits: bool = False) -> None:
        """Shows `dto`; with `keep_edits`, the unsaved edits are applied again on top of it (rows
        matched by évaluation, edits equal to the new stored values dropped)."""
        old_edits: dict[tuple[int, int], int | None] = {}
        old_comments: dict[int, str] = {}
        if keep_edits:
            old_edits = {(self._rows[r].evaluation_id, cid): v for (r, cid), v in self._edits.items()}
            old_comments = {self._rows[r].evaluation_id: text for r, text in self._comments.items()}
        self.beginResetModel()
        try:
            self._dto = dto
            self._rows = list(dto.rows)
            self._criteria = [dto.grilles.get(r.grille_id, dto.columns) for r in self._rows]
            longest = max([dto.columns, *self._criteria], key=len, default=())
            self._headers = list(dto.columns) + list(longest[len(dto.columns) :])
            unique = len({c.section for c in self._headers}) == len(self._headers)
            self._labels = [short_label(c, n, unique) for n, c in enumerate(self._headers, start=1)]
            self._edits = {}
            self._comments = {}
            rows_by_eval = {row.evaluation_id: n for n, row in enumerate(self._rows)}
            for (eid, cid), value in old_edits.items():
                n = rows_by_eval.get(eid)
                if (
                    n is not None
                    and not self._rows[n].conflit
                    and self._rows[n].notes.get(cid) != value
                    and any(c.id == cid for c in self._criteria[n])
                ):
                    self._edits[(n, cid)] = value
            for eid, text in old_comments.items():
                n = rows_by_eval.get(eid)
                if n is not None and not self._rows[n].conflit and text != (self._rows[n].commentaire or ""):
                    self._comments[n] = text
            self._totals = [self._compute_total(n) for n in range(len(self._rows))]
        finally:
            self.endResetModel()
        self.modificationsChanged.emit(self.modification_count())

    def row_at(self, row: int) -> MatrixRow:
        return self._rows[row]

    def critere_at(self, row: int, column: int) -> CritereDto | None:
        """The criterion of the row's own grille shown in `column` (None outside the criteria)."""
        if not (0 <= row < len(self._rows) and self.is_criterion_column(column)):
            return None
        criteria = self._criteria[row]
        position = column - len(FIXED)
        return criteria[position] if position < len(criteria) else None

    def notes_of(self, row: int) -> dict[int, int]:
        """The row's notes with the unsaved edits applied."""
        notes = dict(self._rows[row].notes)
        for (r, cid), value in self._edits.items():
            if r != row:
                continue
            if value is None:
                notes.pop(cid, None)
            else:
                notes[cid] = value
        return notes

    def total_of(self, row: int) -> Any:
        return self._totals[row]

    def is_editable(self, row: int, column: int) -> bool:
        if not 0 <= row < len(self._rows) or self._rows[row].conflit:
            return False
        return column == self.comment_column or self.critere_at(row, column) is not None

    def modification_count(self) -> int:
        return len(self._edits) + len(self._comments)

    def is_modified(self) -> bool:
        return bool(self._edits or self._comments)

    def is_cell_modified(self, row: int, column: int) -> bool:
        if column == self.comment_column:
            return row in self._comments
        critere = self.critere_at(row, column)
        return critere is not None and (row, critere.id) in self._edits

    def changes(self) -> list[MatrixChange]:
        """One `MatrixChange` per évaluation with edits (its changed notes and commentaire)."""
        rows = sorted({r for r, _ in self._edits} | set(self._comments))
        out = []
        for r in rows:
            row = self._rows[r]
            notes = {cid: value for (rr, cid), value in self._edits.items() if rr == r}
            out.append(MatrixChange(row.evaluation_id, row.version, notes, self._comments.get(r)))
        return out

    def revert(self) -> None:
        """Drops the unsaved edits (« Annuler les modifications »)."""
        if self._dto is not None:
            self.set_matrix(self._dto)

    # --- QAbstractItemModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(FIXED) + self.n_criteria + 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
                return section + 1
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return FIXED[section].header
            if section == self.total_column:
                return "Total /20"
            if section == self.comment_column:
                return "Commentaire"
            return two_lines(self._labels[section - len(FIXED)])
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.is_criterion_column(section):
                return critere_tooltip(self._headers[section - len(FIXED)])
            if section == self.total_column:
                return (
                    "Total pondéré ramené sur 20, recalculé à chaque note (vide tant qu'il manque une note)"
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self.is_criterion_column(section):
                return int(ALIGN_CENTER.value)
            if section == self.total_column:
                return int(ALIGN_RIGHT.value)
            return int(ALIGN_LEFT.value)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= c < self.columnCount()):
            return None
        row = self._rows[r]
        if role == self.RowRole:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(r, c, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self.is_criterion_column(c):
                return int(ALIGN_CENTER.value)
            return int((ALIGN_RIGHT if c == self.total_column else ALIGN_LEFT).value)
        if role == Qt.ItemDataRole.FontRole:
            if self.is_cell_modified(r, c) or (c == self.total_column and self._row_modified(r)):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.conflit:
                return CONFLICT_BACKGROUND
            if self.is_cell_modified(r, c):
                return MODIFIED_BACKGROUND
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.conflit:
                return CONFLICT_FOREGROUND
            if c == self.total_column and self._totals[r] is None:
                return INCOMPLETE_FOREGROUND
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, c)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.reference}, {self.headerData(c, Qt.Orientation.Horizontal)} : {self._text(r, c, False)}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.is_editable(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        r, c = index.row(), index.column()
        if not self.is_editable(r, c):
            if 0 <= r < len(self._rows) and self._rows[r].conflit:
                self.message.emit(
                    f"Dossier {self._rows[r].reference} : conflit d'intérêts déclaré, évaluation non modifiable"
                )
            return False
        row = self._rows[r]
        if c == self.comment_column:
            text = "" if value is None else str(value)
            if text == (row.commentaire or ""):
                self._comments.pop(r, None)
            else:
                self._comments[r] = text
            self.dataChanged.emit(index, index)
            self.modificationsChanged.emit(self.modification_count())
            return True
        critere = self.critere_at(r, c)
        assert critere is not None
        note = self._parse(value, critere, row.reference)
        if note is False:
            return False
        assert note is not True
        key = (r, critere.id)
        if note == row.notes.get(critere.id):
            self._edits.pop(key, None)
        else:
            self._edits[key] = note
        self._totals[r] = self._compute_total(r)
        total = self.index(r, self.total_column)
        self.dataChanged.emit(index, index)
        self.dataChanged.emit(total, total)
        self.modificationsChanged.emit(self.modification_count())
        return True

    # --- internals --------------------------------------------------------------------------

    def _parse(self, value: Any, critere: CritereDto, reference: str) -> int | None | bool:
        """The note typed (None = erased), or False after emitting the refusal message."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            note = value
        else:
            text = str(value).strip()
            if not text.isdigit():
                self.message.emit(f"« {text} » : tapez une note entière (chiffres seulement)")
                return False
            note = int(text)
        if not critere.echelle_min <= note <= critere.echelle_max:
            self.message.emit(
                f"Dossier {reference}, « {critere.libelle} » : note {note} refusée, "
                f"l'échelle va de {critere.echelle_min} à {critere.echelle_max}"
            )
            return False
        return note

    def _row_modified(self, r: int) -> bool:
        return r in self._comments or any(rr == r for rr, _ in self._edits)

    def _compute_total(self, r: int) -> Any:
        specs = [
            CritereSpec(c.id, c.poids, c.echelle_min, c.echelle_max, c.eliminatoire, c.libelle)
            for c in self._criteria[r]
        ]
        if not specs:
            return None
        try:
            return scoring.weighted_total_20(specs, self.notes_of(r))
        except ValueError:
            return None

    def _text(self, r: int, c: int, edit: bool) -> str:
        row = self._rows[r]
        if c == 0:
            return row.reference
        if c == 1:
            return row.porteur
        if c == 2:
            if edit or len(row.intitule) <= INTITULE_CHARS:
                return row.intitule
            return row.intitule[: INTITULE_CHARS - 1].rstrip() + "…"
        if c == self.total_column:
            if row.conflit:
                return "conflit"
            total = self._totals[r]
            if total is None:
                notes = self.notes_of(r)
                weighted = [x for x in self._criteria[r] if x.poids > 0]
                done = sum(1 for x in weighted if x.id in notes)
                return f"{done}/{len(weighted)} notes" if done else ""
            return format_total(total)
        if c == self.comment_column:
            return self._comments.get(r, row.commentaire or "")
        critere = self.critere_at(r, c)
        if critere is None:
            return ""
        value = self.notes_of(r).get(critere.id)
        return "" if value is None else str(value)

    def _tooltip(self, r: int, c: int) -> str | None:
        row = self._rows[r]
        if row.conflit:
            return f"Conflit d'intérêts déclaré : évaluation exclue de la moyenne, non modifiable ({row.reference})"
        if c == 2:
            return row.intitule
        if c == self.comment_column:
            return self._text(r, c, False) or None
        critere = self.critere_at(r, c)
        if critere is None:
            return None
        value = self.notes_of(r).get(critere.id)
        head = critere.libelle
        if self._dto is not None and row.grille_id != self._dto.grille_id:
            head += " (notée sur une version antérieure de la grille)"
        if value is None:
            return f"{head}\nNon noté ({critere.echelle_min}–{critere.echelle_max})"
        return f"{head}\n{value} — {critere.level_label(value)}"


__all__ = [
    "FIXED",
    "MatrixModel",
    "critere_tooltip",
    "format_total",
    "modifications_text",
    "short_label",
    "two_lines",
]
