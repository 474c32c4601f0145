"""The porteurs directory: search, history of the selected porteur, merging of duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.domain.text import fold, sort_key
from instructeur.errors import UserError
from instructeur.services.dossiers import DossierService
from instructeur.services.porteurs import PorteurHistoryRow, PorteurService
from instructeur.storage.db import Database
from ui.delegates import PillDelegate
from ui.dialogs import Dialogs
from ui.models.dossiers import statut_colours
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel, SourceSortingProxy
from ui.porteur_dialogs import MergeDialog, PorteurDialog
from ui.screen_fit import FitsScreen


@dataclass(frozen=True)
class PorteurEntry:
    id: int
    raison_sociale: str
    sigle: str | None
    siret: str | None
    ville: str | None
    nb_dossiers: int
    vote_cents: int


def _siret(value: str) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}" if len(value) == 14 else value


PORTEUR_COLUMNS: tuple[Column[PorteurEntry], ...] = (
    Column(
        "raison_sociale",
        "Raison sociale",
        lambda r: r.raison_sociale,
        sort_key=sort_key,
        width=320,
        stretch=3,
    ),
    Column("sigle", "Sigle", lambda r: r.sigle, sort_key=sort_key, width=100),
    Column("siret", "SIRET", lambda r: r.siret, formatter=_siret, width=150),
    Column("ville", "Ville", lambda r: r.ville, sort_key=sort_key, width=160, stretch=1),
    Column("nb_dossiers", "Dossiers", lambda r: r.nb_dossiers, alignment=ALIGN_RIGHT, width=80),
    Column(
        "vote",
        "Total voté",
        lambda r: r.vote_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=140,
    ),
)

HISTORY_COLUMNS: tuple[Column[PorteurHistoryRow], ...] = (
    Column("annee", "Campagne", lambda r: r.annee, width=95),
    Column("reference", "Référence", lambda r: r.reference, sort_key=sort_key, width=110),
    Column("intitule", "Intitulé", lambda r: r.intitule, sort_key=sort_key, width=300, stretch=3),
    Column(
        "statut",
        "Statut",
        lambda r: r.statut,
        formatter=lambda s: s.label,
        width=130,
        foreground=lambda r: statut_colours(r.statut)[0],
        background=lambda r: statut_colours(r.statut)[1],
    ),
    Column(
        "demande",
        "Demandé",
        lambda r: r.demande_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=130,
    ),
    Column("vote", "Voté", lambda r: r.vote_cents, alignment=ALIGN_RIGHT, formatter=format_amount, width=130),
    Column("crf", "CRF reçu le", lambda r: r.crf_recu_le, formatter=lambda d: f"{d:%d/%m/%Y}", width=110),
)


class PorteurTableModel(RowTableModel[PorteurEntry]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(PORTEUR_COLUMNS, parent)
        self._search: list[str] = []
        self.generation = 0

    def _prepare_rows(self, rows: list[PorteurEntry]) -> None:
        self._search = [
            fold(f"{r.raison_sociale} {r.sigle or ''} {r.siret or ''} {r.ville or ''}") for r in rows
        ]
        self.generation += 1

    def _reorder_extra(self, order: list[int]) -> None:
        self._search = [self._search[i] for i in order]
        self.generation += 1

    def search_texts(self) -> list[str]:
        return self._search


class PorteurFilterProxy(SourceSortingProxy):
    """Accent-insensitive search on raison sociale, sigle, SIRET (with or without spaces), ville."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self._accepted: list[bool] | None = None
        self._for = -1

    def set_search(self, text: str) -> None:
        terms = tuple(fold(text.replace("\u00a0", " ")).split())
        # « 732 829 320 00074 » typed with spaces is one SIRET
        digits = "".join(terms)
        if len(terms) > 1 and digits.isdigit():
            terms = (digits,)
        if terms == self._terms:
            return
        self.begin_filter_change()
        self._terms, self._accepted = terms, None
        self.end_filter_change()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not self._terms or not isinstance(model, PorteurTableModel):
            return True
        if self._accepted is None or self._for != model.generation:
            terms = self._terms
            self._accepted = [all(t in text for t in terms) for text in model.search_texts()]
            self._for = model.generation
        return self._accepted[source_row]


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.setSortingEnabled(True)
    hh = table.horizontalHeader()
    hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    hh.setHighlightSections(False)
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class PorteursWindow(FitsScreen, QMainWindow):
    """Annuaire des porteurs (Ctrl+P from the main window)."""

    merged = Signal(int, int)  # kept id, removed id
    edited = Signal(int)  # porteur id

    def __init__(
        self, db: Database, *, parent: QWidget | None = None, dialogs: Dialogs | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("Annuaire des porteurs")
        self.setObjectName("porteursWindow")
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self.model = PorteurTableModel(self)
        self.proxy = PorteurFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.history_model: RowTableModel[PorteurHistoryRow] = RowTableModel(HISTORY_COLUMNS, self)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Rechercher (raison sociale, sigle, SIRET, ville)…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Rechercher un porteur")
        self.search_edit.textChanged.connect(self._on_search)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Nombre de porteurs")
        self.edit_button = QPushButton("&Modifier…")
        self.edit_button.setToolTip("Modifier le porteur sélectionné (raison sociale, SIRET, adresse, contact…)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.merge_button = QPushButton("&Fusionner…")
        self.merge_button.setToolTip("Fusionner deux porteurs en double (sélectionnez-en deux)")
        self.merge_button.clicked.connect(self.ask_merge)
        self.merge_action = QAction("&Fusionner…", self)
        self.merge_action.setShortcut(QKeySequence("Ctrl+M"))
        self.merge_action.triggered.connect(self.ask_merge)
        self.addAction(self.merge_action)

        self.table = _table("Porteurs")
        self.table.setObjectName("porteursTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.activated.connect(lambda *_: self.edit_selected())  # Entrée, double-clic

        self.history_title = QLabel("Historique")
        self.history_title.setObjectName("historyTitle")
        self.history_title.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.history = _table("Historique du porteur")
        self.history.setModel(self.history_model)
        self.history.setItemDelegateForColumn(
            self.history_model.column_index("statut"), PillDelegate(self.history)
        )
        self.history.sortByColumn(0, Qt.SortOrder.DescendingOrder)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(12, 10, 12, 4)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.merge_button)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(12, 4, 12, 10)
        bottom_layout.addWidget(self.history_title)
        bottom_layout.addWidget(self.history, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)
        self.resize(1100, 720)
        self.reload()

    def set_database(self, db: Database) -> None:
        self._db = db
        self.reload()

    def reload(self) -> None:
        porteurs = PorteurService(self._db).search("", limit=1_000_000)
        totals = DossierService(self._db).totals_by_porteur()
        self.model.set_rows(
            [
                PorteurEntry(
                    p.id,
                    p.data.raison_sociale,
                    p.data.sigle,
                    p.data.siret,
                    p.data.ville,
                    *totals.get(p.id, (0, 0)),
                )
                for p in porteurs
            ]
        )
        self._fit(self.table, PORTEUR_COLUMNS)
        self._fit(self.history, HISTORY_COLUMNS)
        self._update_count()
        self._on_selection()

    @staticmethod
    def _fit(table: QTableView, columns: Sequence[Column[Any]]) -> None:
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        widest = max(range(len(columns)), key=lambda n: columns[n].stretch)
        for n, c in enumerate(columns):
            header.resizeSection(n, c.width or 100)
        header.setSectionResizeMode(widest, QHeaderView.ResizeMode.Stretch)

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        text = f"{total} porteur{'s' if total > 1 else ''}"
        if shown != total:
            text += f" — {shown} affiché{'s' if shown > 1 else ''}"
        self.count_label.setText(text)

    def selected(self) -> list[PorteurEntry]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        out = []
        for r in rows:
            value = self.proxy.index(r, 0).data(RowTableModel.RowRole)
            if isinstance(value, PorteurEntry):
                out.append(value)
        return out

    def select_porteur(self, porteur_id: int, *, add: bool = False) -> bool:
        for r in range(self.proxy.rowCount()):
            value = self.proxy.index(r, 0).data(RowTableModel.RowRole)
            if isinstance(value, PorteurEntry) and value.id == porteur_id:
                from PySide6.QtCore import QItemSelectionModel

                flags = QItemSelectionModel.SelectionFlag.Rows | (
                    QItemSelectionModel.SelectionFlag.Select
                    if add
                    else QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self.table.selectionModel().select(self.proxy.index(r, 0), flags)
                self.table.scrollTo(self.proxy.index(r, 0))
                return True
        return False

    def _on_selection(self, *_args: object) -> None:
        chosen = self.selected()
        self.merge_button.setEnabled(len(chosen) == 2)
        self.edit_button.setEnabled(len(chosen) == 1)
        if len(chosen) == 1:
            p = chosen[0]
            rows = PorteurService(self._db).history(p.id)
            self.history_model.set_rows(rows)
            self.history_title.setText(
                f"Historique de « {p.raison_sociale} » — {len(rows)} dossier{'s' if len(rows) > 1 else ''}"
            )
        else:
            self.history_model.set_rows([])
            self.history_title.setText(
                "Historique : sélectionnez un porteur"
                if not chosen
                else "Historique : un seul porteur à la fois"
            )

    def ask_merge(self) -> None:
        chosen = self.selected()
        if len(chosen) != 2:
            self._dialogs.info(
                self,
                "Fusionner des porteurs",
                "Sélectionnez exactement deux porteurs (Ctrl+clic) : le doublon et celui à conserver.",
            )
            return
        # Suggest keeping the one with a SIRET, then the one with more dossiers.
        first, second = sorted(chosen, key=lambda p: (p.siret is None, -p.nb_dossiers, p.id))
        try:
            service = PorteurService(self._db)
            rows = service.get(first.id), service.get(second.id)
        except UserError as exc:
            self._dialogs.error(self, "Fusionner des porteurs", exc.message)
            return
        counts = {first.id: first.nb_dossiers, second.id: second.nb_dossiers}
        dialog = MergeDialog(*rows, counts, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self.merge(dialog.keep.id, dialog.duplicate.id))
        self.merge_dialog = dialog
        dialog.open()  # window-modal, not blocking: both porteurs side by side before « Fusionner »

    def merge(self, keep_id: int, duplicate_id: int) -> bool:
        names = {p.id: p.raison_sociale for p in self.model.rows}
        try:
            PorteurService(self._db).merge(keep_id, duplicate_id)
        except UserError as exc:
            self._dialogs.error(self, "Fusion impossible", exc.message)
            return False
        self.reload()
        self.select_porteur(keep_id)
        self.statusBar().showMessage(
            f"« {names.get(duplicate_id, '')} » fusionné dans « {names.get(keep_id, '')} »", 8000
        )
        self.merged.emit(keep_id, duplicate_id)
        return True

    def edit_selected(self) -> PorteurDialog | None:
        """« Modifier… »: the selected porteur's form; the directory reloads once it is saved."""
        chosen = self.selected()
        if len(chosen) != 1:
            return None
        try:
            dialog = PorteurDialog(self._db, chosen[0].id, parent=self)
        except UserError as exc:
            self._dialogs.error(self, "Modifier le porteur", exc.message)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        porteur_id = chosen[0].id

        def saved() -> None:
            self.reload()
            self.select_porteur(porteur_id)
            self.statusBar().showMessage("Porteur enregistré", 6000)
            self.edited.emit(porteur_id)

        dialog.accepted.connect(saved)
        self.edit_dialog = dialog
        dialog.open()
        return dialog
