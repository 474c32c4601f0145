"""« Conflits d'intérêts » of a comité: membres × dossiers of the ordre du jour, a motif for each
conflict, saved at once (`ComiteService.set_conflict`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from instructeur.errors import UserError
from instructeur.services.comites import ComiteService, MembreRow, PointRow
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen

__all__ = ["ConflitsDialog", "ConflitsModel"]

AnyIndex = QModelIndex | QPersistentModelIndex


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


class ConflitsDialog(FitsScreen, QDialog):
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
