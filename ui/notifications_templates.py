"""The notifications window's « Modèles de lettres » tab: one editor per modèle, formatted text on
the left (ui/letter_editor.py), the real PDF of a chosen dossier on the right (ui/letter_pdf_view.py)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError, ValidationError
from instructeur.exports.letters import template_problems
from instructeur.services.letter_preview import letter_pdf
from instructeur.services.notifications import (
    FIELDS,
    NotificationService,
)
from ui.dialogs import Dialogs
from ui.letter_editor import RichTemplateEdit
from ui.letter_pdf_view import LetterPdfPreview
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

        self.edit = RichTemplateEdit(FIELDS, f"Texte du modèle {label.lower()}")
        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")
        self.problems_label.setAccessibleName("Problèmes du modèle")
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("État du modèle")

        self.dossier_combo = QComboBox()
        self.dossier_combo.setAccessibleName("Dossier de l'aperçu")
        own = [d for d in dossiers if d.modele == modele] or list(dossiers)
        for d in own:
            self.dossier_combo.addItem(f"{d.reference} — {d.porteur}", d.dossier_id)
        self.preview_button = QPushButton("&Actualiser l'aperçu")
        self.preview_button.clicked.connect(self.show_preview)
        self.preview_button.setEnabled(bool(own))
        self.preview = LetterPdfPreview(self._render_pdf)
        if not own:
            self.preview.status.setText("Aucun dossier décidé : pas d'aperçu.")
        self.dossier_combo.currentIndexChanged.connect(self.preview.request)

        self.save_button = QPushButton("&Enregistrer")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("&Rétablir le modèle par défaut")
        self.reset_button.clicked.connect(self.reset_default)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        text_label = QLabel("&Texte de la lettre :")
        text_label.setBuddy(self.edit.text_edit)
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
        row = QHBoxLayout()
        dossier_label = QLabel("Aperçu &PDF pour :")
        dossier_label.setBuddy(self.dossier_combo)
        row.addWidget(dossier_label)
        row.addWidget(self.dossier_combo, 1)
        row.addWidget(self.preview_button)
        right_layout.addLayout(row)
        right_layout.addWidget(self.preview, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.edit.textChanged.connect(self._check)
        self.edit.textChanged.connect(self._edited)
        self.load()

    # --- content ---------------------------------------------------------------------------

    def load(self) -> None:
        self.edit.set_template(self.service.templates()[self.modele])
        self.edit.set_unmodified()
        self._check()

    @property
    def text(self) -> str:
        return self.edit.template()

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
        self.edit.insert_field(name)

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
        self.edit.set_unmodified()
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

    def _edited(self) -> None:
        if self.dossier_combo.currentData() is not None:
            self.preview.request()  # debounced: the PDF is rendered once the typing pauses

    def _render_pdf(self) -> bytes:
        dossier_id = self.dossier_combo.currentData()
        if dossier_id is None:
            raise UserError("aucun dossier choisi")
        return letter_pdf(self.service.db, int(dossier_id), self.text)

    def show_preview(self) -> str:
        """Render the PDF now; returns the merged text (what the PDF says, for checks)."""
        dossier_id = self.dossier_combo.currentData()
        if dossier_id is None:
            return ""
        self.preview.refresh_now()
        try:
            return self.service.preview(int(dossier_id), template=self.text)
        except UserError as exc:
            return f"Aperçu impossible : {exc.message}"
