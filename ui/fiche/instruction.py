"""Tab « Instruction » of the fiche dossier (DESIGN.md §6, §7.3): the grille d'analyse of each
évaluateur assigned and the dossier's aggregate, the cotation égalité F/H, the avis technique with
the proposed amounts, and what still prevents « instruit ».

**How it saves (relative to the fiche's main « Enregistrer »).** Each section has its OWN save
button and writes through its service at once; the main button never saves this tab.

* « Enregistrer la notation », « Déclarer un conflit d'intérêts… », « Retirer le conflit » write
  the évaluation row (`NotationService`, the évaluation's own version): the dossier's version does
  not move, so the rest of the fiche is untouched; the window is told (`scores_saved`) so that the
  list shows the new score.
* « Enregistrer la cotation » and « Enregistrer l'avis » write the dossier row (its version moves,
  and the avis writes the proposé of the plan's lines, which the « Plan de financement » tab also
  edits). So before writing, the tab asks the window (`guard`) to have no unsaved change in the
  other tabs — the same « Enregistrer / Ne pas enregistrer / Annuler » question as before a
  change of statut — then writes with the dossier version the window holds, and emits
  `dossier_written`: the window reloads the whole fiche, so its `expected_version` is the new one
  and its other tabs never hit a false concurrent-edit error (nor write back a stale proposé).
  While the guard runs, a reload of the fiche does not reset this tab's inputs.
* « Déroger… » (éliminatoire criterion) is recorded in the audit log (no version change).

A concurrent edit (someone else saved the évaluation or the dossier) is refused by the service;
the section shows the French message and a « Recharger » button.

The tab reads its data only when shown (`showEvent`) or when `refresh()` is called: the rank
needs the scores of the whole campagne.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from fractions import Fraction

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.domain.scoring import CritereSpec, Scorer
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierDetail, DossierService
from instructeur.services.fiche import FicheContext
from instructeur.services.grilles import CritereDto
from instructeur.services.instruction import JUSTIFICATION_REQUIRED, CotationDto, InstructionService
from instructeur.services.notation import EvaluationDto, NotationService, ScoreRow
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR, AmountEdit, mark_invalid, two_columns
from ui.models.dossiers import format_score

OK_COLOUR = "#1b5e20"
MUTED = "color: palette(placeholder-text);"
AVIS_CHOICES: tuple[tuple[str, str], ...] = (
    ("favorable", "Favorable"),
    ("reserve", "Favorable sous réserve"),
    ("defavorable", "Défavorable"),
)
MOTIVATION_REQUIRED = "motivation de l'avis : obligatoire quand l'avis n'est pas favorable"
NOT_SCORED = None  # the « — » choice of a criterion
RADIO_MAX_LEVELS = 6  # larger scales (0–20) use a spin box


def _coloured(text: str, colour: str, *, bold: bool = False) -> str:
    weight = "font-weight:600;" if bold else ""
    return f"<span style='color:{colour};{weight}'>{text}</span>"


def plain_text(rich: str) -> str:
    """A label's rich text without markup, one line per <br> or list item."""
    for tag in ("<br>", "</li>"):
        rich = rich.replace(tag, "\n")
    out, inside = [], False
    for ch in rich:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return html.unescape("".join(out)).strip()


