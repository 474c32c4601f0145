"""The notifications window's « Modèles de lettres » tab: one editor per modèle."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError, ValidationError
from instructeur.exports.letters import template_problems
from instructeur.services.notifications import (
    FIELDS,
    NotificationService,
)
from ui.dialogs import Dialogs
from ui.notifications_models import MODELE_LABELS, NotificationLine

# --- Template editor ------------------------------------------------------------------------


class TemplateEditor(QWidget):
    """The text of one modèle, its merge fields, live problems, preview, save and reset."""

    saved = Signal(str)

    def __init__(
        self,
        service: NotificationService,
        modele: str,
        dossiers: Sequence[NotificationLine],
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.modele = modele
        self.dialogs = dialogs
        label = MODELE_LABELS.get(modele, modele)

        self.edit = QPlainTextEdit()
        self.edit.setAccessibleName(f"Texte du modèle {label.lower()}")
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")
        self.problems_label.setAccessibleName("Problèmes du modèle")
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("État du modèle")

        self.fields_list = QListWidget()
        self.fields_list.setAccessibleName("Champs de fusion")
        self.fields_list.setToolTip("Double-cliquer (ou Entrée) pour insérer le champ dans le texte")
        for name, description in FIELDS.items():
            item = QListWidgetItem(f"{{{name}}} — {description}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(description)
            self.fields_list.addItem(item)
        self.fields_list.itemActivated.connect(self._insert_item)
        self.fields_list.itemDoubleClicked.connect(self._insert_item)

        self.dossier_combo = QComboBox()
        self.dossier_combo.setAccessibleName("Dossier de l'aperçu")
        own = [d for d in dossiers if d.modele == modele] or list(dossiers)
        for d in own:
            self.dossier_combo.addItem(f"{d.reference} — {d.porteur}", d.dossier_id)
        self.preview_button = QPushButton("&Aperçu")
        self.preview_button.clicked.connect(self.show_preview)
        self.preview_button.setEnabled(bool(own))
        self.preview_pane = QPlainTextEdit()
        self.preview_pane.setReadOnly(True)
        self.preview_pane.setAccessibleName("Aperçu de la lettre")
        self.preview_pane.setPlaceholderText(
            "L'aperçu montre le texte fusionné pour le dossier choisi." if own else "Aucun dossier décidé."
        )

        self.save_button = QPushButton("&Enregistrer")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("&Rétablir le modèle par défaut")
        self.reset_button.clicked.connect(self.reset_default)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        text_label = QLabel("&Texte de la lettre :")
        text_label.setBuddy(self.edit)
        left_layout.addWidget(text_label)
        left_layout.addWidget(self.edit, 1)
        left_layout.addWidget(self.problems_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status_label)
        left_layout.addLayout(buttons)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        fields_label = QLabel("&Champs de fusion (double-clic pour insérer) :")
        fields_label.setBuddy(self.fields_list)
        right_layout.addWidget(fields_label)
        right_layout.addWidget(self.fields_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.dossier_combo, 1)
        row.addWidget(self.preview_button)
        right_layout.addLayout(row)
        right_layout.addWidget(self.preview_pane, 2)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.edit.textChanged.connect(self._check)
        self.load()

    # --- content ---------------------------------------------------------------------------

    def load(self) -> None:
        self.edit.setPlainText(self.service.templates()[self.modele])
        self.edit.document().setModified(False)
        self._check()

    @property
    def text(self) -> str:
        return self.edit.toPlainText()

    def problems(self) -> list[str]:
        return template_problems(self.text, FIELDS)

    def _check(self) -> None:
        problems = self.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.problems_label.setVisible(bool(problems))
        self.save_button.setEnabled(not problems)
        self.save_button.setToolTip("Corrigez d'abord les problèmes signalés" if problems else "")
        self.status_label.setText("")

    def insert_field(self, name: str) -> None:
        cursor = self.edit.textCursor()
        cursor.insertText(f"{{{name}}}")
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    def _insert_item(self, item: QListWidgetItem) -> None:
        self.insert_field(str(item.data(Qt.ItemDataRole.UserRole)))

    def save(self) -> bool:
        if self.problems():
            self._check()
            return False
        try:
            self.service.save_template(self.modele, self.text)
        except ValidationError as exc:
            self.problems_label.setText("\n".join(f"• {p}" for p in exc.problems))
            self.problems_label.show()
            return False
        self.edit.document().setModified(False)
        self.status_label.setText("Modèle enregistré.")
        self.saved.emit(self.modele)
        return True

    def reset_default(self) -> bool:
        label = MODELE_LABELS.get(self.modele, self.modele).lower()
        if not self.dialogs.confirm(
            self,
            "Rétablir le modèle par défaut",
            f"Remplacer le modèle « {label} » par le texte livré avec l'application ? "
            "Vos modifications seront perdues.",
            "Rétablir",
        ):
            return False
        self.service.save_template(self.modele, None)
        self.load()
        self.status_label.setText("Modèle par défaut rétabli.")
        return True

    def select_dossier(self, dossier_id: int) -> None:
        index = self.dossier_combo.findData(dossier_id)
        if index >= 0:
            self.dossier_combo.setCurrentIndex(index)

    def show_preview(self) -> str:
        dossier_id = self.dossier_combo.currentData()
        if dossier_id is None:
            return ""
        try:
            text = self.service.preview(int(dossier_id), template=self.text)
        except UserError as exc:
            text = f"Aperçu impossible : {exc.message}"
        self.preview_pane.setPlainText(text)
        return text

