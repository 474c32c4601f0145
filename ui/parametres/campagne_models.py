"""Editable models of Paramètres › Campagne: enveloppes (with the voté so far) and the recevabilité list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from instructeur.domain.money import AmountError, format_amount, parse_amount
from instructeur.services.campagnes import (
    RecevabiliteItemEdit,
)
from ui.models.table import ALIGN_RIGHT
from ui.parametres.common import (
    _MUTED,
    _WARN,
    DISPLAY,
    EDIT,
    AnyIndex,
    _LinesModel,
    plural,
)


@dataclass
class EnveloppeLine:
    financeur_id: int
    code: str
    nom: str
    enveloppe_cents: int
    vote_cents: int = 0
    changed: bool = field(default=False)
    has_enveloppe: bool = True  # False: the campagne gives this financeur no enveloppe (yet)

    @property
    def reste_cents(self) -> int:
        return self.enveloppe_cents - self.vote_cents


class EnveloppesModel(QAbstractTableModel):
    """One line per financeur: enveloppe (editable, « 150 000 » or « 150 000,00 € »), voté, reste."""

    HEADERS = ("Financeur", "Enveloppe", "Voté à ce jour", "Reste")
    edited = Signal()
    rejected = Signal(str)  # an amount that cannot be read

    def __init__(self, parent: QObject | None = None, *, with_vote: bool = True) -> None:
        super().__init__(parent)
        self.lines: list[EnveloppeLine] = []
        self.with_vote = with_vote

    def set_lines(self, lines: list[EnveloppeLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def montants(self) -> dict[int, int]:
        return {
            line.financeur_id: line.enveloppe_cents
            for line in self.lines
            if line.has_enveloppe or line.changed
        }

    def total_cents(self) -> int:
        return sum(line.enveloppe_cents for line in self.lines)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else (4 if self.with_vote else 2)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < self.columnCount():
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 1 else base

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role == DISPLAY:
            if col == 0:
                return f"{line.code} — {line.nom}"
            if not (line.has_enveloppe or line.changed) and col in (1, 3):
                return "non définie" if col == 1 else "—"
            return format_amount((line.enveloppe_cents, line.vote_cents, line.reste_cents)[col - 1])
        if role == EDIT and col == 1:
            return format_amount(line.enveloppe_cents, symbol=False)
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(ALIGN_RIGHT)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 3 and line.reste_cents < 0:
                return _WARN
            if col == 2:
                return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and line.reste_cents < 0:
            return "Le voté dépasse l'enveloppe"
        if role == Qt.ItemDataRole.FontRole and col == 1 and line.changed:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() != 1:
            return False
        line = self.lines[index.row()]
        try:
            cents = parse_amount(str(value).strip() or "0") if not isinstance(value, int) else value
        except AmountError as exc:
            self.rejected.emit(f"Enveloppe {line.code} : {exc.message}")
            return False
        if cents < 0:
            self.rejected.emit(f"Enveloppe {line.code} : le montant ne peut pas être négatif")
            return False
        if cents == line.enveloppe_cents:
            return False
        line.enveloppe_cents = cents
        line.changed = True
        self.dataChanged.emit(index, self.index(index.row(), self.columnCount() - 1))
        self.edited.emit()
        return True


@dataclass
class RecevabiliteLine:
    id: int | None
    libelle: str
    obligatoire: bool
    n_checks: int = 0


class RecevabiliteModel(_LinesModel):
    """The campagne's recevabilité list: libellé (editable), obligatoire (check box), use."""

    HEADERS = ("Critère de recevabilité", "Obligatoire", "Vérifié sur")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[RecevabiliteLine] = []

    def set_lines(self, lines: list[RecevabiliteLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def edits(self) -> list[RecevabiliteItemEdit]:
        return [RecevabiliteItemEdit(line.id, line.libelle, line.obligatoire) for line in self.lines]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == 1:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if col == 0 and role in (DISPLAY, EDIT):
            return line.libelle
        if col == 1 and role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if line.obligatoire else Qt.CheckState.Unchecked
        if col == 1 and role == DISPLAY:
            return "oui" if line.obligatoire else "non"
        if col == 2 and role == DISPLAY:
            return plural(line.n_checks, "dossier") if line.n_checks else "—"
        if col == 2 and role == Qt.ItemDataRole.ForegroundRole:
            return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and line.n_checks:
            return "Déjà vérifié sur des dossiers : renommable, mais pas supprimable"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if not index.isValid():
            return False
        line = self.lines[index.row()]
        if index.column() == 0 and role == EDIT:
            text = str(value).strip()
            if not text or text == line.libelle:
                return False
            line.libelle = text
        elif index.column() == 1 and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            if checked == line.obligatoire:
                return False
            line.obligatoire = checked
        else:
            return False
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True
