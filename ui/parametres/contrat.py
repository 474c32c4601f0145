"""Paramètres › Contrat: identification, signataires of the letters."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import AMOUNT_HARD_MAX_CENTS, format_amount
from instructeur.errors import UserError, ValidationError
from instructeur.services.contrats import (
    ContratService,
)
from instructeur.services.plafond import PlafondService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.inputs import AmountEdit
from ui.parametres.common import (
    NOTE_STYLE,
    _note,
    _Tab,
)


class ContratTab(_Tab):
    def __init__(
        self, db: Database, contrat_id: int, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(dialogs, parent)
        self.service = ContratService(db)
        self.contrat_id = contrat_id
        self.version = 0
        self.nom = QLineEdit()
        self.epci = QLineEdit()
        self.siren = QLineEdit()
        self.siren.setPlaceholderText("9 chiffres, par ex. 200 040 442")
        self.siren.setMaximumWidth(220)
        self.debut, self.fin = QSpinBox(), QSpinBox()
        for box in (self.debut, self.fin):
            box.setRange(1990, 2100)
            box.setGroupSeparatorShown(False)
        periode = QHBoxLayout()
        periode.addWidget(self.debut)
        periode.addWidget(QLabel("à"))
        periode.addWidget(self.fin)
        periode.addStretch(1)
        self.signataires = QPlainTextEdit()
        self.signataires.setPlaceholderText("Un signataire par ligne (« Le Préfet du Pas-de-Calais »…)")
        self.signataires.setTabChangesFocus(True)
        self.referentiel = QLabel()
        self.referentiel.setStyleSheet(NOTE_STYLE)
        # Plausibility ceiling of every amount (instructeur/services/plafond.py).
        self.plafond_service = PlafondService(db)
        self.plafond = AmountEdit("Plafond des montants")
        self.plafond.setMaximumWidth(220)
        self.plafond.setToolTip(
            "Un montant saisi ou importé au-delà de ce plafond est refusé (faute de frappe probable). "
            f"Au plus {format_amount(AMOUNT_HARD_MAX_CENTS)}."
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for caption, widget, name in (
            ("&Nom du contrat :", self.nom, "Nom du contrat"),
            ("&EPCI :", self.epci, "Nom de l'EPCI"),
            ("&SIREN de l'EPCI :", self.siren, "SIREN de l'EPCI"),
            ("&Période :", periode, None),
            ("Si&gnataires :", self.signataires, "Signataires du contrat"),
            ("Pla&fond des montants :", self.plafond, None),
            ("Référentiel :", self.referentiel, None),
        ):
            if isinstance(widget, QWidget) and name:
                widget.setAccessibleName(name)
            if isinstance(widget, QWidget):
                form.addRow(caption, widget)
            else:  # a layout cannot be a buddy: the label's mnemonic goes to its first field
                label = QLabel(caption)
                label.setBuddy(self.debut)
                form.addRow(label, widget)
        self.debut.setAccessibleName("Début de la période")
        self.fin.setAccessibleName("Fin de la période")
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(
            _note(
                "L'expéditeur, le signataire et le logo des lettres de notification se règlent dans "
                "l'onglet Campagne, bouton « Lettres : expéditeur, signataire, logo… »."
            )
        )
        layout.addLayout(self.footer())
        for edit in (self.nom, self.epci, self.siren):
            edit.textEdited.connect(self.mark)
        self.debut.valueChanged.connect(self.mark)
        self.fin.valueChanged.connect(self.mark)
        self.signataires.textChanged.connect(self.mark)
        self.plafond.textEdited.connect(self.mark)
        self.load()

    def load(self) -> None:
        d = self.service.detail(self.contrat_id)
        self._loading = True
        try:
            self.version = d.version
            self.nom.setText(d.nom)
            self.epci.setText(d.epci_nom)
            self.siren.setText(d.epci_siren or "")
            self.debut.setValue(d.periode[0])
            self.fin.setValue(d.periode[1])
            self.signataires.setPlainText("\n".join(d.signataires))
            self.plafond.set_cents(self.plafond_service.get())
            self.referentiel.setText(
                f"créé à partir du référentiel « {d.referentiel_code} »"
                if d.referentiel_code
                else "contrat saisi"
            )
        finally:
            self._loading = False
        self.show_problems(None)
        self.set_modified(False)

    def save(self) -> bool:
        try:
            plafond = self._plafond_cents()  # checked first: nothing is saved when it is unreadable
            self.version = self.service.update_contrat(
                self.contrat_id,
                self.version,
                self.nom.text(),
                self.epci.text(),
                self.siren.text() or None,
                (self.debut.value(), self.fin.value()),
            )
            self.service.save_signataires(self.contrat_id, self.signataires.toPlainText().splitlines())
            if plafond != self.plafond_service.get():
                self.plafond_service.set(plafond)
        except UserError as exc:
            self.show_problems(exc)
            return False
        self.load()
        self.saved.emit()
        return True

    def _plafond_cents(self) -> int:
        problem = self.plafond.problem()
        if problem is not None:
            raise ValidationError([f"plafond des montants : {problem}"])
        cents = self.plafond.cents()
        if cents is None:
            raise ValidationError(["plafond des montants : un montant est attendu"])
        return cents
