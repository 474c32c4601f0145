"""Layout of the notifications window (widgets only; behaviour in `ui.notifications`)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.exports.letters import MODELES
from instructeur.services.notifications import NotificationService
from ui.dialogs import Dialogs
from ui.notifications_models import COLUMNS, MODELE_LABELS, NotificationLine, NotificationsModel
from ui.notifications_settings import SettingsForm
from ui.notifications_templates import TemplateEditor
from ui.screen_fit import FitsScreen

__all__ = ["NotificationsView"]

PREFLIGHT_STYLE = "QFrame#preflight { background: #fdecea; border: 1px solid #b3261e; border-radius: 4px; }"


class NotificationsView(FitsScreen, QDialog):
    """Three tabs: « Suivi des lettres », « Modèles de lettres », « Paramètres »."""

    def _build(
        self,
        service: NotificationService,
        lines: Sequence[NotificationLine],
        financeurs: Sequence[tuple[str, str]],
        dialogs: Dialogs,
    ) -> None:
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("Notifications")
        self.setAccessibleName("Notifications de la campagne")
        self.model = NotificationsModel(self)
        self.table = self._table()
        self.summary = QLabel("")
        self.summary.setAccessibleName("Résumé des notifications")
        list_page = QWidget()
        page = QVBoxLayout(list_page)
        page.addWidget(self._preflight_box())
        page.addLayout(self._generation_row())
        page.addWidget(self.table, 1)
        page.addLayout(self._mark_row())

        self.editors: dict[str, TemplateEditor] = {}
        templates = QTabWidget()
        templates.setAccessibleName("Modèles de lettres")
        for modele in MODELES:
            editor = TemplateEditor(service, modele, lines, dialogs)
            self.editors[modele] = editor
            templates.addTab(editor, MODELE_LABELS.get(modele, modele))
        self.templates_tabs = templates
        self.settings_form = SettingsForm(service, financeurs, dialogs)

        self.tabs = QTabWidget()
        self.tabs.addTab(list_page, "Suivi des &lettres")
        self.tabs.addTab(templates, "&Modèles de lettres")
        self.tabs.addTab(self.settings_form, "Pa&ramètres")
        self.settings_index = 2
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.resize(1200, 720)

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName("Lettres de notification")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        hh = table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for n, column in enumerate(COLUMNS):
            if column.width:
                hh.resizeSection(n, column.width)
        return table

    def _preflight_box(self) -> QFrame:
        """What the letters lack (shown only then), with the way to the settings."""
        box = QFrame()
        box.setObjectName("preflight")
        box.setStyleSheet(PREFLIGHT_STYLE)
        self.preflight_label = QLabel("")
        self.preflight_label.setWordWrap(True)
        self.preflight_label.setAccessibleName("Paramètres des lettres manquants")
        self.open_settings_button = QPushButton("&Ouvrir les paramètres des lettres")
        row = QHBoxLayout(box)
        row.addWidget(self.preflight_label, 1)
        row.addWidget(self.open_settings_button, 0, Qt.AlignmentFlag.AlignTop)
        box.setVisible(False)
        self.preflight_box = box
        return box

    def _generation_row(self) -> QHBoxLayout:
        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName("Lettres à générer")
        self.scope_combo.addItem("Tous les dossiers en attente de notification ou à refaire", "pending")
        self.scope_combo.addItem("Les dossiers sélectionnés", "selection")
        self.merged_check = QCheckBox("Aussi un &PDF unique à signer")
        self.merged_check.setChecked(True)
        self.generate_button = QPushButton("&Générer les lettres…")
        row = QHBoxLayout()
        row.addWidget(self.scope_combo)
        row.addWidget(self.merged_check)
        row.addWidget(self.generate_button)
        row.addStretch(1)
        row.addWidget(self.summary)
        return row

    def _mark_row(self) -> QHBoxLayout:
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setAccessibleName("Date de l'étape")
        self.signed_button = QPushButton("Marquer &signées (à notifier)")
        self.notified_button = QPushButton("Marquer &notifiées")
        self.signed_button.setToolTip("Lettres signées, prêtes à envoyer : elles passent à « À notifier »")
        self.notified_button.setToolTip("Les porteurs ont reçu la lettre : les dossiers passent à « Notifié »")
        self.mark_status = QLabel("")
        self.mark_status.setAccessibleName("Résultat du suivi")
        row = QHBoxLayout()
        date_label = QLabel("&Date :")
        date_label.setBuddy(self.date_edit)
        row.addWidget(date_label)
        row.addWidget(self.date_edit)
        row.addWidget(self.signed_button)
        row.addWidget(self.notified_button)
        row.addWidget(self.mark_status, 1)
        return row
