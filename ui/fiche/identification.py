"""Tab « Identification »: référence, intitulé, description, nouvelle / reconduite, cotation F/H."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.services.dossiers import DossierData
from instructeur.services.porteurs import PorteurHistoryRow
from ui.fiche.fields import add_row, form_layout

COTATION_LABELS = (
    (None, "Non renseignée"),
    (0, "0 — ne prend pas en compte l'égalité"),
    (1, "1 — l'égalité est un objectif significatif"),
    (2, "2 — l'égalité est l'objectif principal"),
)


@dataclass(frozen=True)
class IdentificationValues:
    reference: str
    intitule: str
    description: str
    objectifs_action: str
    pluriannuel: bool
    reconduite: bool
    reconduction_de_id: int | None
    cotation_declaree: int | None
    observations: str | None


class IdentificationTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reference = QLineEdit()
        self.reference.setMaximumWidth(220)
        self.intitule = QLineEdit()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.objectifs_action = QPlainTextEdit()
        self.objectifs_action.setTabChangesFocus(True)
        self.observations = QPlainTextEdit()
        self.observations.setTabChangesFocus(True)
        for edit in (self.description, self.objectifs_action, self.observations):
            edit.setMinimumHeight(70)

        self.annuel = QRadioButton("&Annuelle")
        self.pluriannuel = QRadioButton("&Pluriannuelle")
        duree = QButtonGroup(self)
        duree.addButton(self.annuel)
        duree.addButton(self.pluriannuel)
        self.nouvelle = QRadioButton("&Nouvelle action")
        self.reconduite = QRadioButton("Action &reconduite")
        nature = QButtonGroup(self)
        nature.addButton(self.nouvelle)
        nature.addButton(self.reconduite)
        self.reconduction = QComboBox()
        self.reconduction.setAccessibleName("Dossier reconduit")
        self.reconduction.setToolTip("Le dossier de la campagne précédente que cette action reconduit")
        self.cotation = QComboBox()
        for value, label in COTATION_LABELS:
            self.cotation.addItem(label, value)

        form = form_layout()
        add_row(form, "&Référence :", self.reference, name="Référence")
        add_row(form, "&Intitulé :", self.intitule, name="Intitulé")
        add_row(form, "&Description :", self.description, name="Description")
        add_row(form, "&Objectifs de l'action :", self.objectifs_action, name="Objectifs de l'action")

        nature_box = QGroupBox("Nature de l'action")
        nature_layout = form_layout()
        duree_row = QHBoxLayout()
        duree_row.addWidget(self.annuel)
        duree_row.addWidget(self.pluriannuel)
        duree_row.addStretch(1)
        nature_row = QHBoxLayout()
        nature_row.addWidget(self.nouvelle)
        nature_row.addWidget(self.reconduite)
        nature_row.addStretch(1)
        nature_layout.addRow("Durée :", duree_row)
        nature_layout.addRow("Nature :", nature_row)
        add_row(nature_layout, "Reconduction de :", self.reconduction)
        add_row(
            nature_layout, "Cotation égalité F/H &déclarée :", self.cotation, name="Cotation F/H déclarée"
        )
        nature_box.setLayout(nature_layout)

        add_row(form, "Ob&servations :", self.observations, name="Observations")
        self.observations.setMaximumHeight(90)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(12)
        layout.addLayout(form, 1)
        layout.addWidget(nature_box)

        for w in (self.reference, self.intitule):
            w.textChanged.connect(self.changed)
        for p in (self.description, self.objectifs_action, self.observations):
            p.textChanged.connect(self.changed)
        for b in (self.annuel, self.pluriannuel, self.nouvelle, self.reconduite):
            b.toggled.connect(self.changed)
        self.reconduite.toggled.connect(self._sync_reconduction)
        self.reconduction.currentIndexChanged.connect(self.changed)
        self.cotation.currentIndexChanged.connect(self.changed)

    def set_history(self, history: list[PorteurHistoryRow], current_id: int | None, campagne_id: int) -> None:
        """The porteur's dossiers of other campagnes, for « reconduction de »."""
        keep = self.reconduction.currentData()
        self.reconduction.blockSignals(True)
        try:
            self.reconduction.clear()
            self.reconduction.addItem("—", None)
            for row in history:
                if row.dossier_id == current_id or row.campagne_id == campagne_id:
                    continue
                voted = f", voté {format_amount(row.vote_cents)}" if row.vote_cents is not None else ""
                self.reconduction.addItem(
                    f"{row.annee} · {row.reference} · {row.intitule}{voted}", row.dossier_id
                )
            index = self.reconduction.findData(keep)
            self.reconduction.setCurrentIndex(max(index, 0))
        finally:
            self.reconduction.blockSignals(False)

    def load(self, data: DossierData) -> None:
        self.reference.setText(data.reference)
        self.intitule.setText(data.intitule)
        self.description.setPlainText(data.description)
        self.objectifs_action.setPlainText(data.objectifs_action)
        self.observations.setPlainText(data.observations or "")
        (self.pluriannuel if data.pluriannuel else self.annuel).setChecked(True)
        (self.reconduite if data.reconduite else self.nouvelle).setChecked(True)
        if data.reconduction_de_id is not None and self.reconduction.findData(data.reconduction_de_id) < 0:
            self.reconduction.addItem(f"Dossier n° {data.reconduction_de_id}", data.reconduction_de_id)
        self.reconduction.setCurrentIndex(max(self.reconduction.findData(data.reconduction_de_id), 0))
        self.cotation.setCurrentIndex(max(self.cotation.findData(data.cotation_declaree), 0))
        self._sync_reconduction()

    def values(self) -> IdentificationValues:
        reconduite = self.reconduite.isChecked()
        return IdentificationValues(
            reference=self.reference.text().strip(),
            intitule=self.intitule.text().strip(),
            description=self.description.toPlainText(),
            objectifs_action=self.objectifs_action.toPlainText(),
            pluriannuel=self.pluriannuel.isChecked(),
            reconduite=reconduite,
            reconduction_de_id=self.reconduction.currentData() if reconduite else None,
            cotation_declaree=self.cotation.currentData(),
            observations=self.observations.toPlainText().strip() or None,
        )

    def _sync_reconduction(self) -> None:
        self.reconduction.setEnabled(self.reconduite.isChecked())
