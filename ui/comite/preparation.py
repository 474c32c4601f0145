"""« Comités — <campagne> »: the comités of a campagne and the préparation of one of them.

Left, the comités (type, date, lieu, statut, points). Right, two tabs:

* « Comité »: type, date (« 15/03/2026 »), lieu, and the membres (nom, fonction, financeur, présent),
  saved together (`create` / `update`, optimistic version);
* « Ordre du jour »: the points in séance order, reordered by drag and drop (`AgendaModel.moveRows`,
  saved with `reorder`), « Ajouter les dossiers instruits » (`eligible_dossiers` → `add_points`), sort
  par axe / par score / par QPV, « Retirer le point », the members in conflict per point and the
  « Conflits d'intérêts… » editor (member × dossier, with a motif), « Ouvrir la séance »,
  « Simulations… », « Relevé de décisions (PDF)… » (`instructeur.exports.releve.render_releve`,
  run off the GUI thread).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.dates import format_date, parse_date
from instructeur.domain.money import format_amount
from instructeur.domain.text import sort_key
from instructeur.errors import UserError
from instructeur.exports.releve import render_releve
from instructeur.services.campagnes import CampagneRow
from instructeur.services.comites import ComiteRow, ComiteService, MembreData, MembreRow, PointRow
from instructeur.services.synthese import FinanceurRef, SyntheseService
from instructeur.storage.db import Database
from ui.comite import (
    COMITE_STATUT_LABELS,
    COMITE_TYPE_LABELS,
    DECISION_LABELS,
    comite_title,
    decision_icon,
)
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel
from ui.workers import run_job

__all__ = [
    "AGENDA_MIME",
    "AgendaModel",
    "AgendaView",
    "ComitesModel",
    "ConflitsDialog",
    "ConflitsModel",
    "MembresModel",
    "PreparationWindow",
]

AGENDA_MIME = "application/x-instructeur-comite-points"
PDF_FILTER = "Documents PDF (*.pdf)"

AnyIndex = QModelIndex | QPersistentModelIndex


def _date_text(d: date | None) -> str:
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


# --- conflits d'intérêts -----------------------------------------------------------------------


class ConflitsModel(QAbstractTableModel):
    """Points (rows) × membres (columns): checked when the membre is in conflict on the dossier."""

    def __init__(
        self, points: list[PointRow], membres: list[MembreRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.points = list(points)
        self.membres = list(membres)
        self.checked: set[tuple[int, int]] = set()  # (point row, membre col)
        self.motifs: dict[tuple[int, int], str] = {}
        for r, p in enumerate(self.points):
            names = set(p.membres_en_conflit)
            for c, m in enumerate(self.membres):
                if m.nom in names:
                    self.checked.add((r, c))
        self.on_toggle: Callable[[int, int, bool], bool] | None = None  # → accepted

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.points)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.membres)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.membres):
            m = self.membres[section]
            return m.nom if role == Qt.ItemDataRole.DisplayRole else f"{m.nom} — {m.fonction or ''}"
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.points):
            p = self.points[section]
            return f"{p.porteur} ({p.reference})"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(self.points) and 0 <= index.column() < len(self.membres)
        ):
            return None
        key = (index.row(), index.column())
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if key in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.motifs.get(key)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        on = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        key = (index.row(), index.column())
        if on == (key in self.checked):
            return False
        if self.on_toggle is not None and not self.on_toggle(index.row(), index.column(), on):
            return False
        if on:
            self.checked.add(key)
        else:
            self.checked.discard(key)
            self.motifs.pop(key, None)
        self.dataChanged.emit(index, index)
        return True


class ConflitsDialog(QDialog):
    """« Conflits d'intérêts » of a comité: check a membre × dossier cell, give the motif (saved at once)."""

    def __init__(
        self,
        service: ComiteService,
        comite_id: int,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conflits d'intérêts")
        self.setAccessibleName("Conflits d'intérêts")
        self._service = service
        self._dialogs = dialogs
        _comite, membres = service.get(comite_id)
        points = service.agenda(comite_id)
        self.model = ConflitsModel(points, list(membres), self)
        self.model.on_toggle = self._toggle
        self.changed = False
        layout = QVBoxLayout(self)
        note = QLabel(
            "Cochez le membre qui ne prend pas part à la décision sur un dossier (il est lié au porteur, "
            "par exemple). Le motif est demandé et le relevé de décisions le mentionne. Enregistré aussitôt."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableView()
        self.table.setAccessibleName("Membres en conflit par dossier")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(1000, 600)

    def _toggle(self, row: int, col: int, on: bool) -> bool:
        point, membre = self.model.points[row], self.model.membres[col]
        motif: str | None = None
        if on:
            motif = self._dialogs.ask_text(
                self,
                "Conflit d'intérêts",
                f"{membre.nom} ne prend pas part à la décision sur « {point.intitule} » ({point.porteur}).\n"
                "Motif :",
            )
            if motif is None or not motif.strip():
                return False
            motif = motif.strip()
        try:
            self._service.set_conflict(membre.id, point.dossier_id, motif)
        except UserError as exc:
            self._dialogs.error(self, "Conflit d'intérêts", exc.message)
            return False
        if motif:
            self.model.motifs[(row, col)] = motif
        self.changed = True
        return True


# --- the window --------------------------------------------------------------------------------


class PreparationWindow(QMainWindow):
    """The comités of one campagne; create, edit, build the ordre du jour, open the séance."""

    decisions_changed = Signal()  # statuts of dossiers moved (agenda, séance): the main list reloads

    def __init__(
        self,
        db: Database,
        campagne: CampagneRow,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
        open_fiche: Callable[[int], object] | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self._open_fiche = open_fiche
        self.campagne = campagne
        self.service = ComiteService(db, user)
        self.comite_id: int | None = None  # the comité shown on the right (None: a new one)
        self._version: int | None = None
        self._form_dirty = False
        self.seance_window: QWidget | None = None
        self.scenarios_window: QWidget | None = None
        self.setWindowTitle(f"Comités — {campagne.libelle}")
        self.setObjectName("preparationWindow")

        self.comites_model = ComitesModel(self)
        self.comites = QTableView()
        self.comites.setObjectName("comitesTable")
        self.comites.setAccessibleName("Comités de la campagne")
        self.comites.setModel(self.comites_model)
        self.comites.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.comites.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.comites.verticalHeader().setVisible(False)
        self.comites.horizontalHeader().setStretchLastSection(True)
        self.comites.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.comites.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.new_button = QPushButton("&Nouveau comité")
        self.new_button.clicked.connect(self.new_comite)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(8, 8, 4, 8)
        name = (
            campagne.libelle
            if str(campagne.annee) in campagne.libelle
            else f"{campagne.libelle} {campagne.annee}"
        )
        heading = QLabel(f"<b>Comités de la campagne</b><br>{name}")
        heading.setWordWrap(True)
        ll.addWidget(heading)
        ll.addWidget(self.comites, 1)
        ll.addWidget(self.new_button)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_form(), "Comité")
        self.tabs.addTab(self._build_agenda(), "Ordre du jour")
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([330, 1070])
        self.setCentralWidget(splitter)
        close = QAction("Fermer", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)

        try:
            financeurs = SyntheseService(db).financeurs(campagne.id)
        except UserError:
            financeurs = []
        self.membres_model.set_financeurs(financeurs)
        self.comites.selectionModel().currentRowChanged.connect(self._on_comite_selected)
        self.reload()

    # --- construction ------------------------------------------------------------------------

    def _build_form(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Type de comité")
        for key, label in COMITE_TYPE_LABELS.items():
            self.type_combo.addItem(label, key)
        self.type_combo.setCurrentIndex(self.type_combo.findData("financeurs"))
        self.date_edit = QLineEdit()
        self.date_edit.setAccessibleName("Date de la séance")
        self.date_edit.setPlaceholderText("jj/mm/aaaa")
        self.date_edit.setMaximumWidth(160)
        self.lieu_edit = QLineEdit()
        self.lieu_edit.setAccessibleName("Lieu")
        form.addRow("&Type :", self.type_combo)
        form.addRow("&Date :", self.date_edit)
        form.addRow("&Lieu :", self.lieu_edit)
        layout.addLayout(form)
        for w in (self.date_edit, self.lieu_edit):
            w.textEdited.connect(self._mark_dirty)
        self.type_combo.activated.connect(self._mark_dirty)

        layout.addWidget(QLabel("<b>Membres</b> (un membre rattaché à un financeur vote pour lui)"))
        self.membres_model = MembresModel(self)
        self.membres_model.changed.connect(self._mark_dirty)
        self.membres = QTableView()
        self.membres.setAccessibleName("Membres du comité")
        self.membres.setModel(self.membres_model)
        self.membres.verticalHeader().setVisible(False)
        self.membres.setItemDelegateForColumn(2, FinanceurDelegate(self.membres_model, self.membres))
        hh = self.membres.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.membres, 1)
        row = QHBoxLayout()
        self.add_membre_button = QPushButton("Ajouter un &membre")
        self.add_membre_button.clicked.connect(self.add_membre)
        self.remove_membre_button = QPushButton("Retirer le membre")
        self.remove_membre_button.clicked.connect(self.remove_membre)
        row.addWidget(self.add_membre_button)
        row.addWidget(self.remove_membre_button)
        row.addStretch(1)
        self.form_message = QLabel()
        self.form_message.setWordWrap(True)
        self.form_message.setStyleSheet("color: #7a1f00; font-weight: 600;")
        self.save_button = QPushButton("&Enregistrer le comité")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_comite)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addWidget(self.form_message)
        return page

    def _build_agenda(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.agenda_title = QLabel()
        self.agenda_title.setWordWrap(True)
        layout.addWidget(self.agenda_title)
        tools = QHBoxLayout()
        self.add_points_button = QPushButton("&Ajouter les dossiers instruits")
        self.add_points_button.clicked.connect(self.add_eligible)
        tools.addWidget(self.add_points_button)
        tools.addSpacing(12)
        tools.addWidget(QLabel("Trier :"))
        self.sort_buttons: dict[str, QPushButton] = {}
        for key, text in (("axe", "par a&xe"), ("score", "par &score"), ("qpv", "par &QPV")):
            b = QPushButton(text)
            b.setAccessibleName(f"Trier l'ordre du jour {text.replace('&', '')}")
            b.clicked.connect(lambda _c=False, k=key: self.sort_agenda(k))
            self.sort_buttons[key] = b
            tools.addWidget(b)
        tools.addSpacing(12)
        self.remove_point_button = QPushButton("&Retirer le point")
        self.remove_point_button.clicked.connect(self.remove_point)
        self.conflits_button = QPushButton("&Conflits d'intérêts…")
        self.conflits_button.clicked.connect(self.edit_conflits)
        tools.addWidget(self.remove_point_button)
        tools.addWidget(self.conflits_button)
        tools.addStretch(1)
        layout.addLayout(tools)

        self.agenda_model = AgendaModel(self)
        self.agenda_model.reordered.connect(self._save_order)
        self.agenda = AgendaView()
        self.agenda.setObjectName("agendaTable")
        self.agenda.setAccessibleName("Ordre du jour (glisser une ligne pour la déplacer)")
        self.agenda.setModel(self.agenda_model)
        self.agenda.verticalHeader().setVisible(False)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setAlternatingRowColors(True)
        self.agenda.setWordWrap(False)
        hh = self.agenda.horizontalHeader()
        for n, c in enumerate(AGENDA_COLUMNS):
            mode = QHeaderView.ResizeMode.Stretch if c.stretch else QHeaderView.ResizeMode.ResizeToContents
            hh.setSectionResizeMode(n, mode)
        self.agenda.verticalHeader().setDefaultSectionSize(self.agenda.fontMetrics().height() + 8)
        self.agenda.doubleClicked.connect(self._open_fiche_at)
        layout.addWidget(self.agenda, 1)
        hint = QLabel(
            "Glissez une ligne pour changer l'ordre de passage ; double-cliquez pour ouvrir la fiche du dossier."
        )
        layout.addWidget(hint)

        actions = QHBoxLayout()
        self.simulations_button = QPushButton("Si&mulations…")
        self.simulations_button.clicked.connect(self.open_scenarios)
        self.releve_button = QPushButton("Relevé de décisions (&PDF)…")
        self.releve_button.clicked.connect(self.export_releve)
        self.close_comite_button = QPushButton("Clore le comité…")
        self.close_comite_button.clicked.connect(self.close_comite)
        self.open_seance_button = QPushButton("&Ouvrir la séance")
        self.open_seance_button.setObjectName("openSeanceButton")
        self.open_seance_button.clicked.connect(self.open_seance)
        actions.addWidget(self.simulations_button)
        actions.addWidget(self.releve_button)
        actions.addWidget(self.close_comite_button)
        actions.addStretch(1)
        actions.addWidget(self.open_seance_button)
        layout.addLayout(actions)
        return page

    # --- data --------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else self.comite_id
        rows = self.service.all(self.campagne.id)
        self.comites_model.set_rows(rows)
        index = next((n for n, r in enumerate(self.comites_model.rows) if r.id == keep), None)
        if index is None and rows:
            index = 0
        if index is not None:
            self.comites.selectRow(index)
            self._show_comite(self.comites_model.row_at(index).id)
        else:
            self.new_comite()

    def _on_comite_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowTableModel.RowRole) if current.isValid() else None
        if row is not None and row.id != self.comite_id:
            self._show_comite(row.id)

    def _show_comite(self, comite_id: int) -> None:
        comite, membres = self.service.get(comite_id)
        self.comite_id = comite.id
        self._version = comite.version
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(comite.type)))
        self.date_edit.setText(_date_text(comite.date_seance))
        self.lieu_edit.setText(comite.lieu or "")
        self.membres_model.set_membres(membres)
        self._form_dirty = False
        self.form_message.clear()
        self.reload_agenda()

    def reload_agenda(self) -> None:
        if self.comite_id is None:
            self.agenda_model.set_rows([])
            self.agenda_title.setText("Enregistrez d'abord le comité.")
            self._update_buttons(None)
            return
        comite, _m = self.service.get(self.comite_id)
        points = self.service.agenda(self.comite_id)
        self.agenda_model.set_rows(points)
        decided = sum(1 for p in points if p.decision)
        demande = sum(m.demande_cents for p in points for m in p.montants)
        self.agenda_title.setText(
            f"<b>{comite_title(comite)}</b> — {COMITE_STATUT_LABELS.get(comite.statut, comite.statut)} — "
            f"{len(points)} point{'s' if len(points) > 1 else ''}, {decided} décidé{'s' if decided > 1 else ''}, "
            f"{format_amount(demande)} demandés"
        )
        self._update_buttons(comite)

    def _update_buttons(self, comite: ComiteRow | None) -> None:
        editable = comite is not None and comite.statut != "clos"
        for w in (
            self.add_points_button,
            self.remove_point_button,
            self.conflits_button,
            *self.sort_buttons.values(),
        ):
            w.setEnabled(editable)
        self.agenda.setDragEnabled(editable)
        self.open_seance_button.setEnabled(comite is not None and comite.statut != "clos")
        self.open_seance_button.setText(
            "&Reprendre la séance"
            if comite is not None and comite.statut == "en_seance"
            else "&Ouvrir la séance"
        )
        self.close_comite_button.setEnabled(comite is not None and comite.statut == "en_seance")
        self.simulations_button.setEnabled(comite is not None)
        self.releve_button.setEnabled(comite is not None)

    # --- comité form -------------------------------------------------------------------------

    def _mark_dirty(self, *_args: object) -> None:
        self._form_dirty = True

    def new_comite(self) -> None:
        self.comite_id = None
        self._version = None
        self.comites.clearSelection()
        self.type_combo.setCurrentIndex(self.type_combo.findData("financeurs"))
        self.date_edit.clear()
        self.lieu_edit.clear()
        self.membres_model.set_membres([])
        self._form_dirty = False
        self.form_message.setText("Nouveau comité : renseignez-le puis « Enregistrer le comité ».")
        self.tabs.setCurrentIndex(0)
        self.reload_agenda()
        self.date_edit.setFocus()

    def add_membre(self) -> None:
        row = self.membres_model.add()
        ix = self.membres_model.index(row, 0)
        self.membres.setCurrentIndex(ix)
        self.membres.edit(ix)

    def remove_membre(self) -> None:
        ix = self.membres.currentIndex()
        if ix.isValid():
            self.membres_model.remove(ix.row())

    def save_comite(self) -> int | None:
        text = self.date_edit.text().strip()
        try:
            when = parse_date(text) if text else None
        except UserError as exc:
            self.form_message.setText(exc.message)
            self.date_edit.setFocus()
            return None
        type_ = str(self.type_combo.currentData())
        lieu = self.lieu_edit.text().strip() or None
        membres = self.membres_model.membres()
        try:
            if self.comite_id is None:
                comite_id = self.service.create(self.campagne.id, type_, when, lieu, membres)
            else:
                assert self._version is not None
                self.service.update(
                    self.comite_id, self._version, type=type_, date_seance=when, lieu=lieu, membres=membres
                )
                comite_id = self.comite_id
        except UserError as exc:
            self.form_message.setText(exc.message)
            return None
        self._form_dirty = False
        self.comite_id = comite_id
        self.reload(select=comite_id)
        self.form_message.setText("Comité enregistré.")
        return comite_id

    # --- ordre du jour -----------------------------------------------------------------------

    def add_eligible(self) -> int:
        if self.comite_id is None:
            return 0
        try:
            ids = self.service.eligible_dossiers(self.comite_id)
            if not ids:
                self._dialogs.info(
                    self,
                    "Ordre du jour",
                    "Aucun dossier instruit en attente : tous sont déjà à un ordre du jour.",
                )
                return 0
            self.service.add_points(self.comite_id, ids, "axe")
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
            return 0
        self._after_agenda_change()
        return len(ids)

    def sort_agenda(self, order: str) -> None:
        if self.comite_id is None:
            return
        try:
            self.service.sort_agenda(self.comite_id, order)
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
        self._after_agenda_change()

    def _save_order(self, point_ids: list[int]) -> None:
        if self.comite_id is None:
            return
        try:
            self.service.reorder(self.comite_id, point_ids)
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
        self._after_agenda_change()

    def selected_point(self) -> PointRow | None:
        ix = self.agenda.currentIndex()
        return ix.data(RowTableModel.RowRole) if ix.isValid() else None

    def remove_point(self) -> None:
        p = self.selected_point()
        if p is None:
            return
        try:
            self.service.remove_point(p.id)
        except UserError as exc:
            self._dialogs.error(self, "Retirer le point", exc.message)
            return
        self._after_agenda_change()

    def _after_agenda_change(self) -> None:
        current = self.selected_point()
        self.reload_agenda()
        if current is not None:
            for r, p in enumerate(self.agenda_model.rows):
                if p.id == current.id:
                    self.agenda.selectRow(r)
                    break
        self._refresh_comite_row()
        self.decisions_changed.emit()

    def _refresh_comite_row(self) -> None:
        rows = self.service.all(self.campagne.id)
        selected = self.comite_id
        self.comites.selectionModel().blockSignals(True)
        try:
            self.comites_model.set_rows(rows)
            for n, r in enumerate(self.comites_model.rows):
                if r.id == selected:
                    self.comites.selectRow(n)
        finally:
            self.comites.selectionModel().blockSignals(False)

    def edit_conflits(self) -> ConflitsDialog | None:
        if self.comite_id is None:
            return None
        dialog = ConflitsDialog(self.service, self.comite_id, self._dialogs, self)
        dialog.finished.connect(lambda _r: self._after_agenda_change() if dialog.changed else None)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _open_fiche_at(self, index: QModelIndex) -> None:
        p = index.data(RowTableModel.RowRole)
        if p is not None and self._open_fiche is not None:
            self._open_fiche(p.dossier_id)

    # --- séance, simulations, relevé ---------------------------------------------------------

    def open_seance(self, *, fullscreen: bool = True) -> QWidget | None:
        from ui.comite.seance import open_seance_window

        if self.comite_id is None:
            return None
        if self.seance_window is not None:
            self.seance_window.close()
            self.seance_window.deleteLater()
        win = open_seance_window(self, self._db, self.comite_id, self._dialogs, fullscreen=fullscreen)
        if win is not None:
            win.closed.connect(self._after_agenda_change)
            self.seance_window = win
        self.reload_agenda()
        return win

    def open_scenarios(self) -> QWidget | None:
        from ui.comite.scenarios import ScenariosWindow

        if self.comite_id is None:
            return None
        if self.scenarios_window is not None:
            self.scenarios_window.close()
            self.scenarios_window.deleteLater()
        win = ScenariosWindow(self._db, self.comite_id, parent=self, dialogs=self._dialogs)
        win.proposals_changed.connect(self.reload_agenda)
        self.scenarios_window = win
        win.show()
        return win

    def close_comite(self) -> None:
        if self.comite_id is None:
            return
        if not self._dialogs.confirm(
            self,
            "Clore le comité",
            "Clore le comité ? Les décisions ne pourront plus être modifiées.",
            "Clore",
        ):
            return
        try:
            self.service.close(self.comite_id)
        except UserError as exc:
            self._dialogs.error(self, "Clore le comité", exc.message)
            return
        self.reload()

    def export_releve(self) -> None:
        if self.comite_id is None:
            return
        comite, _m = self.service.get(self.comite_id)
        suffix = comite.date_seance.isoformat() if comite.date_seance else str(comite.id)
        path = self._dialogs.ask_export_path(
            self, "Relevé de décisions", str(Path.home() / f"releve-decisions-{suffix}.pdf"), PDF_FILTER
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(".pdf")
        db, comite_id = self._db, self.comite_id

        def done(_result: object) -> None:
            self.statusBar().showMessage(f"Relevé de décisions enregistré : {path}", 8000)

        run_job(
            self,
            "Relevé de décisions",
            lambda _p: render_releve(db, comite_id, path),
            done,
            dialogs=self._dialogs,
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._form_dirty and not self._dialogs.confirm(
            self,
            "Comité",
            "Les modifications du comité ne sont pas enregistrées. Fermer quand même ?",
            "Fermer",
        ):
            event.ignore()
            return
        super().closeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1400, 860)
