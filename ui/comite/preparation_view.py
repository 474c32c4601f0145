"""Layout of « Comités — <campagne> »: the widgets and where they sit, no behaviour.

`PreparationView` builds the comités list (left) and two tabs (right): « Comité » (type, date, lieu,
membres) and « Ordre du jour » (tools, the agenda, the séance actions). `ui.comite.preparation.
PreparationWindow` subclasses it and wires the widgets to the services.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.dossier_list import CampagneRow
from ui.comite import COMITE_TYPE_LABELS
from ui.comite.preparation_models import AGENDA_COLUMNS, AgendaModel, AgendaView, ComitesModel, MembresModel
from ui.inputs import DateEdit
from ui.screen_fit import FitsScreen

__all__ = ["FORM_MESSAGE_STYLES", "PreparationView"]

FORM_MESSAGE_STYLES = {
    "error": "color: #7a1f00; font-weight: 600;",
    "success": "color: #1b5e20; background: #e2f3e4; padding: 3px 6px; border-radius: 4px;",
    "info": "color: palette(text);",
}


class PreparationView(FitsScreen, QMainWindow):
    """The widgets of the préparation window (attributes used by the controller and the tests)."""

    def _build_layout(self, campagne: CampagneRow) -> None:
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(f"Comités — {campagne.libelle}")
        self.setObjectName("preparationWindow")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_form(), "Comité")
        self.tabs.addTab(self._build_agenda(), "Ordre du jour")
        splitter = QSplitter()
        splitter.addWidget(self._build_list(campagne))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([250, 1090])
        self.setCentralWidget(splitter)

    def _build_list(self, campagne: CampagneRow) -> QWidget:
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
        self.delete_button = QPushButton("Suppr&imer le comité…")
        self.delete_button.setToolTip(
            "Supprime un comité créé par erreur : en préparation, sans aucune décision ; "
            "ses dossiers redeviennent « instruits »"
        )
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
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        ll.addLayout(buttons)
        return left

    def _build_form(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Type de comité")
        for key, label in COMITE_TYPE_LABELS.items():
            self.type_combo.addItem(label, key)
        self.type_combo.setCurrentIndex(self.type_combo.findData("financeurs"))
        self.date_edit = DateEdit("Date de la séance")  # typed or picked in a calendar
        self.lieu_edit = QLineEdit()
        self.lieu_edit.setAccessibleName("Lieu")
        form.addRow("&Type :", self.type_combo)
        form.addRow("&Date :", self.date_edit)
        form.addRow("&Lieu :", self.lieu_edit)
        layout.addLayout(form)

        layout.addWidget(QLabel("<b>Membres</b> (un membre rattaché à un financeur vote pour lui)"))
        self.membres_model = MembresModel(self)
        self.membres = QTableView()
        self.membres.setAccessibleName("Membres du comité")
        self.membres.setModel(self.membres_model)
        self.membres.verticalHeader().setVisible(False)
        hh = self.membres.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.membres, 1)
        row = QHBoxLayout()
        self.add_membre_button = QPushButton("Ajouter un &membre")
        self.remove_membre_button = QPushButton("Retirer le membre")
        row.addWidget(self.add_membre_button)
        row.addWidget(self.remove_membre_button)
        row.addStretch(1)
        self.form_message = QLabel()
        self.form_message.setWordWrap(True)
        self.form_message.setAccessibleName("Message du formulaire")
        self.save_button = QPushButton("&Enregistrer le comité")
        self.save_button.setDefault(True)
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
        tools.addWidget(self.add_points_button)
        tools.addSpacing(12)
        tools.addWidget(QLabel("Trier :"))
        self.sort_buttons: dict[str, QPushButton] = {}
        for key, text in (("axe", "par a&xe"), ("score", "par &score"), ("qpv", "par &QPV")):
            b = QPushButton(text)
            b.setAccessibleName(f"Trier l'ordre du jour {text.replace('&', '')}")
            self.sort_buttons[key] = b
            tools.addWidget(b)
        tools.addSpacing(12)
        self.remove_point_button = QPushButton("&Retirer le point")
        self.conflits_button = QPushButton("&Conflits d'intérêts…")
        tools.addWidget(self.remove_point_button)
        tools.addWidget(self.conflits_button)
        tools.addStretch(1)
        layout.addLayout(tools)

        self.agenda_model = AgendaModel(self)
        self.agenda = AgendaView()
        self.agenda.setObjectName("agendaTable")
        self.agenda.setAccessibleName("Ordre du jour (glisser une ligne pour la déplacer)")
        self.agenda.setModel(self.agenda_model)
        self.agenda.verticalHeader().setVisible(False)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setAlternatingRowColors(True)
        # Texts wrap on two lines (full text in the tooltip); porteur, axe and quartiers keep a
        # readable width the user may change (the table scrolls sideways rather than cut them).
        self.agenda.setWordWrap(True)
        self.agenda.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.agenda.horizontalHeader()
        hh.setMinimumSectionSize(48)
        for n, c in enumerate(AGENDA_COLUMNS):
            if c.stretch:
                hh.setSectionResizeMode(n, QHeaderView.ResizeMode.Interactive)
                hh.resizeSection(n, 260 if c.key == "intitule" else (c.width or 150))
            else:
                hh.setSectionResizeMode(n, QHeaderView.ResizeMode.ResizeToContents)
        self.agenda.verticalHeader().setDefaultSectionSize(2 * self.agenda.fontMetrics().height() + 8)
        layout.addWidget(self.agenda, 1)
        hint = QLabel(
            "Glissez une ligne pour changer l'ordre de passage ; double-cliquez pour ouvrir la fiche du dossier."
        )
        layout.addWidget(hint)

        actions = QHBoxLayout()
        self.simulations_button = QPushButton("Si&mulations…")
        self.releve_button = QPushButton("Relevé de décisions (&PDF)…")
        self.close_comite_button = QPushButton("Clore le comité…")
        self.open_seance_button = QPushButton("&Ouvrir la séance")
        self.open_seance_button.setObjectName("openSeanceButton")
        actions.addWidget(self.simulations_button)
        actions.addWidget(self.releve_button)
        actions.addWidget(self.close_comite_button)
        actions.addStretch(1)
        actions.addWidget(self.open_seance_button)
        layout.addLayout(actions)
        return page

    def show_form_message(self, text: str, kind: str = "error") -> None:
        """« error » dark red bold, « success » green, « info » plain: a saved comité is no error."""
        self.form_message.setStyleSheet(FORM_MESSAGE_STYLES[kind])
        self.form_message.setText(text)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1340, 720)  # fits a 1366×768 screen