class _Message(QFrame):
    """A section's outcome: a French message (error, warning, success) and, after a concurrent
    edit, a « Recharger » button."""

    def __init__(self, name: str, on_reload: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setAccessibleName(name)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Recharger")
        self.reload_button.setToolTip(
            "Relire les données enregistrées (vos saisies de cette section sont perdues)"
        )
        self.reload_button.clicked.connect(on_reload)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.clear()

    def text(self) -> str:
        return self.label.text()

    def plain(self) -> str:
        """The message without markup (tests, accessibility)."""
        return plain_text(self.label.text())

    def clear(self) -> None:
        self.label.setText("")
        self.reload_button.hide()
        self.hide()

    def error(self, problems: list[str] | str, *, reload: bool = False) -> None:
        items = [problems] if isinstance(problems, str) else problems
        if len(items) == 1:
            body = html.escape(items[0])
        else:
            body = (
                "<ul style='margin:2px 0'>" + "".join(f"<li>{html.escape(p)}</li>" for p in items) + "</ul>"
            )
        self.label.setText(
            _coloured("Non enregistré : ", ERROR_COLOUR, bold=True) + _coloured(body, ERROR_COLOUR)
        )
        self.reload_button.setVisible(reload)
        self.show()

    def success(self, text: str, warnings: tuple[str, ...] | list[str] = ()) -> None:
        body = _coloured(html.escape(text), OK_COLOUR)
        for w in warnings:
            body += "<br>" + _coloured("⚠ " + html.escape(w), WARNING_COLOUR)
        self.label.setText(body)
        self.reload_button.hide()
        self.show()


class _ClickableLabel(QLabel):
    """The wrapped text of a check box: a click toggles the box."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self._box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._box.isEnabled():
            self._box.toggle()
        event.accept()


class _CritereInput(QWidget):
    """One criterion: libellé, guidance text, and its scale (radio buttons, or a spin box for
    scales longer than 6 levels); `value()` None = not scored."""

    changed = Signal()

    def __init__(self, critere: CritereDto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.critere = critere
        title = html.escape(critere.libelle)
        extras = []
        if critere.poids != 1:
            extras.append("non pondéré" if critere.poids == 0 else f"coefficient {critere.poids}")
        if critere.eliminatoire:
            extras.append(_coloured("éliminatoire", ERROR_COLOUR, bold=True))
        if extras:
            title += " <span style='font-weight:normal'>(" + ", ".join(extras) + ")</span>"
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.aide = QLabel(critere.aide)
        self.aide.setWordWrap(True)
        self.aide.setStyleSheet(MUTED)
        self.aide.setVisible(bool(critere.aide))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.aide)
        self.group: QButtonGroup | None = None
        self.spin: QSpinBox | None = None
        self.radios: dict[int | None, QRadioButton] = {}
        levels = critere.echelle_max - critere.echelle_min + 1
        if levels <= RADIO_MAX_LEVELS:
            row = QHBoxLayout()
            row.setSpacing(14)
            self.group = QButtonGroup(self)
            self.group.setExclusive(True)
            for value in (NOT_SCORED, *range(critere.echelle_min, critere.echelle_max + 1)):
                if value is None:
                    text = "—"
                    name = f"{critere.libelle} : non noté"
                else:
                    label = critere.level_label(value)
                    text = f"{value} — {label}" if label != str(value) else str(value)
                    name = f"{critere.libelle} : {text}"
                radio = QRadioButton(text)
                radio.setAccessibleName(name)
                if value is None:
                    radio.setToolTip("Non noté")
                self.group.addButton(radio)
                self.radios[value] = radio
                row.addWidget(radio)
            row.addStretch(1)
            self.group.buttonToggled.connect(self._on_toggled)
            layout.addLayout(row)
        else:
            self.spin = QSpinBox()
            self.spin.setRange(critere.echelle_min - 1, critere.echelle_max)
            self.spin.setSpecialValueText("—")
            self.spin.setSuffix(f" / {critere.echelle_max}")
            self.spin.setAccessibleName(critere.libelle)
            self.spin.valueChanged.connect(lambda _v: self.changed.emit())
            row = QHBoxLayout()
            row.addWidget(self.spin)
            row.addStretch(1)
            layout.addLayout(row)

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> int | None:
        if self.spin is not None:
            v = self.spin.value()
            return None if v < self.critere.echelle_min else v
        for value, radio in self.radios.items():
            if radio.isChecked():
                return value
        return None

    def set_value(self, value: int | None) -> None:
        self.blockSignals(True)
        try:
            if self.spin is not None:
                self.spin.setValue(self.critere.echelle_min - 1 if value is None else value)
            else:
                radio = self.radios.get(value) or self.radios[NOT_SCORED]
                radio.setChecked(True)
        finally:
            self.blockSignals(False)

    def setInputEnabled(self, enabled: bool) -> None:  # noqa: N802 (Qt style)
        for radio in self.radios.values():
            radio.setEnabled(enabled)
        if self.spin is not None:
            self.spin.setEnabled(enabled)


class InstructionTab(QWidget):
    """See the module docstring. `load(detail)` is called by the window with every snapshot."""

    dossier_written = Signal(int)  # cotation / avis saved: the dossier's version moved
    scores_saved = Signal(int)  # notation, conflict, dérogation saved: the list's score may move

    def __init__(
        self,
        db: Database,
        context: FicheContext,
        dialogs: Dialogs,
        user: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._dialogs = dialogs
        self.notation = NotationService(db, user)
        self.instruction = InstructionService(db, user)
        self.dossiers = DossierService(db, user)
        # Set by the window: True when the other tabs have no unsaved change (asks otherwise).
        self.guard: Callable[[], bool] = lambda: True
        self._detail: DossierDetail | None = None
        self._stale = True
        self._writing = False
        self._reloaded = False
        self._evaluations: list[EvaluationDto] = []
        self._current: EvaluationDto | None = None
        self._scorer: Scorer | None = None
        self._loaded_notes: tuple[object, ...] = ()
        self._cotation_loaded: tuple[object, ...] | None = None  # forms as last loaded or saved
        self._avis_loaded: tuple[object, ...] | None = None
        self._cotation: CotationDto | None = None
        self._score: ScoreRow | None = None
        self._ranked = 0
        self.inputs: dict[int, _CritereInput] = {}
        self.question_boxes: dict[str, QCheckBox] = {}
        self.proposed_edits: dict[int, AmountEdit] = {}
        self._build()

    # --- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        two_columns(
            self,
            [self._build_aggregate(), self._build_evaluations()],
            [self._build_completeness(), self._build_cotation(), self._build_avis()],
            stretch=(11, 9),
        )

    def _build_evaluations(self) -> QGroupBox:
        box = QGroupBox("Évaluations (grille d'analyse)")
        self.evaluateur_combo = QComboBox()
        self.evaluateur_combo.setAccessibleName("Évaluateur")
        self.evaluateur_combo.setMinimumContentsLength(28)
        self.evaluateur_combo.currentIndexChanged.connect(self._on_evaluateur_changed)
        pick = QLabel("É&valuateur :")
        pick.setBuddy(self.evaluateur_combo)
        self.no_evaluateur = QLabel(
            "Aucun évaluateur n'est affecté à ce dossier : affectez-en depuis la liste des dossiers "
            "(action « Affecter un évaluateur »)."
        )
        self.no_evaluateur.setWordWrap(True)
        self.no_evaluateur.setStyleSheet(MUTED)
        self.evaluation_state = QLabel()
        self.evaluation_state.setAccessibleName("État de l'évaluation")
        self.evaluation_state.setWordWrap(True)
        self.evaluation_state.setTextFormat(Qt.TextFormat.RichText)
        self.criteria_host = QWidget()
        self.criteria_layout = QVBoxLayout(self.criteria_host)
        self.criteria_layout.setContentsMargins(0, 0, 0, 0)
        self.criteria_layout.setSpacing(2)
        self.total_label = QLabel()
        self.total_label.setAccessibleName("Total de l'évaluation sur 20")
        self.total_label.setTextFormat(Qt.TextFormat.RichText)
        self.commentaire = QPlainTextEdit()
        self.commentaire.setAccessibleName("Commentaire de l'évaluateur")
        self.commentaire.setPlaceholderText("Commentaire de l'évaluateur (facultatif)")
        self.commentaire.setFixedHeight(64)
        self.commentaire.textChanged.connect(self._update_notation_state)
        self.conflict_button = QPushButton("Déclarer un &conflit d'intérêts…")
        self.conflict_button.setToolTip("L'évaluation sera exclue de la note du dossier (motif obligatoire)")
        self.conflict_button.clicked.connect(self.declare_conflict)
        self.withdraw_button = QPushButton("Retirer le conflit")
        self.withdraw_button.clicked.connect(self.withdraw_conflict)
        self.save_notes_button = QPushButton("Enregistrer la &notation")
        self.save_notes_button.clicked.connect(self.save_notes)
        self.notation_message = _Message("Message de la notation", self.refresh)

        top = QHBoxLayout()
        top.addWidget(pick)
        top.addWidget(self.evaluateur_combo, 1)
        top.addSpacing(12)
        top.addWidget(self.total_label)
        self.evaluation_panel = QWidget()
        pl = QVBoxLayout(self.evaluation_panel)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.evaluation_state)
        pl.addWidget(self.criteria_host)
        comment_label = QLabel("Co&mmentaire :")
        comment_label.setBuddy(self.commentaire)
        pl.addWidget(comment_label)
        pl.addWidget(self.commentaire)
        buttons = QHBoxLayout()
        buttons.addWidget(self.conflict_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_notes_button)
        pl.addLayout(buttons)
        pl.addWidget(self.notation_message)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.no_evaluateur)
        layout.addWidget(self.evaluation_panel)
        return box

    def _build_aggregate(self) -> QGroupBox:
        box = QGroupBox("Note du dossier")
        self.aggregate_label = QLabel()
        self.aggregate_label.setAccessibleName("Note du dossier")
        self.aggregate_label.setWordWrap(True)
        self.aggregate_label.setTextFormat(Qt.TextFormat.RichText)
        self.eliminatoire_label = QLabel()
        self.eliminatoire_label.setAccessibleName("Critère éliminatoire")
        self.eliminatoire_label.setWordWrap(True)
        self.eliminatoire_label.setTextFormat(Qt.TextFormat.RichText)
        self.derogation_button = QPushButton("&Déroger…")
        self.derogation_button.setToolTip(
            "Retenir le dossier malgré le critère éliminatoire (motivation obligatoire)"
        )
        self.derogation_button.clicked.connect(self.derogate)
        self.aggregate_message = _Message("Message de la note", self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.eliminatoire_label, 1)
        row.addWidget(self.derogation_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addWidget(self.aggregate_label)
        layout.addLayout(row)
        layout.addWidget(self.aggregate_message)
        return box

    def _build_completeness(self) -> QGroupBox:
        box = QGroupBox("Complétude de l'instruction")
        self.completeness_label = QLabel()
        self.completeness_label.setAccessibleName("Complétude de l'instruction")
        self.completeness_label.setWordWrap(True)
        self.completeness_label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(box)
        layout.addWidget(self.completeness_label)
        return box

    def _build_cotation(self) -> QGroupBox:
        box = QGroupBox("Cotation égalité femmes-hommes")
        self.questions_host = QWidget()
        self.questions_layout = QGridLayout(self.questions_host)
        self.questions_layout.setContentsMargins(0, 0, 0, 0)
        self.questions_layout.setColumnStretch(1, 1)
        self.questions_layout.setVerticalSpacing(6)
        self.proposed_label = QLabel()
        self.proposed_label.setAccessibleName("Cotation proposée")
        self.proposed_label.setWordWrap(True)
        self.proposed_label.setTextFormat(Qt.TextFormat.RichText)
        self.level_combo = QComboBox()
        self.level_combo.setAccessibleName("Cotation retenue")
        self.level_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.level_combo.setMinimumContentsLength(20)
        self.level_combo.currentIndexChanged.connect(self._update_cotation_state)
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification de la cotation")
        self.justification.setFixedHeight(56)
        self.justification.textChanged.connect(self._update_cotation_state)
        self.justification_label = QLabel("&Justification :")
        self.justification_label.setBuddy(self.justification)
        self.justification_label.setWordWrap(True)
        self.declared_label = QLabel()
        self.declared_label.setAccessibleName("Cotation déclarée par le porteur")
        self.declared_label.setWordWrap(True)
        self.declared_label.setTextFormat(Qt.TextFormat.RichText)
        self.instructed_label = QLabel()
        self.instructed_label.setAccessibleName("Cotation instruite")
        self.instructed_label.setWordWrap(True)
        self.instructed_label.setTextFormat(Qt.TextFormat.RichText)
        self.gap_label = QLabel()
        self.gap_label.setAccessibleName("Écart de cotation")
        self.gap_label.setWordWrap(True)
        self.gap_label.setTextFormat(Qt.TextFormat.RichText)
        self.save_cotation_button = QPushButton("Enregistrer la co&tation")
        self.save_cotation_button.clicked.connect(self.save_cotation)
        self.cotation_message = _Message("Message de la cotation", self._reload_section)

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
        layout.addWidget(self.justification_label)
        layout.addWidget(self.justification)
        layout.addWidget(frame)
        layout.addLayout(buttons)
        layout.addWidget(self.cotation_message)
        return box

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
        self.avis_message = _Message("Message de l'avis", self._reload_section)
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

    # --- loading ----------------------------------------------------------------------------

    @property
    def dossier_id(self) -> int | None:
        return self._detail.id if self._detail else None

    def load(self, detail: DossierDetail | None) -> None:
        """The window's snapshot changed: remember it and read again when shown."""
        self._detail = detail
        self._stale = True
        self._reloaded = True
        if self._writing:  # the guard saved or reverted the fiche: keep this tab's inputs
            return
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read everything again from the database (drops this tab's unsaved inputs)."""
        self._stale = False
        for message in (
            self.notation_message,
            self.aggregate_message,
            self.cotation_message,
            self.avis_message,
        ):
            message.clear()
        if self._detail is None:
            return
        did = self._detail.id
        keep = self._current.evaluateur_id if self._current else None
        self._evaluations = self.notation.evaluations_of(did)
        self.evaluateur_combo.blockSignals(True)
        try:
            self.evaluateur_combo.clear()
            for ev in self._evaluations:
                self.evaluateur_combo.addItem(self._evaluateur_text(ev), ev.evaluateur_id)
            index = next((n for n, ev in enumerate(self._evaluations) if ev.evaluateur_id == keep), 0)
            if self._evaluations:
                self.evaluateur_combo.setCurrentIndex(index)
        finally:
            self.evaluateur_combo.blockSignals(False)
        has = bool(self._evaluations)
        self.no_evaluateur.setVisible(not has)
        self.evaluation_panel.setVisible(has)
        self.evaluateur_combo.setEnabled(has)
        self._show_evaluation(self._evaluations[self.evaluateur_combo.currentIndex()] if has else None)
        self._refresh_aggregate()
        self._load_cotation(self.instruction.cotation(did))
        self._load_avis(self._detail)
        self.refresh_completeness()

    @staticmethod
    def _evaluateur_text(ev: EvaluationDto) -> str:
        if ev.conflit:
            state = "conflit d'intérêts, exclue"
        elif ev.complete:
            state = f"{format_score(ev.total)} /20"
        elif ev.notes:
            state = "incomplète"
        else:
            state = "à noter"
        return f"{ev.evaluateur_nom} — {state}"

    # --- évaluations ------------------------------------------------------------------------

    def _on_evaluateur_changed(self, index: int) -> None:
        if not (0 <= index < len(self._evaluations)):
            return
        target = self._evaluations[index].evaluateur_id
        if self.notation_modified():
            answer = self._dialogs.ask_save_discard_cancel(
                self,
                "Notation non enregistrée",
                f"Enregistrer la notation de {self._current.evaluateur_nom if self._current else ''} ?",
            )
            if answer == "cancel" or (answer == "save" and not self.save_notes()):
                previous = next(
                    (
                        n
                        for n, ev in enumerate(self._evaluations)
                        if self._current and ev.id == self._current.id
                    ),
                    0,
                )
                self.evaluateur_combo.blockSignals(True)
                self.evaluateur_combo.setCurrentIndex(previous)
                self.evaluateur_combo.blockSignals(False)
                return
            if answer == "save":  # save_notes refreshed the tab on the previous évaluateur
                self.select_evaluateur(target)
                return
        self.notation_message.clear()
        self._show_evaluation(self._evaluations[index])

    def select_evaluateur(self, evaluateur_id: int) -> None:
        for n, ev in enumerate(self._evaluations):
            if ev.evaluateur_id == evaluateur_id:
                self.evaluateur_combo.setCurrentIndex(n)
                return
        raise KeyError(evaluateur_id)

    def _show_evaluation(self, ev: EvaluationDto | None) -> None:
        self._current = ev
        while self.criteria_layout.count():
            item = self.criteria_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.inputs = {}
        if ev is None:
            self._scorer = None
            self._loaded_notes = ()
            return
        self._scorer = Scorer(
            [
                CritereSpec(c.id, c.poids, c.echelle_min, c.echelle_max, c.eliminatoire, c.libelle)
                for c in ev.criteres
            ]
        )
        section: str | None = None
        for c in ev.criteres:
            if c.section != section:
                section = c.section
                if section:
                    header = QLabel(html.escape(section))
                    header.setStyleSheet("font-weight: 600; margin-top: 6px; color: palette(dark);")
                    self.criteria_layout.addWidget(header)
            widget = _CritereInput(c)
            widget.set_value(ev.notes.get(c.id))
            widget.changed.connect(self._update_notation_state)
            self.criteria_layout.addWidget(widget)
            self.inputs[c.id] = widget
        self.commentaire.blockSignals(True)
        self.commentaire.setPlainText(ev.commentaire or "")
        self.commentaire.blockSignals(False)
        self._loaded_notes = self._notation_state()
        enabled = not ev.conflit
        for widget in self.inputs.values():
            widget.setInputEnabled(enabled)
        self.commentaire.setReadOnly(not enabled)
        self.conflict_button.setVisible(not ev.conflit)
        self.withdraw_button.setVisible(ev.conflit)
        if ev.conflit:
            self.evaluation_state.setText(
                _coloured("Conflit d'intérêts déclaré", ERROR_COLOUR, bold=True)
                + _coloured(f" — motif : « {html.escape(ev.conflit_motif or '')} »", ERROR_COLOUR)
                + "<br>Cette évaluation est <b>exclue</b> de la note du dossier ; ses notes ne sont pas modifiables."
            )
        else:
            grille = f"Grille version {ev.grille_numero_version}"
            when = f", notée le {ev.date_evaluation:%d/%m/%Y}" if ev.date_evaluation else ""
            who = f" par {html.escape(ev.updated_by)}" if ev.updated_by and ev.date_evaluation else ""
            self.evaluation_state.setText(f"<span style='{MUTED}'>{grille}{when}{who}</span>")
        self._update_notation_state()

    def notes(self) -> dict[int, int | None]:
        return {cid: widget.value() for cid, widget in self.inputs.items()}

    def _notation_state(self) -> tuple[object, ...]:
        return (tuple(sorted(self.notes().items())), self.commentaire.toPlainText().strip())

    def notation_modified(self) -> bool:
        return (
            self._current is not None
            and not self._current.conflit
            and self._notation_state() != self._loaded_notes
        )

    def running_total(self) -> Fraction | None:
        if self._scorer is None:
            return None
        return self._scorer.total({cid: v for cid, v in self.notes().items() if v is not None})

    def _update_notation_state(self) -> None:
        ev = self._current
        if ev is None:
            return
        total = self.running_total()
        weighted = [c for c in ev.criteres if c.poids > 0]
        scored = sum(1 for c in weighted if self.inputs[c.id].value() is not None)
        if total is not None:
            text = f"Total : <b>{format_score(total)} /20</b>"
        else:
            text = f"Total : <b>incomplet</b> ({scored}/{len(weighted)} critères notés)"
        if ev.conflit:
            text += " — " + _coloured("exclue (conflit d'intérêts)", ERROR_COLOUR)
        elif self.notation_modified():
            text += " — " + _coloured("non enregistré", WARNING_COLOUR)
        self.total_label.setText(text)
        self.save_notes_button.setEnabled(self.notation_modified())

    def save_notes(self) -> bool:
        ev = self._current
        if ev is None:
            return False
        try:
            self.notation.save_notes(ev.id, ev.version, self.notes(), self.commentaire.toPlainText())
        except ConcurrentEditError as exc:
            self.notation_message.error(exc.message, reload=True)
            return False
        except ValidationError as exc:
            self.notation_message.error(exc.problems)
            return False
        except UserError as exc:
            self.notation_message.error(exc.message)
            return False
        self._after_scores_change()
        self.notation_message.success(f"Notation de {ev.evaluateur_nom} enregistrée.")
        return True

    def declare_conflict(self) -> None:
        ev = self._current
        if ev is None:
            return
        motif = self._dialogs.ask_text(
            self,
            "Déclarer un conflit d'intérêts",
            f"Motif du conflit d'intérêts de {ev.evaluateur_nom} sur ce dossier (obligatoire) ; "
            "son évaluation sera exclue de la note :",
            multiline=True,
        )
        if motif is None:
            return
        try:
            self.notation.declare_conflict(ev.id, ev.version, motif)
        except ConcurrentEditError as exc:
            self.notation_message.error(exc.message, reload=True)
            return
        except ValidationError as exc:
            self.notation_message.error(exc.problems)
            return
        except UserError as exc:
            self.notation_message.error(exc.message)
            return
        self._after_scores_change()
        self.notation_message.success(
            f"Conflit d'intérêts de {ev.evaluateur_nom} enregistré : évaluation exclue."
        )

    def withdraw_conflict(self) -> None:
        ev = self._current
        if ev is None:
            return
        try:
            self.notation.withdraw_conflict(ev.id, ev.version)
        except ConcurrentEditError as exc:
            self.notation_message.error(exc.message, reload=True)
            return
        except UserError as exc:
            self.notation_message.error(exc.message)
            return
        self._after_scores_change()
        self.notation_message.success(f"Conflit d'intérêts de {ev.evaluateur_nom} retiré.")

    def _after_scores_change(self) -> None:
        self.refresh()
        if self._detail is not None:
            self.scores_saved.emit(self._detail.id)

    # --- aggregate --------------------------------------------------------------------------

    def _refresh_aggregate(self) -> None:
        self._show_aggregate()
        self.eliminatoire_label.setVisible(bool(self.eliminatoire_label.text()))

    def _show_aggregate(self) -> None:
        assert self._detail is not None
        scores = self.notation.scores(self._detail.campagne_id)
        self._score = scores.get(self._detail.id)
        self._ranked = sum(1 for row in scores.values() if row.rank is not None)
        row = self._score
        if row is None:
            self.aggregate_label.setText("")
            self.eliminatoire_label.setText("")
            self.derogation_button.hide()
            return
        s = row.score
        counts = (
            f"{s.n_counted} évaluation{'s' if s.n_counted > 1 else ''} comptée{'s' if s.n_counted > 1 else ''}"
            f" · {s.n_conflicts} en conflit d'intérêts · {s.n_incomplete} incomplète{'s' if s.n_incomplete > 1 else ''}"
        )
        if s.score is None:
            text = "<b>Pas encore de note</b> : aucune évaluation complète hors conflit d'intérêts."
        else:
            text = f"<span style='font-size:14pt; font-weight:600'>{format_score(s.score)} /20</span>"
            if row.rank is not None:
                text += (
                    f" &nbsp;·&nbsp; rang <b>{row.rank}</b> sur {self._ranked} dossiers notés de la campagne"
                )
            if s.spread is not None and s.n_counted > 1:
                text += f"<br>Écart entre évaluateurs : {format_score(s.spread)} points"
                if s.disagreement:
                    text += " — " + _coloured("⚠ désaccord entre évaluateurs", WARNING_COLOUR, bold=True)
        self.aggregate_label.setText(f"{text}<br><span style='{MUTED}'>{counts}</span>")
        if row.eliminatoire:
            hits = ", ".join(
                f"« {html.escape(h.critere)} » ({html.escape(h.evaluateur)})" for h in row.eliminatoire
            )
            if row.override is None:
                self.eliminatoire_label.setText(
                    _coloured("⚠ Non retenable", ERROR_COLOUR, bold=True)
                    + _coloured(f" : critère éliminatoire noté au minimum — {hits}.", ERROR_COLOUR)
                )
                self.derogation_button.show()
            else:
                self.eliminatoire_label.setText(
                    _coloured("Dérogation au critère éliminatoire", WARNING_COLOUR, bold=True)
                    + f" ({hits}) : « {html.escape(row.override)} »"
                )
                self.derogation_button.hide()
        else:
            self.eliminatoire_label.setText("")
            self.derogation_button.hide()

    def derogate(self) -> None:
        if self._detail is None:
            return
        text = self._dialogs.ask_text(
            self,
            "Déroger au critère éliminatoire",
            "Motivation de la dérogation (obligatoire) : le dossier redevient retenable.",
            multiline=True,
        )
        if text is None:
            return
        try:
            self.instruction.override_eliminatoire(self._detail.id, text)
        except ValidationError as exc:
            self.aggregate_message.error(exc.problems)
            return
        except UserError as exc:
            self.aggregate_message.error(exc.message)
            return
        self._after_scores_change()
        self.aggregate_message.success("Dérogation enregistrée.")

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
                check.toggled.connect(self._update_cotation_state)
                self.questions_layout.addWidget(check, n, 0, Qt.AlignmentFlag.AlignTop)
                self.questions_layout.addWidget(_ClickableLabel(question, check), n, 1)
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
        self._update_cotation_state()
        self._cotation_loaded = self._cotation_form()

    def answers(self) -> dict[str, bool]:
        return {code: check.isChecked() for code, check in self.question_boxes.items()}

    def proposed_level(self) -> int | None:
        return self._cotation.settings.propose(self.answers()) if self._cotation else None

    def retained_level(self) -> int | None:
        value = self.level_combo.currentData()
        return value if isinstance(value, int) else None

    def set_retained_level(self, level: int | None) -> None:
        self.level_combo.setCurrentIndex(0 if level is None else self.level_combo.findData(level))

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
        if cot.declaree is not None and retained is not None and cot.declaree != retained:
            self.gap_label.setText(
                _coloured(
                    f"⚠ Écart : le porteur a déclaré {cot.declaree}, l'instruction retient {retained}.",
                    WARNING_COLOUR,
                    bold=True,
                )
            )
            self.gap_label.show()
        else:
            self.gap_label.setText("")
            self.gap_label.hide()

    def has_gap(self) -> bool:
        return self.gap_label.isVisibleTo(self) and bool(self.gap_label.text())

    def _justification(self) -> str:
        return self.justification.toPlainText().strip()

    def save_cotation(self) -> bool:
        if self._detail is None:
            return False
        retained = self.retained_level()
        answers = self.answers()
        justification = self._justification()
        mark_invalid(self.justification, None)
        if retained is not None and retained != self.proposed_level() and not justification:
            self.cotation_message.error(JUSTIFICATION_REQUIRED)
            mark_invalid(self.justification, JUSTIFICATION_REQUIRED)
            self.justification.setFocus()
            return False

        def write(version: int) -> None:
            self.instruction.save_cotation(
                self._detail_id(), version, answers, retained, justification or None
            )

        return self._write_dossier(write, self.cotation_message, "Cotation égalité F/H enregistrée.")

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
            edit = AmountEdit(f"Montant proposé : {name}")
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

    def _cotation_form(self) -> tuple[object, ...]:
        return (tuple(sorted(self.answers().items())), self.retained_level(), self._justification())

    def _avis_form(self) -> tuple[object, ...]:
        amounts = tuple((fid, edit.text()) for fid, edit in sorted(self.proposed_edits.items()))
        return (self.avis(), self.motivation.toPlainText().strip(), amounts)

    def unsaved_sections(self) -> list[str]:
        """Sections of the tab typed into but not saved (the fiche asks before closing)."""
        sections = []
        if self.notation_modified():
            sections.append("la notation")
        if self._cotation_loaded is not None and self._cotation_form() != self._cotation_loaded:
            sections.append("la cotation égalité F/H")
        if self._avis_loaded is not None and self._avis_form() != self._avis_loaded:
            sections.append("l'avis et la proposition")
        return sections

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

    # --- completeness -----------------------------------------------------------------------

    def refresh_completeness(self) -> list[str]:
        if self._detail is None:
            return []
        missing = self.instruction.missing(self._detail.id)
        if missing:
            items = "".join(f"<li>{html.escape(m)}</li>" for m in missing)
            self.completeness_label.setText(
                _coloured("Il manque, pour passer à « instruit » :", ERROR_COLOUR, bold=True)
                + f"<ul style='margin:2px 0'>{items}</ul>"
            )
        else:
            self.completeness_label.setText(
                _coloured("✓ Ce dossier peut passer à « instruit ».", OK_COLOUR, bold=True)
                + f"<br><span style='{MUTED}'>Onglet « Statut » pour changer le statut.</span>"
            )
        return missing

    def completeness_text(self) -> str:
        return plain_text(self.completeness_label.text())

    # --- internals --------------------------------------------------------------------------

    def _detail_id(self) -> int:
        assert self._detail is not None
        return self._detail.id

    def _write_dossier(self, write: Callable[[int], None], message: _Message, done: str) -> bool:
        """Guard (the other tabs saved or reverted), write with the window's dossier version, then
        let the window reload the fiche (new `expected_version`)."""
        message.clear()
        self._writing = True
        try:
            if not self.guard():
                message.error("enregistrez ou annulez d'abord les modifications des autres onglets")
                return False
        finally:
            self._writing = False
        assert self._detail is not None
        try:
            write(self._detail.version)
        except ConcurrentEditError as exc:
            message.error(exc.message, reload=True)
            return False
        except ValidationError as exc:
            message.error(exc.problems)
            return False
        except UserError as exc:
            message.error(exc.message, reload="modifié par" in exc.message)
            return False
        self._reload_dossier()
        message.success(done)
        return True

    def _reload_dossier(self) -> None:
        """The window reloads the fiche (load() → refresh()); alone, the tab reads it itself."""
        assert self._detail is not None
        did = self._detail.id
        self._reloaded = False
        self.dossier_written.emit(did)
        if not self._reloaded:
            self._detail = self.dossiers.get(did)
        if not self._reloaded or self._stale:
            self.refresh()

    def _reload_section(self) -> None:
        """« Recharger » after a concurrent edit of the dossier: the other tabs are saved or
        reverted first (guard), then the whole fiche is read again."""
        if self._detail is None:
            return
        self._writing = True
        try:
            ok = self.guard()
        finally:
            self._writing = False
        if ok:
            self._reload_dossier()
