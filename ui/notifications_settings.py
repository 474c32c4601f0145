"""The notifications window's « Paramètres » tab: sender, signataire, images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import ValidationError
from instructeur.services.notifications import (
    NotificationService,
    NotificationSettings,
)
from ui.dialogs import Dialogs
from ui.notifications_models import IMAGE_FILTER

# --- Settings -------------------------------------------------------------------------------


class SettingsForm(QWidget):
    """The letters' sender, signataire and images (`NotificationService.settings`)."""

    saved = Signal()  # the window checks again what the letters lack

    def __init__(
        self,
        service: NotificationService,
        financeurs: Sequence[tuple[str, str]],
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.dialogs = dialogs
        form = QFormLayout()
        self.expediteur = QPlainTextEdit()
        self.expediteur.setPlaceholderText(
            "Une ligne par ligne du bloc expéditeur, la première est l'institution (obligatoire)"
        )
        self.expediteur.setTabChangesFocus(True)
        self.expediteur.setMaximumHeight(110)
        self.ville = QLineEdit()
        self.signataire = QLineEdit()
        self.fonction = QLineEdit()
        self.service_edit = QLineEdit()
        self.contact = QLineEdit()
        self.financeur = QComboBox()
        self.financeur.addItem("Par défaut (l'EPCI, sinon l'État)", "")
        for code, nom in financeurs:
            self.financeur.addItem(nom, code)
        self.logo = QLineEdit()
        self.signature = QLineEdit()
        for caption, widget, name in (
            ("&Expéditeur :", self.expediteur, "Bloc expéditeur"),
            ("&Ville (lieu d'émission) :", self.ville, "Ville"),
            ("&Signataire :", self.signataire, "Signataire"),
            ("&Fonction du signataire :", self.fonction, "Fonction du signataire"),
            ("Ser&vice :", self.service_edit, "Service instructeur"),
            ("Affaire suivie &par :", self.contact, "Affaire suivie par"),
            ("Financeur &signataire :", self.financeur, "Financeur signataire"),
        ):
            widget.setAccessibleName(name)
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
        for caption, edit, name in (
            ("&Logo :", self.logo, "Logo"),
            ("&Image de signature :", self.signature, "Image de signature"),
        ):
            edit.setAccessibleName(name)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            choose = QPushButton("Choisir…")
            choose.setAccessibleName(f"Choisir : {name.lower()}")
            choose.clicked.connect(lambda _c=False, e=edit, n=name: self._choose_image(e, n))
            clear = QPushButton("Retirer")
            clear.setAccessibleName(f"Retirer : {name.lower()}")
            clear.clicked.connect(edit.clear)
            row.addWidget(choose)
            row.addWidget(clear)
            label = QLabel(caption)
            label.setBuddy(edit)
            form.addRow(label, row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Résultat de l'enregistrement")
        self.save_button = QPushButton("&Enregistrer les paramètres")
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        box = QWidget()
        box.setMaximumWidth(860)
        box.setLayout(form)
        layout.addWidget(box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.message, 1)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.load()

    def _choose_image(self, edit: QLineEdit, name: str) -> None:
        start = str(Path(edit.text()).parent) if edit.text() else ""
        path = self.dialogs.ask_open_path(self, name, start, IMAGE_FILTER)
        if path is not None:
            edit.setText(str(path))

    def load(self) -> None:
        s = self.service.settings()
        self.expediteur.setPlainText(s.expediteur)
        self.ville.setText(s.ville)
        self.signataire.setText(s.signataire)
        self.fonction.setText(s.fonction_signataire)
        self.service_edit.setText(s.service)
        self.contact.setText(s.contact)
        index = self.financeur.findData(s.financeur_signataire)
        if index < 0 and s.financeur_signataire:
            self.financeur.addItem(f"{s.financeur_signataire} (hors contrat)", s.financeur_signataire)
            index = self.financeur.count() - 1
        self.financeur.setCurrentIndex(max(index, 0))
        self.logo.setText(s.logo)
        self.signature.setText(s.signature)

    def values(self) -> NotificationSettings:
        return NotificationSettings(
            expediteur=self.expediteur.toPlainText().strip(),
            ville=self.ville.text().strip(),
            signataire=self.signataire.text().strip(),
            fonction_signataire=self.fonction.text().strip(),
            logo=self.logo.text().strip(),
            signature=self.signature.text().strip(),
            financeur_signataire=str(self.financeur.currentData() or ""),
            service=self.service_edit.text().strip(),
            contact=self.contact.text().strip(),
        )

    def save(self) -> bool:
        try:
            self.service.save_settings(self.values())
        except ValidationError as exc:
            self.message.setStyleSheet("color: #b3261e;")
            self.message.setText("Non enregistré : " + " ; ".join(exc.problems))
            return False
        self.message.setStyleSheet("")
        self.message.setText("Paramètres enregistrés.")
        self.saved.emit()
        return True

