"""« Modifier la décision… » (tab « Comité et suivi »): revise a comité decision once its séance is
over. The dialog shows the decision as it stands (`ComiteService.revision_form`) and sends the new
one to `ComiteService.revise_decision`, which applies the séance's checks (total voté ≤ coût total,
enveloppes with a dérogation motivation, motivation) and refuses with French lines shown here; the
dialog stays open until the service accepts. Fits 1366×768 (the amounts scroll when a contrat has
many financeurs)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.decision import DECISION_LABELS, DECISIONS
from instructeur.domain.money import format_amount
from instructeur.errors import UserError, ValidationError
from instructeur.services.comites import ComiteService, RevisionForm, RevisionResult
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR, AmountEdit, add_row, form_layout, mark_invalid
from ui.screen_fit import FitsScreen

MUTED = "color: palette(placeholder-text);"


def _text_edit(name: str, placeholder: str, height: int = 58) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class RevisionDialog(FitsScreen, QDialog):
    """See the module docstring. `result_data` holds the service's answer once accepted."""

    def __init__(self, service: ComiteService, form: RevisionForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.form = form
        self.result_data: RevisionResult | None = None
        self.setWindowTitle(f"Modifier la décision du comité — dossier {form.reference}")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_decision())
        layout.addWidget(self._build_amounts(), 1)
        layout.addWidget(self._build_texts())
        self.message = QLabel()
        self.message.setAccessibleName("Résultat de la modification")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(
            "&Enregistrer la décision", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._decision_changed()
        self.resize(720, min(self.sizeHint().height(), 700))

    # --- construction -----------------------------------------------------------------------

    def _build_header(self) -> QLabel:
        f = self.form
        label = QLabel(
            f"<b>{html.escape(f.reference)}</b> — décision actuelle : "
            f"<b>{html.escape(DECISION_LABELS.get(f.decision, f.decision))}</b> "
            f"({html.escape(f.comite)}) ; statut « {html.escape(f.statut.label)} » ; "
            f"coût total de l'action {format_amount(f.cout_total_cents)}"
        )
        label.setAccessibleName("Décision actuelle")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _build_decision(self) -> QWidget:
        host = QWidget()
        form = form_layout()
        form.setContentsMargins(0, 0, 0, 0)
        host.setLayout(form)
        self.decision = QComboBox()
        self.decision.setAccessibleName("Nouvelle décision")
        for code in DECISIONS:
            self.decision.addItem(DECISION_LABELS[code], code)
        self.decision.setCurrentIndex(max(0, self.decision.findData(self.form.decision)))
        self.decision.currentIndexChanged.connect(self._decision_changed)
        add_row(form, "Nouvelle &décision :", self.decision).setBuddy(self.decision)
        return host

    def _build_amounts(self) -> QGroupBox:
        box = QGroupBox("Montants votés par financeur")
        outer = QVBoxLayout(box)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        for col, title in enumerate(("Financeur", "Demandé", "Proposé", "Voté")):
            head = QLabel(f"<b>{title}</b>")
            if col:
                head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(head, 0, col)
        self.amounts: dict[int, AmountEdit] = {}
        for row, m in enumerate(self.form.montants, start=1):
            name = QLabel(m.nom)
            name.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(name, row, 0)
            for col, cents in ((1, m.demande_cents), (2, m.propose_cents)):
                shown = QLabel("" if cents is None else format_amount(cents))
                shown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                shown.setStyleSheet(MUTED)
                grid.addWidget(shown, row, col)
            edit = AmountEdit(f"Montant voté {m.nom}")
            edit.setMaximumWidth(170)
            edit.set_cents(m.vote_cents if m.vote_cents else None)
            edit.textChanged.connect(self._update_total)
            grid.addWidget(edit, row, 3)
            self.amounts[m.financeur_id] = edit
        grid.setColumnStretch(0, 1)
        scroll = QScrollArea()
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(min(60 + 34 * len(self.form.montants), 260))
        outer.addWidget(scroll)
        self.total = QLabel()
        self.total.setAccessibleName("Total voté")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addWidget(self.total)
        return box

    def _build_texts(self) -> QWidget:
        host = QWidget()
        form = form_layout()
        form.setContentsMargins(0, 0, 0, 0)
        host.setLayout(form)
        self.conditions = _text_edit("Conditions", "Conditions posées par le comité (facultatif)")
        self.conditions.setPlainText(self.form.conditions or "")
        add_row(form, "&Conditions :", self.conditions)
        self.motivation = _text_edit(
            "Motivation de la révision", "Obligatoire : pourquoi la décision change (recours, budget revu…)"
        )
        add_row(form, "&Motivation de la révision * :", self.motivation)
        self.derogation = _text_edit(
            "Motivation de dérogation",
            "Seulement si une enveloppe est dépassée : pourquoi le comité déroge à l'enveloppe",
            48,
        )
        add_row(form, "Dé&rogation à l'enveloppe :", self.derogation)
        if self.form.lettre_generee:
            letter = QLabel(
                f"<span style='color:{WARNING_COLOUR}'>⚠ Une lettre a déjà été générée pour ce dossier : "
                "elle passera « À refaire ».</span>"
            )
            letter.setAccessibleName("Lettre à refaire")
            letter.setWordWrap(True)
            form.addRow(letter)
        return host

    # --- behaviour --------------------------------------------------------------------------

    def _decision_changed(self, *_args: object) -> None:
        retenu = self.decision.currentData() == "retenu"
        for edit in self.amounts.values():
            edit.setEnabled(retenu)
        self._update_total()

    def _update_total(self, *_args: object) -> None:
        if self.decision.currentData() != "retenu":
            self.total.setText(f"<span style='{MUTED}'>Aucun montant voté pour cette décision</span>")
            return
        total = sum(edit.cents() or 0 for edit in self.amounts.values())
        over = total > self.form.cout_total_cents
        colour = f"color:{ERROR_COLOUR}" if over else ""
        self.total.setText(
            f"<span style='{colour}'>Total voté : <b>{format_amount(total)}</b>"
            + (" — dépasse le coût total" if over else "")
            + "</span>"
        )

    def votes(self) -> dict[int, int]:
        if self.decision.currentData() != "retenu":
            return {}
        return {fid: cents for fid, edit in self.amounts.items() if (cents := edit.cents())}

    def save(self) -> bool:
        problems = []
        for fid, edit in self.amounts.items():
            problem = edit.problem() if edit.isEnabled() else None
            mark_invalid(edit, problem)
            if problem:
                nom = next(m.nom for m in self.form.montants if m.financeur_id == fid)
                problems.append(f"montant voté {nom} : {problem}")
        if problems:
            self._error(problems)
            return False
        try:
            self.result_data = self.service.revise_decision(
                self.form.dossier_id,
                self.form.version,
                str(self.decision.currentData()),
                self.votes(),
                self.conditions.toPlainText(),
                self.motivation.toPlainText(),
                self.derogation.toPlainText(),
            )
        except ValidationError as exc:
            self._error(exc.problems)
            return False
        except UserError as exc:
            self._error([exc.message])
            return False
        self.accept()
        return True

    def message_text(self) -> str:
        return self.message.text()

    def _error(self, problems: list[str]) -> None:
        self.message.setText(
            "<br>".join(f"<span style='color:{ERROR_COLOUR}'>✗ {html.escape(p)}</span>" for p in problems)
        )
        self.message.show()
