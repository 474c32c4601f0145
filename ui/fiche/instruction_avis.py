"""Section « Avis technique et proposition » of the « Instruction » tab (see instruction.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.services.dossiers import DossierDetail
from ui.fiche.fields import AmountEdit, mark_invalid
from ui.fiche.instruction_widgets import AVIS_CHOICES, MOTIVATION_REQUIRED, MUTED, SectionMessage


class AvisPanel:
    """The avis technique, its motivation and the proposed amount per financeur; mixed into
    `InstructionTab`."""

    def _build_avis(self) -> QGroupBox:
        box = QGroupBox("Avis technique et proposition")
        self.avis_group = QButtonGroup(self)
        self.avis_radios: dict[str, QRadioButton] = {}
        avis_row = QHBoxLayout()
        for value, text in AVIS_CHOICES:
            radio = QRadioButton(text)
            radio.setAccessibleName(f"Avis {text.lower()}")
            self.avis_group.addButton(radio)
            self.avis_radios[value] = radio
            avis_row.addWidget(radio)
        avis_row.addStretch(1)
        self.avis_group.buttonToggled.connect(lambda *_a: self._update_avis_state())
        self.motivation = QPlainTextEdit()
        self.motivation.setAccessibleName("Motivation de l'avis")
        self.motivation.setFixedHeight(64)
        self.motivation_label = QLabel("M&otivation :")
        self.motivation_label.setBuddy(self.motivation)
        self.amounts_host = QWidget()
        self.amounts_layout = QGridLayout(self.amounts_host)
        self.amounts_layout.setContentsMargins(0, 0, 0, 0)
        self.amounts_layout.setHorizontalSpacing(12)
        self.amounts_layout.setColumnStretch(0, 1)
        self.save_avis_button = QPushButton("Enregistrer l'a&vis")
        self.save_avis_button.clicked.connect(self.save_avis)
        self.avis_message = SectionMessage("Message de l'avis", self._reload_section)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_avis_button)
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("Avis :"))
        layout.addLayout(avis_row)
        layout.addWidget(self.motivation_label)
        layout.addWidget(self.motivation)
        layout.addWidget(QLabel("Montants proposés par financeur :"))
        layout.addWidget(self.amounts_host)
        layout.addLayout(buttons)
        layout.addWidget(self.avis_message)
        return box

    # --- avis and proposition ---------------------------------------------------------------

    def _load_avis(self, detail: DossierDetail) -> None:
        self.avis_group.setExclusive(False)
        for value, radio in self.avis_radios.items():
            radio.setChecked(value == detail.avis)
        self.avis_group.setExclusive(True)
        self.motivation.setPlainText(detail.avis_motivation or "")
        while self.amounts_layout.count():
            item = self.amounts_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.proposed_edits = {}
        names = {f.id: f.nom for f in self.context.financeurs}
        lines = [ligne for ligne in detail.data.lignes if ligne.financeur_id is not None]
        if not lines:
            none = QLabel("Aucun financeur du contrat dans le plan de financement.")
            none.setStyleSheet(MUTED)
            self.amounts_layout.addWidget(none, 0, 0, 1, 3)
        else:
            for col, text in enumerate(("Financeur", "Demandé", "Proposé")):
                header = QLabel(f"<b>{text}</b>")
                if col:
                    header.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.amounts_layout.addWidget(header, 0, col)
        for n, ligne in enumerate(lines, start=1):
            assert ligne.financeur_id is not None
            name = names.get(ligne.financeur_id, str(ligne.financeur_id))
            label = QLabel(name)
            label.setWordWrap(True)
            demande = QLabel(format_amount(ligne.demande_cents))
            demande.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit = AmountEdit(f"Montant proposé : {name}", zero_as_empty=False)  # 0 ≠ none
            edit.set_cents(ligne.propose_cents if ligne.propose_cents is not None else ligne.demande_cents)
            edit.setMinimumWidth(130)
            edit.setMaximumWidth(170)
            if ligne.propose_cents is None:
                edit.setToolTip("Prérempli avec le montant demandé")
                edit.base_tooltip = "Prérempli avec le montant demandé"
            label.setBuddy(edit)
            self.amounts_layout.addWidget(label, n, 0)
            self.amounts_layout.addWidget(demande, n, 1)
            self.amounts_layout.addWidget(edit, n, 2)
            self.proposed_edits[ligne.financeur_id] = edit
        self._update_avis_state()
        self._avis_loaded = self._avis_form()

    def _avis_form(self) -> tuple[object, ...]:
        amounts = tuple((fid, edit.text()) for fid, edit in sorted(self.proposed_edits.items()))
        return (self.avis(), self.motivation.toPlainText().strip(), amounts)

    def avis(self) -> str | None:
        return next((value for value, radio in self.avis_radios.items() if radio.isChecked()), None)

    def _update_avis_state(self) -> None:
        required = self.avis() not in (None, "favorable")
        self.motivation_label.setText(
            "M&otivation (obligatoire : l'avis n'est pas favorable) :" if required else "M&otivation :"
        )

    def save_avis(self) -> bool:
        if self._detail is None:
            return False
        avis = self.avis()
        motivation = self.motivation.toPlainText().strip()
        mark_invalid(self.motivation, None)
        problems: list[str] = []
        if avis is None:
            problems.append("avis : choisissez favorable, favorable sous réserve ou défavorable")
        elif avis != "favorable" and not motivation:
            problems.append(MOTIVATION_REQUIRED)
            mark_invalid(self.motivation, MOTIVATION_REQUIRED)
        proposes: dict[int, int | None] = {}
        for fid, edit in self.proposed_edits.items():
            problem = edit.problem()
            if problem:
                problems.append(f"{edit.accessibleName()} : {problem}")
            else:
                proposes[fid] = edit.cents()
        if problems:
            self.avis_message.error(problems)
            return False
        warnings: list[str] = []

        def write(version: int) -> None:
            result = self.instruction.save_avis(
                self._detail_id(), version, avis, motivation or None, proposes
            )
            warnings.extend(result.warnings)

        if not self._write_dossier(write, self.avis_message, "Avis et montants proposés enregistrés."):
            return False
        if warnings:
            self.avis_message.success("Avis et montants proposés enregistrés.", warnings)
        return True
