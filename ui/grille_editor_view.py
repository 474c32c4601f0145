"""The layout of the grille editor (`GrilleEditorLayout`): the state line with « Créer une nouvelle
version » and « Verrouiller », the banner, the grille's name, the criteria list beside the selected
criterion's form, then the sources and « Enregistrer »; what they do is `GrilleEditor` in
ui/grille_editor.py (layout apart from behaviour, as TagStudio's `qt/views` and `qt/controllers`)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.dossier_list import CampagneRow
from ui.screen_fit import FitsScreen

LIST_HEADERS = ("Section", "Libellé", "Poids", "Échelle", "Élim.")
BANNER_STYLE = "background:#fde8e8; color:#8a1c1c; border:1px solid #e3a5a5; border-radius:4px; padding:6px;"


def campagne_title(row: CampagneRow) -> str:
    return row.libelle if str(row.annee) in row.libelle else f"{row.libelle} {row.annee}"


class GrilleEditorLayout(FitsScreen, QMainWindow):
    """The editor's widgets, built by `_build`; `GrilleEditor` connects them."""

    campagne_id: int

    def _build(self, campagnes: list[CampagneRow]) -> None:
        """The state line, the banner, the grille's name, the criteria list beside the selected
        criterion's form, then copying from elsewhere and saving."""
        state = self._build_state()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setAccessibleName("Message")
        self.banner.hide()

        self.nom_edit = QLineEdit()
        self.nom_edit.setAccessibleName("Nom de la grille")
        nom_line = QHBoxLayout()
        nom_label = QLabel("&Nom :")
        nom_label.setBuddy(self.nom_edit)
        nom_line.addWidget(nom_label)
        nom_line.addWidget(self.nom_edit, 1)

        left = self._build_list()
        self._build_form()
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.form)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        sources, bottom = self._build_saving(campagnes)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(state)
        layout.addWidget(self.banner)
        layout.addLayout(nom_line)
        layout.addWidget(splitter, 1)
        layout.addWidget(line)
        layout.addLayout(sources)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

    def _build_state(self) -> QHBoxLayout:
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("État de la grille")
        self.new_version_button = QPushButton("Créer une &nouvelle version")
        self.new_version_button.setToolTip(
            "Copie la grille en version n + 1 : les évaluations déjà notées gardent leur version, "
            "les autres passent à la nouvelle"
        )
        self.lock_button = QPushButton("&Verrouiller")
        state = QHBoxLayout()
        state.addWidget(self.state_label, 1)
        state.addWidget(self.new_version_button)
        state.addWidget(self.lock_button)
        return state

    def _build_list(self) -> QWidget:
        """The criteria list and its buttons."""
        self.table = QTableWidget(0, len(LIST_HEADERS))
        self.table.setHorizontalHeaderLabels(list(LIST_HEADERS))
        self.table.setAccessibleName("Critères de la grille")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(True)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3, 4):
            hh.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        hh.resizeSection(0, 150)
        self.add_button = QPushButton("&Ajouter")
        self.remove_button = QPushButton("&Supprimer")
        self.up_button = QPushButton("Monter")
        self.up_button.setAccessibleName("Monter le critère")
        self.down_button = QPushButton("Descendre")
        self.down_button.setAccessibleName("Descendre le critère")
        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(list_buttons)
        return left

    def _build_form(self) -> None:
        """The selected criterion's form (`self.form`)."""
        self.section_edit = QLineEdit()
        self.libelle_edit = QLineEdit()
        self.aide_edit = QPlainTextEdit()
        self.aide_edit.setTabChangesFocus(True)
        self.aide_edit.setMaximumHeight(110)
        self.poids_spin = QSpinBox()
        self.poids_spin.setRange(0, 100)
        self.poids_spin.setMaximumWidth(90)
        self.min_spin = QSpinBox()
        self.min_spin.setRange(0, 100)
        self.max_spin = QSpinBox()
        self.max_spin.setRange(0, 100)
        self.eliminatoire_check = QCheckBox("Éliminatoire (la note minimale rend le dossier non retenable)")
        self.niveaux_table = QTableWidget(0, 2)
        self.niveaux_table.setHorizontalHeaderLabels(["Note", "Libellé du niveau"])
        self.niveaux_table.verticalHeader().setVisible(False)
        self.niveaux_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.niveaux_table.horizontalHeader().setStretchLastSection(True)
        self.niveaux_table.setAccessibleName("Libellés des niveaux")
        self.niveaux_table.setToolTip("Un libellé par note de l'échelle, ou aucun")
        for widget, name in (
            (self.section_edit, "Section"),
            (self.libelle_edit, "Libellé"),
            (self.aide_edit, "Aide"),
            (self.poids_spin, "Poids"),
            (self.min_spin, "Note minimale"),
            (self.max_spin, "Note maximale"),
            (self.eliminatoire_check, "Éliminatoire"),
        ):
            widget.setAccessibleName(name)
        scale = QHBoxLayout()
        scale.addWidget(self.min_spin)
        scale.addWidget(QLabel("à"))
        scale.addWidget(self.max_spin)
        scale.addStretch(1)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow("S&ection :", self.section_edit)
        form.addRow("&Libellé :", self.libelle_edit)
        form.addRow("A&ide :", self.aide_edit)
        form.addRow("&Poids :", self.poids_spin)
        scale_label = QLabel("Éc&helle :")
        scale_label.setBuddy(self.min_spin)
        form.addRow(scale_label, scale)
        form.addRow("", self.eliminatoire_check)
        form.addRow("Ni&veaux :", self.niveaux_table)

    def _build_saving(self, campagnes: list[CampagneRow]) -> tuple[QHBoxLayout, QHBoxLayout]:
        """Starting from the default grille or another campagne's; saving and reverting."""
        self.default_button = QPushButton("Partir de la grille par &défaut")
        self.source_combo = QComboBox()
        self.source_combo.setAccessibleName("Campagne dont copier la grille")
        for c in campagnes:
            if c.id != self.campagne_id:
                self.source_combo.addItem(f"{c.contrat} · {campagne_title(c)}", c.id)
        self.copy_button = QPushButton("&Copier la grille d'une autre campagne…")
        self.copy_button.setEnabled(self.source_combo.count() > 0)
        self.source_combo.setEnabled(self.source_combo.count() > 0)
        self.modified_label = QLabel()
        self.revert_button = QPushButton("Annuler les modifications")
        self.save_button = QPushButton("&Enregistrer")
        self.save_action = QAction("Enregistrer", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.addAction(self.save_action)
        # Two rows: « Modifications non enregistrées » appearing must not widen the window past a
        # 1366-pixel screen and push « Enregistrer » off it (issue 11).
        self.source_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.source_combo.setMinimumContentsLength(28)
        sources = QHBoxLayout()
        sources.addWidget(self.default_button)
        sources.addWidget(self.source_combo)
        sources.addWidget(self.copy_button)
        sources.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.modified_label)
        bottom.addStretch(1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        return sources, bottom
