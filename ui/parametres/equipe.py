"""Paramètres › Équipe: who may connect to a PostgreSQL base and with which role.

The chef de projet (or the owner of the base) lists the logins, adds a person and changes a
role; the server does the work (`instructeur.services.equipe`: roles, grants, row-level
security). On SQLite the tab explains that team mode needs a PostgreSQL server.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError
from instructeur.services import equipe
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import Database
from instructeur.storage.roles import ROLE_LABELS, ROLES
from ui.parametres.common import _note, _problems_label, problems_text

SQLITE_NOTE = (
    "Le mode équipe nécessite une base PostgreSQL : chaque personne s'y connecte avec son propre "
    "identifiant et le serveur fait respecter son rôle (chef de projet, instructeur, évaluateur, "
    "lecteur). Une base SQLite est un fichier pour une seule personne."
)
TEAM_NOTE = (
    "Chaque personne se connecte avec son identifiant PostgreSQL. Le serveur applique les droits "
    "du rôle : chef de projet (tout, dont paramètres et séance), instructeur (dossiers, instruction, "
    "notation), évaluateur (ses dossiers confiés, ses notes), lecteur (consultation)."
)
NO_EVALUATEUR = "(aucun)"


class EquipeTab(QWidget):
    saved = Signal()

    def __init__(self, db: Database, contrat_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.contrat_id = contrat_id
        layout = QVBoxLayout(self)
        self.permissions = equipe.permissions(db)
        if db.is_sqlite:
            layout.addWidget(_note(SQLITE_NOTE))
            layout.addStretch(1)
            self.table = None
            return
        layout.addWidget(_note(TEAM_NOTE))
        # Only the owner of the base may create the roles and grants (again after an update).
        self.init_button = QPushButton("&Initialiser ou mettre à jour les rôles et droits")
        self.init_button.setVisible(self.permissions.role == "proprietaire")
        self.init_button.clicked.connect(self.initialise)
        top = QHBoxLayout()
        top.addWidget(self.init_button)
        top.addStretch(1)
        layout.addLayout(top)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Identifiant", "Rôle", "Évaluateur"])
        self.table.setAccessibleName("Équipe")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._fill_form)
        layout.addWidget(self.table, 1)
        form = QFormLayout()
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("identifiant PostgreSQL, par ex. marie.durand")
        self.role_combo = QComboBox()
        for role in ROLES:
            self.role_combo.addItem(ROLE_LABELS[role], role)
        self.evaluateur_combo = QComboBox()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("facultatif (sinon selon pg_hba.conf)")
        form.addRow("&Identifiant :", self.login_edit)
        form.addRow("&Rôle :", self.role_combo)
        form.addRow("É&valuateur :", self.evaluateur_combo)
        form.addRow("&Mot de passe :", self.password_edit)
        layout.addLayout(form)
        self.problems = _problems_label()
        layout.addWidget(self.problems)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.apply_button = QPushButton("&Ajouter ou changer le rôle")
        self.apply_button.clicked.connect(self.apply)
        buttons.addWidget(self.apply_button)
        layout.addLayout(buttons)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        allowed = self.permissions.administration
        for widget in (self.login_edit, self.role_combo, self.password_edit, self.apply_button):
            widget.setEnabled(allowed)
        self.load()

    def load(self) -> None:
        if self.table is None:
            return
        self.evaluateur_combo.clear()
        self.evaluateur_combo.addItem(NO_EVALUATEUR, None)
        for row in EvaluateurService(self.db).all(self.contrat_id):
            self.evaluateur_combo.addItem(row.nom, row.nom)
        try:
            membres = equipe.liste(self.db)
        except UserError as exc:
            membres = []
            self.problems.setText(problems_text(exc))
        self.table.setRowCount(len(membres))
        for i, m in enumerate(membres):
            for j, text in enumerate((m.login, ROLE_LABELS.get(m.role, m.role), ", ".join(m.evaluateurs))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.role if j == 1 else None)
                self.table.setItem(i, j, item)
        self._role_changed()

    def _role_changed(self) -> None:
        is_evaluateur = self.role_combo.currentData() == "evaluateur"
        self.evaluateur_combo.setEnabled(is_evaluateur and self.permissions.administration)
        if not is_evaluateur:
            self.evaluateur_combo.setCurrentIndex(0)

    def _fill_form(self) -> None:
        assert self.table is not None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        r = rows[0].row()
        login, role_item, evals = (self.table.item(r, c) for c in range(3))
        self.login_edit.setText(login.text() if login else "")
        if role_item is not None:
            role = role_item.data(Qt.ItemDataRole.UserRole)
            self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(role)))
        first = (evals.text().split(", ")[0] if evals else "") or NO_EVALUATEUR
        self.evaluateur_combo.setCurrentIndex(max(0, self.evaluateur_combo.findText(first)))

    def apply(self) -> bool:
        login = self.login_edit.text().strip()
        try:
            if not login:
                raise UserError("identifiant obligatoire")
            if self.role_combo.currentData() == "evaluateur" and not self.evaluateur_combo.currentData():
                raise UserError("choisissez la fiche évaluateur de cette personne")
            equipe.ajouter(
                self.db,
                login,
                str(self.role_combo.currentData()),
                evaluateur=self.evaluateur_combo.currentData(),
                password=self.password_edit.text() or None,
            )
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            return False
        self.problems.clear()
        self.password_edit.clear()
        self.load()
        self.saved.emit()
        return True

    def initialise(self) -> None:
        try:
            equipe.init(self.db)
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            return
        self.problems.clear()
        self.load()
