"""Tab « Historique »: who changed what, when (statut transitions and field changes).

The journal is read when the tab is shown (`set_source`), not with the rest of the fiche: most
openings of a fiche never look at it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from instructeur.services.fiche import JournalRow
from ui.models.table import Column, RowTableModel


def _when(at: datetime) -> str:
    return f"{at:%d/%m/%Y %H:%M}"


JOURNAL_COLUMNS: tuple[Column[JournalRow], ...] = (
    Column("at", "Date", lambda r: r.at, formatter=_when, width=130),
    Column("utilisateur", "Par", lambda r: r.utilisateur, width=120),
    Column("action", "Action", lambda r: r.action, width=110),
    Column("text", "Détail", lambda r: r.text, width=600, stretch=1),
)


class HistoriqueTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowTableModel[JournalRow] = RowTableModel(JOURNAL_COLUMNS, self)
        self.table = QTableView()
        self.table.setAccessibleName("Historique du dossier")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh = self.table.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for n, column in enumerate(JOURNAL_COLUMNS):
            hh.resizeSection(n, column.width or 100)
        hh.setSectionResizeMode(len(JOURNAL_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        self._source: Callable[[], list[JournalRow]] | None = None  # set: not read yet

    def set_source(self, source: Callable[[], list[JournalRow]]) -> None:
        """Where the rows come from: read now if the tab is on screen, else when it is shown."""
        self._source = source
        if self.isVisible():
            self._read()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        self._read()

    def _read(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            self.load(source())

    def load(self, rows: list[JournalRow]) -> None:
        self.model.set_rows(rows)
        n = len(rows)
        self.count.setText(
            "Aucun événement"
            if n == 0
            else f"{n} événement{'s' if n > 1 else ''}, du plus récent au plus ancien"
        )
