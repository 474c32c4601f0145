"""The table models of the « Simulations » window (ui/comite/scenarios.py): a scenario's lines,
editable (décision, montant per financeur), with the décision's delegate; the comparison of the
checked scenarios with the enveloppes (reste in red when exceeded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from instructeur.domain.money import format_amount, parse_amount
from instructeur.errors import UserError
from instructeur.services.comites import PointRow, Tableau
from ui.comite import DECISION_LABELS

__all__ = ["ComparisonModel", "DecisionDelegate", "ScenarioLinesModel"]

AnyIndex = QModelIndex | QPersistentModelIndex
OVER = QColor("#b00020")
DECISION_CHOICES = [("", "—"), ("retenu", "Retenu"), ("ajourne", "Ajourné"), ("refuse", "Refusé")]
MAX_COMPARED = 3
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


class ScenarioLinesModel(QAbstractTableModel):
    """Dossiers of the ordre du jour × (décision, montant per financeur) of one scenario."""

    FIXED = ("Référence", "Porteur", "Demandé", "Décision")
    DECISION_COL = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[PointRow] = []
        self.financeurs: list[tuple[int, str]] = []  # (id, code)
        self.lines: dict[int, tuple[str | None, dict[int, int]]] = {}
        self.save: Callable[[int, str | None, dict[int, int]], str | None] | None = None  # → error text
        self.last_error: str | None = None

    def set_data(
        self,
        points: list[PointRow],
        financeurs: list[tuple[int, str]],
        lines: dict[int, tuple[str | None, dict[int, int]]],
    ) -> None:
        self.beginResetModel()
        try:
            self.points, self.financeurs, self.lines = list(points), list(financeurs), dict(lines)
        finally:
            self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.points)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.FIXED) + len(self.financeurs) + 1

    def _financeur_of(self, col: int) -> int | None:
        n = col - len(self.FIXED)
        return self.financeurs[n][0] if 0 <= n < len(self.financeurs) else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(self.FIXED):
                return self.FIXED[section]
            n = section - len(self.FIXED)
            return self.financeurs[n][1] if n < len(self.financeurs) else "Total"
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= 2 and section != self.DECISION_COL:
            return _RIGHT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if index.column() == self.DECISION_COL or self._financeur_of(index.column()) is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(self.points) and 0 <= index.column() < self.columnCount()
        ):
            return None
        p, col = self.points[index.row()], index.column()
        decision, votes = self.lines.get(p.dossier_id, (None, {}))
        fid = self._financeur_of(col)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return p.reference
            if col == 1:
                return p.porteur
            if col == 2:
                return format_amount(sum(m.demande_cents for m in p.montants))
            if col == self.DECISION_COL:
                if role == Qt.ItemDataRole.EditRole:
                    return decision or ""
                return DECISION_LABELS.get(decision or "", "—")
            if fid is not None:
                cents = votes.get(fid)
                if role == Qt.ItemDataRole.EditRole:
                    return format_amount(cents) if cents else ""
                return format_amount(cents) if cents else ("" if decision == "retenu" else "")
            return format_amount(sum(votes.values())) if decision == "retenu" else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2 and col != self.DECISION_COL:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return p.intitule
        if role == Qt.ItemDataRole.FontRole and col == self.columnCount() - 1:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self.points):
            return False
        p, col = self.points[index.row()], index.column()
        decision, votes = self.lines.get(p.dossier_id, (None, {}))
        votes = dict(votes)
        if col == self.DECISION_COL:
            decision = str(value) if value else None
            if decision not in (None, *DECISION_LABELS):
                return False
            if decision != "retenu":
                votes = {}
        else:
            fid = self._financeur_of(col)
            if fid is None:
                return False
            text = str(value or "").strip()
            try:
                cents = parse_amount(text) if text else 0
            except UserError as exc:
                self.last_error = exc.message
                return False
            if cents:
                votes[fid] = cents
                decision = "retenu"  # an amount is only for a retained action
            else:
                votes.pop(fid, None)
        if self.save is not None:
            error = self.save(p.dossier_id, decision, votes)
            if error:
                self.last_error = error
                return False
        self.last_error = None
        self.lines[p.dossier_id] = (decision, votes)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
        return True


class DecisionDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        combo.setAccessibleName("Décision simulée")
        for key, label in DECISION_CHOICES:
            combo.addItem(label, key)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole) or "")))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ComparisonModel(QAbstractTableModel):
    """Per financeur: enveloppe, then total and reste of each compared scenario (red when exceeded)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.tableaux: list[Tableau] = []
        self.financeurs: list[tuple[int, str, int]] = []  # (id, nom, enveloppe)

    def set_comparison(self, names: list[str], tableaux: list[Tableau]) -> None:
        self.beginResetModel()
        try:
            self.names, self.tableaux = list(names), list(tableaux)
            seen: dict[int, tuple[int, str, int]] = {}
            for t in tableaux:
                for e in t.enveloppes:
                    seen.setdefault(
                        e.financeur_id, (e.financeur_id, e.nom.split(" (", 1)[0], e.enveloppe_cents)
                    )
            self.financeurs = list(seen.values())
        finally:
            self.endResetModel()

    def _state(self, scenario: int, financeur_id: int) -> Any:
        return next((e for e in self.tableaux[scenario].enveloppes if e.financeur_id == financeur_id), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.financeurs) + (1 if self.financeurs else 0)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2 + 2 * len(self.tableaux)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Financeur"
            if section == 1:
                return "Enveloppe"
            n, is_reste = divmod(section - 2, 2)
            return f"Reste {self.names[n]}" if is_reste else f"Total {self.names[n]}"
        if role == Qt.ItemDataRole.TextAlignmentRole and section:
            return _RIGHT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def cell(self, row: int, col: int) -> tuple[str, bool]:
        """(text, exceeded) of a cell; the last row is the total."""
        total_row = row == len(self.financeurs)
        if col == 0:
            return ("Total" if total_row else self.financeurs[row][1]), False
        if col == 1:
            env = sum(f[2] for f in self.financeurs) if total_row else self.financeurs[row][2]
            return (format_amount(env) if env else "—"), False
        n, is_reste = divmod(col - 2, 2)
        if total_row:
            states = [self._state(n, f[0]) for f in self.financeurs]
            if is_reste:
                with_env = [s for s in states if s is not None and s.enveloppe_cents > 0]
                reste = sum(s.reste_cents for s in with_env)
                return format_amount(reste), reste < 0
            return format_amount(self.tableaux[n].total_vote_cents), False
        state = self._state(n, self.financeurs[row][0])
        if state is None:
            return "", False
        if is_reste:
            if state.enveloppe_cents <= 0:
                return "—", False
            return format_amount(state.reste_cents), state.exceeded
        return format_amount(state.vote_cents), state.exceeded

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()
        ):
            return None
        text, exceeded = self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ForegroundRole and exceeded:
            return OVER
        if role == Qt.ItemDataRole.FontRole and (exceeded or index.row() == len(self.financeurs)):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and exceeded:
            return "Enveloppe dépassée"
        return None
