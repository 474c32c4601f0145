"""Models and views of the comités préparation window: the comités list, the membres editor (with
its financeur delegate), the ordre du jour reordered by drag and drop."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.domain.text import sort_key
from instructeur.services.comites import ComiteRow, MembreData, MembreRow, PointRow
from instructeur.services.synthese import FinanceurRef
from ui.comite import COMITE_STATUT_LABELS, COMITE_TYPE_LABELS, DECISION_LABELS, decision_icon
from ui.models.table import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel

__all__ = [
    "AGENDA_COLUMNS",
    "AGENDA_MIME",
    "AgendaModel",
    "AgendaView",
    "ComitesModel",
    "FinanceurDelegate",
    "MembresModel",
    "date_text",
]

AGENDA_MIME = "application/x-instructeur-comite-points"

AnyIndex = QModelIndex | QPersistentModelIndex


def date_text(d: date | None) -> str:
    return format_date(d) if d else ""


COMITE_COLUMNS: tuple[Column[ComiteRow], ...] = (
    Column("type", "Comité", lambda c: COMITE_TYPE_LABELS.get(c.type, c.type), width=170, stretch=1),
    Column(
        "date",
        "Date",
        lambda c: c.date_seance,
        formatter=format_date,
        sort_key=lambda d: d.isoformat() if d else None,
        width=100,
    ),
    Column("statut", "Statut", lambda c: COMITE_STATUT_LABELS.get(c.statut, c.statut), width=100),
    Column("points", "Points", lambda c: c.nb_points, ALIGN_RIGHT, width=60),
    Column("decides", "Décidés", lambda c: c.nb_decides, ALIGN_RIGHT, width=70),
    Column("lieu", "Lieu", lambda c: c.lieu, width=160, stretch=1),
)


class ComitesModel(RowTableModel[ComiteRow]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COMITE_COLUMNS, parent)


# --- membres -----------------------------------------------------------------------------------


@dataclass
class _Membre:
    nom: str = ""
    fonction: str = ""
    financeur_id: int | None = None
    present: bool = True


class MembresModel(QAbstractTableModel):
    """The membres of the comité being edited (nom, fonction, financeur, présent), kept in memory."""

    HEADERS = ("Nom", "Fonction", "Financeur", "Présent")
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Membre] = []
        self.financeurs: list[FinanceurRef] = []

    def set_financeurs(self, financeurs: list[FinanceurRef]) -> None:
        self.financeurs = list(financeurs)

    def financeur_label(self, financeur_id: int | None) -> str:
        f = next((f for f in self.financeurs if f.id == financeur_id), None)
        return f"{f.code} — {f.nom}" if f else ""

    def set_membres(self, membres: tuple[MembreRow, ...] | list[MembreRow]) -> None:
        self.beginResetModel()
        try:
            self._rows = [_Membre(m.nom, m.fonction or "", m.financeur_id, m.present) for m in membres]
        finally:
            self.endResetModel()

    def membres(self) -> list[MembreData]:
        return [
            MembreData(m.nom.strip(), m.fonction.strip() or None, m.financeur_id, m.present)
            for m in self._rows
            if m.nom.strip()
        ]

    def add(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(_Membre())
        self.endInsertRows()
        self.changed.emit()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.changed.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if index.column() == 3:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        m, col = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return m.nom
            if col == 1:
                return m.fonction
            if col == 2:
                return (
                    m.financeur_id
                    if role == Qt.ItemDataRole.EditRole
                    else self.financeur_label(m.financeur_id)
                )
            return None
        if role == Qt.ItemDataRole.CheckStateRole and col == 3:
            return Qt.CheckState.Checked if m.present else Qt.CheckState.Unchecked
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        m, col = self._rows[index.row()], index.column()
        if col == 3 and role == Qt.ItemDataRole.CheckStateRole:
            m.present = (
                Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            )
        elif role == Qt.ItemDataRole.EditRole and col == 0:
            m.nom = str(value or "")
        elif role == Qt.ItemDataRole.EditRole and col == 1:
            m.fonction = str(value or "")
        elif role == Qt.ItemDataRole.EditRole and col == 2:
            m.financeur_id = int(value) if value not in (None, "", 0) else None
        else:
            return False
        self.dataChanged.emit(index, index)
        self.changed.emit()
        return True


class FinanceurDelegate(QStyledItemDelegate):
    """A combo of the campagne's financeurs (first entry « — » for none)."""

    def __init__(self, model: MembresModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        combo.setAccessibleName("Financeur du membre")
        combo.addItem("—", None)
        for f in self._model.financeurs:
            combo.addItem(f"{f.code} — {f.nom}", f.id)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


# --- ordre du jour -----------------------------------------------------------------------------


def _score_text(p: PointRow) -> str:
    if p.score is None:
        return ""
    text = f"{float(p.score):.1f}".replace(".", ",")
    return text + " ⚠" if p.disagreement else text


def _propose(p: PointRow) -> int | None:
    values = [m.propose_cents for m in p.montants if m.propose_cents is not None]
    return sum(values) if values else None


AGENDA_COLUMNS: tuple[Column[PointRow], ...] = (
    Column("position", "N°", lambda p: p.position, ALIGN_RIGHT, width=44),
    Column("reference", "Référence", lambda p: p.reference, width=100),
    Column("porteur", "Porteur", lambda p: p.porteur, sort_key=sort_key, width=180, stretch=2),
    Column("intitule", "Intitulé", lambda p: p.intitule, sort_key=sort_key, width=220, stretch=3),
    Column("axe", "Axe", lambda p: p.axe, width=140, stretch=1),
    Column("quartiers", "Quartiers", lambda p: p.quartiers, width=140, stretch=1),
    Column("score", "Score /20", _score_text, ALIGN_RIGHT, width=80),
    Column(
        "demande",
        "Demandé",
        lambda p: sum(m.demande_cents for m in p.montants),
        ALIGN_RIGHT,
        format_amount,
        width=120,
    ),
    Column("propose", "Proposé", _propose, ALIGN_RIGHT, format_amount, width=120),
    Column(
        "conflits",
        "Conflits d'intérêts",
        lambda p: ", ".join(p.membres_en_conflit),
        width=160,
        stretch=1,
        header_tooltip="Membres du comité qui ne prennent pas part à la décision",
    ),
    Column(
        "decision",
        "Décision",
        lambda p: f"{decision_icon(p.decision)} {DECISION_LABELS[p.decision]}" if p.decision else None,
        ALIGN_CENTER,
        width=100,
    ),
)


class AgendaModel(RowTableModel[PointRow]):
    """The ordre du jour; rows move by drag and drop (`moveRows`), the new order is `reordered`."""

    reordered = Signal(list)  # point ids in the new order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(AGENDA_COLUMNS, parent)

    def point_ids(self) -> list[int]:
        return [p.id for p in self.rows]

    # drag and drop
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [AGENDA_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        rows = sorted({ix.row() for ix in indexes if ix.isValid()})
        mime = QMimeData()
        mime.setData(AGENDA_MIME, QByteArray(json.dumps([self.row_at(r).id for r in rows]).encode()))
        return mime

    def canDropMimeData(  # noqa: N802
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        return data.hasFormat(AGENDA_MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(  # noqa: N802
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        """Move the dragged points before `row` (or before the row dropped on; at the end if -1)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = json.loads(bytes(data.data(AGENDA_MIME).data()).decode())
        except ValueError:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        current = self.point_ids()
        moving = [i for i in current if i in set(ids)]
        if not moving:
            return False
        rows = [current.index(i) for i in moving]
        if rows == list(range(rows[0], rows[0] + len(rows))):  # one block: a real row move
            if row in range(rows[0], rows[-1] + 2):
                return False  # dropped onto itself
            return self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)
        before = [i for i in current[:row] if i not in moving]
        after = [i for i in current[row:] if i not in moving]
        self._set_order(before + moving + after)
        return True

    def moveRows(  # noqa: N802
        self, source_parent: AnyIndex, source_row: int, count: int, dest_parent: AnyIndex, dest_child: int
    ) -> bool:
        n = self.rowCount()
        if source_parent.isValid() or dest_parent.isValid() or count < 1:
            return False
        if source_row < 0 or source_row + count > n or not 0 <= dest_child <= n:
            return False
        if source_row <= dest_child <= source_row + count:
            return False  # no-op (Qt refuses it in beginMoveRows)
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row + count - 1, QModelIndex(), dest_child
        ):
            return False
        order = list(range(n))
        block = order[source_row : source_row + count]
        rest = order[:source_row] + order[source_row + count :]
        insert_at = dest_child if dest_child < source_row else dest_child - count
        new_order = rest[:insert_at] + block + rest[insert_at:]
        self._apply_order(new_order)
        self._sorted_by = None
        self.endMoveRows()
        self.reordered.emit(self.point_ids())
        return True

    def _set_order(self, ids: list[int]) -> None:
        position = {pid: n for n, pid in enumerate(self.point_ids())}
        self.layoutAboutToBeChanged.emit()
        self._apply_order([position[i] for i in ids])
        self._sorted_by = None
        self.layoutChanged.emit()
        self.reordered.emit(self.point_ids())


class AgendaView(QTableView):
    """The ordre du jour table: drag a row to move it (the model moves it, nothing is removed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        model = self.model()
        if event.source() is not self or not isinstance(model, AgendaModel):
            event.ignore()
            return
        index = self.indexAt(event.position().toPoint())
        pos = self.dropIndicatorPosition()
        if not index.isValid() or pos == QAbstractItemView.DropIndicatorPosition.OnViewport:
            row = model.rowCount()
        elif pos == QAbstractItemView.DropIndicatorPosition.BelowItem:
            row = index.row() + 1
        else:
            row = index.row()
        mime = model.mimeData(self.selectionModel().selectedRows())
        model.dropMimeData(mime, Qt.DropAction.MoveAction, row, 0, QModelIndex())
        # CopyAction: the drag source must not remove the rows the model has just moved.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
