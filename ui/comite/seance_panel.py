"""The séance's decision panel (see `ui/comite/seance.py`): Retenu / Ajourné / Refusé, voté per
financeur prefilled with the proposé, conditions, motivation, « Valider la décision »; a decided
point shows its decision, its history and « Modifier la décision »."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount, parse_amount
from instructeur.errors import UserError
from instructeur.services.comites import (
    PointRow,
)
from ui.comite import DECISION_LABELS, decision_icon
from ui.comite.seance_widgets import (
    AVIS_LABELS,
    DECISION_COLORS,
    TEXT,
    Draft,
    _amount_text,
)
from ui.inputs import AmountEdit


class DecisionPanel(QFrame):
    """Retenu / Ajourné / Refusé, voté per financeur, conditions, motivation, « Valider »."""

    validate_requested = Signal()
    revise_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPanel")
        self.setAccessibleName("Décision du comité")
        self._point: PointRow | None = None
        self._editing = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)

        self.title = QLabel("Décision")
        self.title.setObjectName("panelTitle")
        layout.addWidget(self.title)

        # Read-only view of a decided point.
        self.summary = QLabel()
        self.summary.setObjectName("decisionSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Décision enregistrée")
        self.revise_button = QPushButton("&Modifier la décision")
        self.revise_button.setObjectName("reviseButton")
        self.revise_button.setAccessibleName("Modifier la décision")
        self.revise_button.clicked.connect(self.revise_requested)
        layout.addWidget(self.summary)
        layout.addWidget(self.revise_button)

        # The editor.
        self.editor = QWidget()
        ed = QVBoxLayout(self.editor)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.setSpacing(8)
        ed.addLayout(self._build_decision_buttons())
        self._build_votes(ed)
        ed.addLayout(self._build_texts())

        self.validate_button = QPushButton("Valider la décision (Ctrl+Entrée)")
        self.validate_button.setObjectName("validateButton")
        self.validate_button.setAccessibleName("Valider la décision")
        self.validate_button.clicked.connect(self.validate_requested)
        ed.addWidget(self.validate_button)
        layout.addWidget(self.editor)

        self._build_footer(layout)
        self.cancel_button = QPushButton("Annuler la modification")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cancel_button.hide()
        ed.addWidget(self.cancel_button)

    def _build_decision_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.decision_buttons: dict[str, QPushButton] = {}
        for key, text, shortcut in (
            ("retenu", f"{decision_icon('retenu')} Retenu", "R"),
            ("ajourne", f"{decision_icon('ajourne')} Ajourné", "J"),
            ("refuse", f"{decision_icon('refuse')} Refusé", "F"),
        ):
            b = QPushButton(f"{text}\n({shortcut})")
            b.setObjectName(f"decision_{key}")
            b.setCheckable(True)
            b.setAccessibleName(f"{DECISION_LABELS[key]} (touche {shortcut})")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.group.addButton(b)
            self.decision_buttons[key] = b
            buttons.addWidget(b)
            b.toggled.connect(self._on_decision_toggled)
        return buttons

    def _build_votes(self, ed: QVBoxLayout) -> None:
        """The proposal line, « Accepter la proposition », voté per financeur and its total."""
        self.proposal = QLabel()
        self.proposal.setObjectName("proposalLine")
        self.proposal.setWordWrap(True)
        ed.addWidget(self.proposal)
        self.accept_button = QPushButton("Accepter la proposition (A)")
        self.accept_button.setObjectName("acceptButton")
        self.accept_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        ed.addWidget(self.accept_button)

        self.votes_box = QWidget()
        self.votes_grid = QGridLayout(self.votes_box)
        self.votes_grid.setContentsMargins(0, 0, 0, 0)
        self.votes_grid.setHorizontalSpacing(10)
        self.votes_grid.setVerticalSpacing(4)
        self.vote_edits: dict[int, AmountEdit] = {}
        self.total_label = QLabel()
        self.total_label.setObjectName("voteTotal")
        ed.addWidget(self.votes_box)
        ed.addWidget(self.total_label)

    def _build_texts(self) -> QGridLayout:
        texts = QGridLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setHorizontalSpacing(10)
        texts.setVerticalSpacing(4)
        cond_label = QLabel("Conditions")
        self.conditions = QLineEdit()
        self.conditions.setAccessibleName("Conditions")
        self.conditions.setPlaceholderText("ex. convention, bilan intermédiaire")
        cond_label.setBuddy(self.conditions)
        mot_label = QLabel("Motivation")
        self.motivation = QPlainTextEdit()
        self.motivation.setAccessibleName("Motivation")
        self.motivation.setPlaceholderText("obligatoire si ajourné ou refusé")
        self.motivation.setTabChangesFocus(True)
        self.motivation.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        mot_label.setBuddy(self.motivation)
        texts.addWidget(cond_label, 0, 0)
        texts.addWidget(self.conditions, 0, 1)
        texts.addWidget(mot_label, 1, 0, Qt.AlignmentFlag.AlignTop)
        texts.addWidget(self.motivation, 1, 1)
        texts.setColumnStretch(1, 1)
        return texts

    def _build_footer(self, layout: QVBoxLayout) -> None:
        """Inline message, decision history, keys hint."""
        self.message = QLabel()
        self.message.setObjectName("inlineMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()
        layout.addWidget(self.message)

        self.history = QLabel()
        self.history.setObjectName("historyText")
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Historique de la décision")
        self.history.hide()
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.keys_label = QLabel(
            "Touches : ← → dossier · A proposition · R J F décision · Ctrl+Entrée valider · Échap"
        )
        self.keys_label.setObjectName("keysHint")
        self.keys_label.setWordWrap(True)
        layout.addWidget(self.keys_label)

    # --- state -------------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self._editing

    @property
    def decision(self) -> str | None:
        for key, b in self.decision_buttons.items():
            if b.isChecked():
                return key
        return None

    def set_decision(self, key: str | None) -> None:
        if key is None:
            self.group.setExclusive(False)
            for b in self.decision_buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)
        else:
            self.decision_buttons[key].setChecked(True)
        self._on_decision_toggled()

    def _on_decision_toggled(self, *_args: object) -> None:
        retenu = self.decision in (None, "retenu")
        for edit in self.vote_edits.values():
            edit.setEnabled(retenu)
        self._update_total()

    def show_message(self, text: str, *, kind: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))
        if text:
            # On a 1366×768 screen the panel scrolls: bring the message into view once laid out.
            QTimer.singleShot(0, self, self._reveal_message)

    def _reveal_message(self) -> None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea) and self.message.isVisible():
            parent.ensureWidgetVisible(self.message, 0, 8)

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    def load(self, point: PointRow, draft: Draft | None, history: list[str]) -> None:
        """Show `point`: its decision if decided (read-only), else the editor with `draft` or the proposé."""
        self._point = point
        self.clear_message()
        self._build_vote_fields(point)
        self.history.setText("\n".join(history))
        self.history.setVisible(bool(history))
        if point.decision is not None and draft is None:
            self._show_decided(point)
        else:
            self._show_editor(point, draft)

    def _build_vote_fields(self, point: PointRow) -> None:
        while self.votes_grid.count():
            item = self.votes_grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.vote_edits = {}
        lines = [m for m in point.montants if m.demande_cents or m.propose_cents or m.vote_cents]
        head = QLabel("Voté")
        head.setObjectName("votesHead")
        self.votes_grid.addWidget(head, 0, 0, 1, 2)
        for n, m in enumerate(lines, start=1):
            label = QLabel(m.code or m.nom)
            label.setToolTip(m.nom)
            edit = AmountEdit(f"Voté {m.nom}", zero_as_empty=False)  # selects all on focus
            edit.setObjectName(f"vote_{m.financeur_id}")
            edit.textChanged.connect(self._update_total)
            label.setBuddy(edit)
            self.votes_grid.addWidget(label, n, 0)
            self.votes_grid.addWidget(edit, n, 1)
            self.vote_edits[m.financeur_id] = edit
        self.votes_grid.setColumnStretch(1, 1)

    def _show_decided(self, point: PointRow) -> None:
        self._editing = False
        self.editor.hide()
        self.summary.show()
        self.revise_button.show()
        decision = point.decision or ""
        lines = [f"{decision_icon(decision)} {DECISION_LABELS.get(decision, decision)}"]
        voted = [m for m in point.montants if m.vote_cents]
        if decision == "retenu":
            for m in voted:
                lines.append(f"{m.code or m.nom} : {format_amount(m.vote_cents or 0)}")
            lines.append(f"Total voté : {format_amount(sum(m.vote_cents or 0 for m in voted))}")
        if point.conditions:
            lines.append(f"Conditions : {point.conditions}")
        if point.motivation:
            lines.append(f"Motivation : {point.motivation}")
        self.summary.setText("\n".join(lines))
        self.summary.setStyleSheet(f"color: {DECISION_COLORS.get(decision, TEXT)};")

    def _show_editor(self, point: PointRow, draft: Draft | None) -> None:
        self._editing = True
        self.summary.hide()
        self.revise_button.hide()
        self.editor.show()
        self.cancel_button.setVisible(point.decision is not None)
        proposed = [m for m in point.montants if m.propose_cents]
        if proposed:
            total = sum(m.propose_cents or 0 for m in proposed)
            avis = AVIS_LABELS.get(point.avis or "", point.avis or "sans avis")
            self.proposal.setText(f"Proposition : avis {avis}, {format_amount(total)}")
        else:
            self.proposal.setText("Pas de montant proposé par l'instruction")
        if draft is None:
            if point.decision is not None:  # revision: start from the recorded decision
                draft = Draft(
                    point.decision,
                    {m.financeur_id: _amount_text(m.vote_cents) for m in point.montants if m.vote_cents},
                    point.conditions or "",
                    point.motivation or "",
                )
            else:
                draft = Draft(None, {m.financeur_id: _amount_text(m.propose_cents) for m in point.montants})
        for fid, edit in self.vote_edits.items():
            edit.setText(draft.votes.get(fid, ""))
        self.conditions.setText(draft.conditions)
        self.motivation.setPlainText(draft.motivation)
        self.set_decision(draft.decision)

    def start_revision(self) -> None:
        if self._point is not None:
            self._show_editor(self._point, None)

    def draft(self) -> Draft:
        return Draft(
            self.decision,
            {fid: e.text() for fid, e in self.vote_edits.items()},
            self.conditions.text(),
            self.motivation.toPlainText(),
        )

    def is_dirty(self) -> bool:
        """Something differs from what the point shows when loaded (a draft worth keeping)."""
        p = self._point
        if p is None or not self._editing:
            return False
        d = self.draft()
        if p.decision is not None:
            return True  # a revision in progress
        default = {m.financeur_id: _amount_text(m.propose_cents) for m in p.montants}
        same_votes = all(d.votes.get(fid, "") == default.get(fid, "") for fid in self.vote_edits)
        return d.decision is not None or not same_votes or bool(d.conditions or d.motivation)

    def accept_proposal(self) -> None:
        p = self._point
        if p is None:
            return
        if not self._editing:
            self.start_revision()
        for m in p.montants:
            edit = self.vote_edits.get(m.financeur_id)
            if edit is not None:
                edit.setText(_amount_text(m.propose_cents))
        self.set_decision("retenu")

    def choose(self, key: str) -> None:
        if not self._editing:
            self.start_revision()
        self.set_decision(key)
        if key != "retenu":
            self.motivation.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def votes(self) -> dict[int, int]:
        """Voté per financeur in cents (raises UserError naming the financeur for an unreadable amount)."""
        result: dict[int, int] = {}
        if self.decision != "retenu":
            return result
        for fid, edit in self.vote_edits.items():
            text = edit.text().strip()
            if not text:
                continue
            try:
                result[fid] = parse_amount(text)
            except UserError as exc:
                edit.setFocus(Qt.FocusReason.OtherFocusReason)
                raise UserError(f"{edit.accessibleName()} : {exc.message}") from exc
        return result

    def _update_total(self, *_args: object) -> None:
        if self.decision not in (None, "retenu"):
            self.total_label.setText("Aucun montant voté")
            return
        total, bad = 0, False
        for edit in self.vote_edits.values():
            text = edit.text().strip()
            if text:
                try:
                    total += parse_amount(text)
                except UserError:
                    bad = True
        self.total_label.setText(
            "Total voté : montant illisible" if bad else f"Total voté : {format_amount(total)}"
        )


# --- the live bar ------------------------------------------------------------------------------
