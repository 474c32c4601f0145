"""« Évaluateurs — <contrat> »: the contrat's évaluateurs with their workload in the current
campagne (dossiers confiés, notés, en conflit), create / edit, and the dossiers of the selected one
(retirer une affectation, ouvrir sa matrice de notation)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
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

from instructeur.domain.text import sort_key
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import MatrixRow, NotationService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.matrix_model import format_total
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel
from ui.screen_fit import FitsScreen


@dataclass(frozen=True)
class EvaluateurEntry:
    id: int
    nom: str
    financeur_id: int | None
    financeur: str | None
    email: str | None
    confies: int  # in the current campagne
    notes: int
    conflits: int


def _etat(row: MatrixRow) -> str:
    if row.conflit:
        return "Conflit d'intérêts"
    if row.total is not None:
        return f"Noté : {format_total(row.total)} /20"
    return f"En cours ({len(row.notes)} notes)" if row.notes else "À noter"


EVALUATEUR_COLUMNS: tuple[Column[EvaluateurEntry], ...] = (
    Column("nom", "Nom", lambda r: r.nom, sort_key=sort_key, width=280, stretch=3),
    Column(
        "financeur",
        "Organisation / financeur",
        lambda r: r.financeur,
        sort_key=sort_key,
        width=200,
        stretch=1,
    ),
    Column("email", "Courriel", lambda r: r.email, width=220, stretch=1),
    Column("confies", "Dossiers confiés", lambda r: r.confies, alignment=ALIGN_RIGHT, width=110),
    Column("notes", "Notés", lambda r: r.notes, alignment=ALIGN_RIGHT, width=70),
    Column("conflits", "En conflit", lambda r: r.conflits, alignment=ALIGN_RIGHT, width=80),
)

DOSSIER_COLUMNS: tuple[Column[MatrixRow], ...] = (
    Column("reference", "Référence", lambda r: r.reference, sort_key=sort_key, width=100),
    Column("porteur", "Porteur", lambda r: r.porteur, sort_key=sort_key, width=200, stretch=1),
    Column("intitule", "Intitulé", lambda r: r.intitule, sort_key=sort_key, width=300, stretch=3),
    Column("etat", "État", _etat, width=170),
)


class EvaluateursWindow(FitsScreen, QMainWindow):
    open_matrix = Signal(int)  # évaluateur id

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._dialogs = dialogs or Dialogs()
        self.service = EvaluateurService(db)
        self.notation = NotationService(db)
        campagne = next((c for c in CampagneService(db).all() if c.id == campagne_id), None)
        if campagne is None:
            raise UserError(f"campagne {campagne_id} introuvable")
        self.campagne_id = campagne_id
        self.contrat_id = campagne.contrat_id
        self.financeurs = ContratService(db).financeurs(campagne.contrat_id)
        name = campagne.libelle if str(campagne.annee) in campagne.libelle else f"{campagne.libelle} {campagne.annee}"
        self.setWindowTitle(f"Évaluateurs — {campagne.contrat} — {name}")  # never « 2026 2026 »
        self.setObjectName("evaluateursWindow")
        self._editing: int | None = None
        self._build()
        self.reload()
        self.resize(1200, 720)

    def _build(self) -> None:
        self.model: RowTableModel[EvaluateurEntry] = RowTableModel(EVALUATEUR_COLUMNS, self)
        self.table = self._view(self.model, "Évaluateurs du contrat")
        self.table.selectionModel().currentRowChanged.connect(lambda current, _p: self._show(current.row()))
        self.table.doubleClicked.connect(lambda _i: self._open_matrix())

        self.nom_edit = QLineEdit()
        self.nom_edit.setAccessibleName("Nom de l'évaluateur")
        self.financeur_combo = QComboBox()
        self.financeur_combo.setAccessibleName("Financeur")
        self.financeur_combo.addItem("(aucun)", None)
        for f in self.financeurs:
            self.financeur_combo.addItem(f.nom, f.id)
        self.email_edit = QLineEdit()
        self.email_edit.setAccessibleName("Courriel")
        self.form_title = QLabel()
        self.form_title.setStyleSheet("font-weight:600;")
        self.new_button = QPushButton("&Nouvel évaluateur")
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#8a1c1c;")
        form_box = QGroupBox("Fiche de l'évaluateur")
        form = QFormLayout(form_box)
        form.addRow(self.form_title)
        form.addRow("N&om :", self.nom_edit)
        form.addRow("&Financeur :", self.financeur_combo)
        form.addRow("&Courriel :", self.email_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        form.addRow(self.message)

        top = QSplitter()
        top.addWidget(self.table)
        top.addWidget(form_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)

        self.dossiers_model: RowTableModel[MatrixRow] = RowTableModel(DOSSIER_COLUMNS, self)
        self.dossiers_table = self._view(self.dossiers_model, "Dossiers confiés")
        self.dossiers_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.dossiers_title = QLabel("Dossiers confiés")
        self.dossiers_title.setStyleSheet("font-weight:600;")
        self.unassign_button = QPushButton("&Retirer les dossiers sélectionnés")
        self.unassign_button.setToolTip("Une évaluation déjà notée est conservée")
        self.unassign_button.clicked.connect(self.unassign_selected)
        self.matrix_button = QPushButton("Ouvrir la &notation (matrice)")
        self.matrix_button.clicked.connect(self._open_matrix)
        line = QHBoxLayout()
        line.addWidget(self.dossiers_title, 1)
        line.addWidget(self.unassign_button)
        line.addWidget(self.matrix_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(line)
        bottom_layout.addWidget(self.dossiers_table, 1)
        # --- team mode (H10): the campagne's option on reading the others' notes ---
        from ui.notes_visibilite import NotesVisibiliteCheck

        self.notes_check = NotesVisibiliteCheck(self.notation.db, self.campagne_id, self._dialogs)
        bottom_layout.addWidget(self.notes_check)
        # --- end team mode ---

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(splitter)
        self.setCentralWidget(central)

    @staticmethod
    def _view(model: QObject, name: str) -> QTableView:
        view = QTableView()
        view.setModel(model)  # type: ignore[arg-type]
        view.setAccessibleName(name)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        assert isinstance(model, RowTableModel)
        for n, column in enumerate(model.columns):
            if column.width:
                view.horizontalHeader().resizeSection(n, column.width)
        return view

    # --- data ---------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else self.current_id()
        entries = []
        self._rows: dict[int, tuple[MatrixRow, ...]] = {}
        for e in self.service.all(self.contrat_id):
            rows = self.notation.matrix(self.campagne_id, e.id).rows
            self._rows[e.id] = rows
            entries.append(
                EvaluateurEntry(
                    e.id,
                    e.nom,
                    e.financeur_id,
                    e.financeur,
                    e.email,
                    len(rows),
                    sum(1 for r in rows if r.total is not None and not r.conflit),
                    sum(1 for r in rows if r.conflit),
                )
            )
        self.model.set_rows(entries)
        if not entries:
            self.start_new()
            self._show(-1)
            return
        target = next((n for n, e in enumerate(entries) if e.id == current), 0)
        self.table.selectionModel().setCurrentIndex(
            self.model.index(target, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._show(target)

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()).id if index.isValid() else None

    def select(self, evaluateur_id: int) -> bool:
        for n, e in enumerate(self.model.rows):
            if e.id == evaluateur_id:
                self.table.selectRow(n)
                self._show(n)
                return True
        return False

    def _show(self, row: int) -> None:
        valid = 0 <= row < self.model.rowCount()
        entry = self.model.row_at(row) if valid else None
        self._editing = entry.id if entry else None
        self.form_title.setText(f"Modifier « {entry.nom} »" if entry else "Nouvel évaluateur")
        self.nom_edit.setText(entry.nom if entry else "")
        self.financeur_combo.setCurrentIndex(
            max(0, self.financeur_combo.findData(entry.financeur_id)) if entry else 0
        )
        self.email_edit.setText(entry.email or "" if entry else "")
        self.message.clear()
        rows = self._rows.get(entry.id, ()) if entry else ()
        self.dossiers_model.set_rows(list(rows))
        if entry:
            n = len(rows)
            self.dossiers_title.setText(
                f"Dossiers confiés à {entry.nom} dans cette campagne : {n}"
                f" ({entry.notes} noté{'s' if entry.notes > 1 else ''}"
                f"{f', {entry.conflits} en conflit' if entry.conflits else ''})"
            )
        else:
            self.dossiers_title.setText("Dossiers confiés")
        self.unassign_button.setEnabled(bool(rows))
        self.matrix_button.setEnabled(bool(rows))

    # --- actions ------------------------------------------------------------------------------

    def start_new(self) -> None:
        self.table.clearSelection()
        self._editing = None
        self.form_title.setText("Nouvel évaluateur")
        self.nom_edit.clear()
        self.financeur_combo.setCurrentIndex(0)
        self.email_edit.clear()
        self.message.clear()
        self.nom_edit.setFocus()

    def save(self) -> int | None:
        nom, mail = self.nom_edit.text(), self.email_edit.text()
        financeur = self.financeur_combo.currentData()
        try:
            if self._editing is None:
                eid = self.service.create(self.contrat_id, nom, financeur, mail)
            else:
                eid = self._editing
                self.service.update(eid, nom, financeur, mail)
        except UserError as exc:
            self.message.setText(exc.message)
            return None
        self.reload(select=eid)
        self.statusBar().showMessage("Évaluateur enregistré", 5000)
        return eid

    def unassign_selected(self) -> None:
        evaluateur = self.current_id()
        if evaluateur is None:
            return
        rows = sorted({i.row() for i in self.dossiers_table.selectionModel().selectedRows()})
        ids = [self.dossiers_model.row_at(r).dossier_id for r in rows]
        if not ids:
            self.statusBar().showMessage("Sélectionnez d'abord des dossiers", 5000)
            return
        result = self.service.unassign(ids, evaluateur)
        self.reload(select=evaluateur)
        text = f"{len(result.assigned)} dossier{'s' if len(result.assigned) > 1 else ''} retiré{'s' if len(result.assigned) > 1 else ''}"
        if result.skipped:
            text += " ; " + " ; ".join(reason for _, reason in result.skipped)
        self.statusBar().showMessage(text, 10000)

    def _open_matrix(self) -> None:
        evaluateur = self.current_id()
        if evaluateur is not None:
            self.open_matrix.emit(evaluateur)


__all__ = ["EvaluateursWindow"]
