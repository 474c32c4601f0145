"""Section « Cotation égalité femmes-hommes » of the « Instruction » tab (see instruction.py)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.cotation import JUSTIFICATION_REQUIRED, override_problem
from instructeur.services.instruction import CotationDto
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR, mark_invalid
from ui.fiche.instruction_widgets import ClickableLabel, SectionMessage, coloured, rich_label


class CotationPanel:
    """The questionnaire, the proposed and retained levels, the justification; mixed into
    `InstructionTab`.

    « Cotation retenue » follows the questionnaire's proposal while the user has not chosen
    another level (`_follow_proposal`); a level other than the proposal asks for a justification
    (`domain.cotation.override_problem`, the rule the service applies)."""

    _follow_proposal = True

    def _build_cotation(self) -> QGroupBox:
        box = QGroupBox("Cotation égalité femmes-hommes")
        self.questions_host = QWidget()
        self.questions_layout = QGridLayout(self.questions_host)
        self.questions_layout.setContentsMargins(0, 0, 0, 0)
        self.questions_layout.setColumnStretch(1, 1)
        self.questions_layout.setVerticalSpacing(6)
        self.proposed_label = rich_label("Cotation proposée")
        self.level_combo = QComboBox()
        self.level_combo.setAccessibleName("Cotation retenue")
        self.level_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.level_combo.setMinimumContentsLength(20)
        self.level_combo.currentIndexChanged.connect(self._update_cotation_state)
        self.level_combo.activated.connect(self._on_level_chosen)  # the user's choice only
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification de la cotation")
        self.justification.setFixedHeight(56)
        self.justification.textChanged.connect(self._update_cotation_state)
        self.justification_label = QLabel("&Justification :")
        self.justification_label.setBuddy(self.justification)
        self.justification_label.setWordWrap(True)
        self.declared_label = rich_label("Cotation déclarée par le porteur")
        self.instructed_label = rich_label("Cotation instruite")
        self.gap_label = rich_label("Écart de cotation")
        self.pending_label = rich_label("Cotation à enregistrer")
        self.save_cotation_button = QPushButton("Enregistrer la co&tation")
        self.save_cotation_button.clicked.connect(self.save_cotation)
        self.cotation_message = SectionMessage("Message de la cotation", self._reload_section)

        retained = QLabel("Cotation &retenue :")
        retained.setBuddy(self.level_combo)
        compare = QGridLayout()
        compare.setHorizontalSpacing(16)
        compare.setColumnStretch(0, 1)
        compare.setColumnStretch(1, 1)
        compare.addWidget(self.declared_label, 0, 0)
        compare.addWidget(self.instructed_label, 0, 1)
        compare.addWidget(self.gap_label, 1, 0, 1, 2)
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setLayout(compare)
        level_row = QHBoxLayout()
        level_row.addWidget(retained)
        level_row.addWidget(self.level_combo, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_cotation_button)
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("Questionnaire (cochez les réponses « oui ») :"))
        layout.addWidget(self.questions_host)
        layout.addWidget(self.proposed_label)
        layout.addLayout(level_row)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.justification_label)
        layout.addWidget(self.justification)
        layout.addWidget(frame)
        layout.addLayout(buttons)
        layout.addWidget(self.cotation_message)
        return box

    # --- cotation F/H -----------------------------------------------------------------------

    def _load_cotation(self, cot: CotationDto) -> None:
        self._cotation = cot
        settings = cot.settings
        if [code for code, _ in settings.questions] != list(self.question_boxes):
            while self.questions_layout.count():
                item = self.questions_layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.question_boxes = {}
            for n, (code, question) in enumerate(settings.questions):
                check = QCheckBox()
                check.setAccessibleName(question)
                check.toggled.connect(self._on_answer_changed)
                self.questions_layout.addWidget(check, n, 0, Qt.AlignmentFlag.AlignTop)
                self.questions_layout.addWidget(ClickableLabel(question, check), n, 1)
                self.question_boxes[code] = check
        for code, check in self.question_boxes.items():
            check.blockSignals(True)
            check.setChecked(cot.answers.get(code, False))
            check.blockSignals(False)
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        self.level_combo.addItem("— non cotée —", None)
        for level, text in settings.levels:
            self.level_combo.addItem(f"{level} — {text}", level)
        self.level_combo.setCurrentIndex(
            max(0, self.level_combo.findData(cot.instruite)) if cot.instruite is not None else 0
        )
        self.level_combo.blockSignals(False)
        self.justification.blockSignals(True)
        self.justification.setPlainText(cot.justification or "")
        self.justification.blockSignals(False)
        self._cotation_loaded = self._cotation_form()  # as saved: a preselection is still unsaved
        # An instructed level other than the proposal is a choice; « non cotée » is not.
        self._follow_proposal = cot.instruite is None or cot.instruite == self.proposed_level()
        if cot.instruite is None and cot.proposee is not None:  # answers saved, level not yet
            self.set_retained_level(self.proposed_level())
        self._update_cotation_state()

    def _on_answer_changed(self) -> None:
        if self._follow_proposal:
            self.set_retained_level(self.proposed_level())
        self._update_cotation_state()

    def _on_level_chosen(self, _index: int) -> None:
        """The user picked a level: the proposal is no longer followed unless it is the one."""
        self._follow_proposal = self.retained_level() == self.proposed_level()

    def answers(self) -> dict[str, bool]:
        return {code: check.isChecked() for code, check in self.question_boxes.items()}

    def proposed_level(self) -> int | None:
        return self._cotation.settings.propose(self.answers()) if self._cotation else None

    def retained_level(self) -> int | None:
        value = self.level_combo.currentData()
        return value if isinstance(value, int) else None

    def set_retained_level(self, level: int | None) -> None:
        self.level_combo.setCurrentIndex(0 if level is None else max(0, self.level_combo.findData(level)))

    def choose_level(self, level: int | None) -> None:
        """As the user does it: select the level and stop following the proposal."""
        self.set_retained_level(level)
        self._on_level_chosen(self.level_combo.currentIndex())

    def _level_text(self, level: int | None) -> str:
        if level is None or self._cotation is None:
            return "non cotée"
        return f"{level} — {html.escape(self._cotation.settings.label(level))}"

    def _update_cotation_state(self) -> None:
        cot = self._cotation
        if cot is None:
            return
        proposed = self.proposed_level()
        retained = self.retained_level()
        self.proposed_label.setText(
            f"Cotation proposée par le questionnaire : <b>{self._level_text(proposed)}</b>"
        )
        differs = retained is not None and retained != proposed
        self.justification_label.setText(
            "&Justification (obligatoire : la cotation retenue diffère de la proposée) :"
            if differs
            else "&Justification :"
        )
        self.justification_label.setStyleSheet(
            f"color: {ERROR_COLOUR};" if differs and not self._justification() else ""
        )
        self.declared_label.setText(f"Déclarée par le porteur :<br><b>{self._level_text(cot.declaree)}</b>")
        self.instructed_label.setText(f"Instruite (retenue) :<br><b>{self._level_text(retained)}</b>")
        self.pending_label.setText(self._pending_text(cot, retained, proposed))
        self.pending_label.setVisible(bool(self.pending_label.text()))
        if cot.declaree is not None and retained is not None and cot.declaree != retained:
            self.gap_label.setText(
                coloured(
                    f"⚠ Écart : le porteur a déclaré {cot.declaree}, l'instruction retient {retained}.",
                    WARNING_COLOUR,
                    bold=True,
                )
            )
            self.gap_label.show()
        else:
            self.gap_label.setText("")
            self.gap_label.hide()

    def _pending_text(self, cot: CotationDto, retained: int | None, proposed: int | None) -> str:
        if retained is None:
            return coloured(
                "Aucune cotation retenue : le dossier ne pourra pas passer à « instruit ».", WARNING_COLOUR
            )
        if retained != cot.instruite:
            note = "niveau proposé présélectionné" if retained == proposed else "niveau choisi"
            return coloured(f"{note.capitalize()} : enregistrez la cotation pour le retenir.", WARNING_COLOUR)
        return ""

    def has_gap(self) -> bool:
        return self.gap_label.isVisibleTo(self) and bool(self.gap_label.text())

    def _justification(self) -> str:
        return self.justification.toPlainText().strip()

    def save_cotation(self) -> bool:
        if self._detail is None:
            return False
        retained = self.retained_level()
        answers = self.answers()
        mark_invalid(self.justification, None)
        if not self._ask_justification(retained):
            self.cotation_message.error(JUSTIFICATION_REQUIRED)
            mark_invalid(self.justification, JUSTIFICATION_REQUIRED)
            self.justification.setFocus()
            return False
        justification = self._justification()

        def write(version: int) -> None:
            self.instruction.save_cotation(
                self._detail_id(), version, answers, retained, justification or None
            )

        if retained is None:
            # The answers are worth keeping, but a dossier « non coté » is not instructed.
            if self._write_dossier(write, self.cotation_message, ""):
                self.cotation_message.warning(
                    "Réponses au questionnaire enregistrées ; cotation non enregistrée : choisissez "
                    "la « Cotation retenue » (elle manque pour passer à « instruit »)."
                )
            return False
        return self._write_dossier(write, self.cotation_message, "Cotation égalité F/H enregistrée.")

    def _ask_justification(self, retained: int | None) -> bool:
        """A level other than the proposal needs a justification: asked when the field is empty.
        False when none was given."""
        proposed = self.proposed_level()
        if override_problem(proposed, retained, self._justification()) is None:
            return True
        text = self._dialogs.ask_text(
            self,
            "Justification de la cotation",
            f"La cotation retenue ({retained}) diffère de la cotation proposée par le questionnaire "
            f"({proposed}). Justification (obligatoire) :",
            multiline=True,
        )
        if override_problem(proposed, retained, text) is not None:
            return False
        self.justification.setPlainText((text or "").strip())
        return True

    def _cotation_form(self) -> tuple[object, ...]:
        return (tuple(sorted(self.answers().items())), self.retained_level(), self._justification())
