"""Séance du comité des financeurs: the projector mode.

A full-screen window read by a room: large type computed from the window height (≥ 16 pt at
1920×1080, scaled down at 1366×768), dark text on white, figures never in pale grey, red only for
an exceeded enveloppe.

* top bar: the comité, its date, « Dossier 7 / 30 », how many are decided;
* left: the ordre du jour with a decision icon per point (✓ retenu, ⏸ ajourné, ✗ refusé), a click
  jumps to the point;
* centre: the current dossier (porteur, intitulé, quartiers, public F/H, coût total, financeurs with
  demandé / proposé / voté, score /20 and spread, cotation F/H, avis, earlier funding, members in
  conflict);
* right: the decision panel (Retenu / Ajourné / Refusé, voté per financeur prefilled with the
  proposé, conditions, motivation, « Valider la décision »); a decided point shows its decision, its
  history, and « Modifier la décision »;
* bottom: the live bar (enveloppe / voté / reste per financeur, € demandé and voté per cotation F/H),
  redrawn from the `Tableau` returned by each decision.

Keyboard: → / Page suivante next, ← / Page précédente previous, A accept the proposal, R / J / F
retenu / ajourné / refusé, Ctrl+Entrée validate, Échap leave full screen (then close, confirmed).
Every decision is saved at once by `ComiteService.decide`; a refusal is shown inline, in French,
and the panel keeps what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QKeySequence, QPainter, QPen, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount, parse_amount
from instructeur.errors import UserError, ValidationError
from instructeur.services.comites import (
    ComiteRow,
    ComiteService,
    DecisionResult,
    EnveloppeState,
    FinanceurMontants,
    PointRow,
    Tableau,
)
from instructeur.services.synthese import cotation_label
from instructeur.storage.db import Database
from ui.charts import COLORS, euros
from ui.comite import DECISION_KEYS, DECISION_LABELS, comite_title, decision_icon
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_LEFT, ALIGN_RIGHT, Column, RowTableModel

__all__ = [
    "AgendaListModel",
    "DecisionPanel",
    "LiveBar",
    "MontantsModel",
    "EnveloppeTile",
    "SeanceWindow",
    "base_point_size",
    "open_seance_window",
]

NBSP = "\u00a0"
TEXT = "#111111"
INK = "#0b1f33"  # top bar background
OVER = "#b00020"  # exceeded enveloppe only
WARN_BG, WARN_FG = "#fff1c2", "#4a3000"  # conflicts, inline messages
DECISION_COLORS = {"retenu": "#1b5e20", "ajourne": "#7a4b00", "refuse": "#37474f"}
AVIS_LABELS = {"favorable": "favorable", "reserve": "réservé", "defavorable": "défavorable"}


def base_point_size(width: int, height: int) -> float:
    """Base font of the séance: 17 pt at 1920×1080, proportionally smaller on smaller screens."""
    scale = min(height / 1080, width / 1920)
    return max(10.0, round(17.0 * scale, 1))


def _decimal(value: Any, digits: int = 1) -> str:
    return f"{float(value):.{digits}f}".replace(".", ",")


def _short_name(nom: str) -> str:
    """« État — Préfecture (crédits politique de la ville) » → without the parenthesis."""
    return nom.split(" (", 1)[0].strip() or nom


def _amount_text(cents: int | None) -> str:
    return "" if cents is None else format_amount(cents)


# --- models ------------------------------------------------------------------------------------


class AgendaListModel(QAbstractListModel):
    """The ordre du jour, one line per point: « ✓ 7. Porteur — référence »."""

    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PointRow] = []

    def set_rows(self, rows: list[PointRow]) -> None:
        self.beginResetModel()
        try:
            self._rows = list(rows)
        finally:
            self.endResetModel()

    def replace(self, row: int, point: PointRow) -> None:
        self._rows[row] = point
        ix = self.index(row, 0)
        self.dataChanged.emit(ix, ix)

    @property
    def rows(self) -> list[PointRow]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            icon = decision_icon(p.decision)
            return f"{icon}  {index.row() + 1}. {p.porteur}"
        if role == Qt.ItemDataRole.ToolTipRole:
            state = DECISION_LABELS.get(p.decision or "", "à décider")
            return f"{p.reference} — {p.intitule} ({state})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = DECISION_LABELS.get(p.decision or "", "à décider")
            return f"Point {index.row() + 1} : {p.porteur}, {state}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(DECISION_COLORS.get(p.decision or "", TEXT))
        if role == self.RowRole:
            return p
        return None


def _bold(font_source: QFont) -> QFont:
    f = QFont(font_source)
    f.setBold(True)
    return f


_MONTANT_COLUMNS: tuple[Column[FinanceurMontants], ...] = (
    Column("financeur", "Financeur", lambda m: _short_name(m.nom), ALIGN_LEFT, stretch=1),
    Column("demande", "Demandé", lambda m: m.demande_cents, ALIGN_RIGHT, format_amount),
    Column("propose", "Proposé", lambda m: m.propose_cents, ALIGN_RIGHT, format_amount),
    Column("vote", "Voté", lambda m: m.vote_cents, ALIGN_RIGHT, format_amount),
)


class MontantsModel(RowTableModel[FinanceurMontants]):
    """Financeurs of the current dossier with demandé / proposé / voté, and a bold total line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_MONTANT_COLUMNS, parent)

    def set_point(self, point: PointRow | None) -> None:
        if point is None:
            self.set_rows([])
            return
        lines = [m for m in point.montants if m.demande_cents or m.propose_cents or m.vote_cents]
        total = FinanceurMontants(
            0,
            "",
            "Total",
            sum(m.demande_cents for m in lines),
            sum(m.propose_cents or 0 for m in lines)
            if any(m.propose_cents is not None for m in lines)
            else None,
            sum(m.vote_cents or 0 for m in lines) if any(m.vote_cents is not None for m in lines) else None,
        )
        self.set_rows([*lines, total] if len(lines) > 1 else lines)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            row = self.row_at(index.row()) if 0 <= index.row() < self.rowCount() else None
            if row is not None and row.financeur_id == 0:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class ElidedLabel(QLabel):
    """A one-line label that gives up room (« … ») instead of widening the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            rect = self.contentsRect()
            text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        finally:
            painter.end()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()


# --- the decision panel ------------------------------------------------------------------------


@dataclass
class Draft:
    """What is typed in the panel for one point (kept when moving to another point)."""

    decision: str | None = None
    votes: dict[int, str] = field(default_factory=dict)
    conditions: str = ""
    motivation: str = ""


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
        ed.addLayout(buttons)

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
        self.vote_edits: dict[int, QLineEdit] = {}
        self.total_label = QLabel()
        self.total_label.setObjectName("voteTotal")
        ed.addWidget(self.votes_box)
        ed.addWidget(self.total_label)

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
        ed.addLayout(texts)

        self.validate_button = QPushButton("Valider la décision (Ctrl+Entrée)")
        self.validate_button.setObjectName("validateButton")
        self.validate_button.setAccessibleName("Valider la décision")
        self.validate_button.clicked.connect(self.validate_requested)
        ed.addWidget(self.validate_button)
        layout.addWidget(self.editor)

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
        self.cancel_button = QPushButton("Annuler la modification")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cancel_button.hide()
        ed.addWidget(self.cancel_button)

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
            edit = QLineEdit()
            edit.setObjectName(f"vote_{m.financeur_id}")
            edit.setAccessibleName(f"Voté {m.nom}")
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit.setPlaceholderText("0")
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


class MiniBullet(QWidget):
    """One financeur's bullet bar: the enveloppe as a track, the voté over it, red beyond it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vote = 0
        self.enveloppe = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, vote: int, enveloppe: int) -> None:
        self.vote, self.enveloppe = vote, enveloppe
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(80, max(12, self.fontMetrics().height() // 2))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        try:
            r = self.rect().adjusted(1, 1, -2, -1)
            top = max(self.vote, self.enveloppe, 1)

            def w(v: int) -> int:
                return round(r.width() * max(v, 0) / top)

            if self.enveloppe > 0:
                p.setPen(QPen(COLORS["track_border"], 1))
                p.setBrush(COLORS["track"])
                p.drawRect(QRect(r.left(), r.top(), w(self.enveloppe), r.height()))
            inner = r.adjusted(0, 3, 0, -3)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(COLORS["vote"])
            within = min(self.vote, self.enveloppe) if self.enveloppe > 0 else self.vote
            p.drawRect(QRect(inner.left(), inner.top(), w(within), inner.height()))
            if self.enveloppe > 0 and self.vote > self.enveloppe:
                p.setBrush(QColor(OVER))
                p.drawRect(
                    QRect(
                        inner.left() + w(self.enveloppe),
                        inner.top(),
                        w(self.vote) - w(self.enveloppe),
                        inner.height(),
                    )
                )
            if self.enveloppe > 0:
                p.setPen(QPen(QColor(TEXT), 2))
                x = r.left() + w(self.enveloppe)
                p.drawLine(x, r.top() - 1, x, r.bottom() + 1)
        finally:
            p.end()


class EnveloppeTile(QFrame):
    """« ETAT », the bullet bar, « 24 400 € / 916 000 € », « reste 891 600 € » (red when exceeded)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enveloppeTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(1)
        self.code = QLabel()
        self.code.setObjectName("tileCode")
        self.bar = MiniBullet()
        self.figures = QLabel()
        self.figures.setObjectName("tileFigures")
        self.reste = QLabel()
        self.reste.setObjectName("tileReste")
        for w in (self.code, self.bar, self.figures, self.reste):
            layout.addWidget(w)
        self.state: EnveloppeState | None = None

    def set_state(self, e: EnveloppeState) -> None:
        self.state = e
        self.code.setText(e.code or e.nom)
        self.bar.set_values(e.vote_cents, e.enveloppe_cents)
        if e.enveloppe_cents > 0:
            self.figures.setText(f"{euros(e.vote_cents)} / {euros(e.enveloppe_cents)}")
            if e.exceeded:
                self.reste.setText(f"dépassé de {euros(-e.reste_cents)}")
            else:
                self.reste.setText(f"reste {euros(e.reste_cents)}")
        else:
            self.figures.setText(f"{euros(e.vote_cents)} voté")
            self.reste.setText("sans enveloppe")
        self.reste.setProperty("exceeded", "true" if e.exceeded else "false")
        self.reste.style().unpolish(self.reste)
        self.reste.style().polish(self.reste)
        text = (
            f"{e.nom} : enveloppe {format_amount(e.enveloppe_cents)}, voté {format_amount(e.vote_cents)}, "
            f"reste {format_amount(e.reste_cents)}" + (" — enveloppe dépassée" if e.exceeded else "")
        )
        self.setToolTip(text)
        self.setAccessibleName(text)


class LiveBar(QFrame):
    """Enveloppe / voté / reste per financeur (tiles with a bullet bar) and € per cotation F/H."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveBar")
        self.setAccessibleName("Enveloppes et cotation F/H en direct")
        self.tableau: Tableau | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(2)
        self.summary = QLabel()
        self.summary.setObjectName("liveSummary")
        self.summary.setAccessibleName("Total voté")
        left.addWidget(self.summary)
        self.tiles_grid = QGridLayout()
        self.tiles_grid.setHorizontalSpacing(6)
        self.tiles_grid.setVerticalSpacing(4)
        left.addLayout(self.tiles_grid)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.tiles: list[EnveloppeTile] = []

        right = QVBoxLayout()
        right.setSpacing(1)
        head = QLabel("Cotation F/H : demandé → voté")
        head.setObjectName("liveHead")
        right.addWidget(head)
        self.cotation_box = QWidget()
        self.cotation_grid = QGridLayout(self.cotation_box)
        self.cotation_grid.setContentsMargins(0, 0, 0, 0)
        self.cotation_grid.setHorizontalSpacing(14)
        self.cotation_grid.setVerticalSpacing(1)
        right.addWidget(self.cotation_box)
        right.addStretch(1)
        layout.addLayout(right)
        self.cotation_labels: list[tuple[QLabel, QLabel, QLabel]] = []

    def set_tableau(self, t: Tableau) -> None:
        self.tableau = t
        self.summary.setText(
            f"Voté : {euros(t.total_vote_cents)}   ·   {t.nb_decides} / {t.nb_points} dossiers décidés"
        )
        shown = [e for e in t.enveloppes if e.enveloppe_cents > 0 or e.vote_cents > 0]
        while len(self.tiles) < len(shown):
            self.tiles.append(EnveloppeTile())
        while len(self.tiles) > len(shown):
            tile = self.tiles.pop()
            tile.setParent(None)
            tile.deleteLater()
        for tile, e in zip(self.tiles, shown, strict=True):
            tile.set_state(e)
        self.layout_tiles()

        while self.cotation_grid.count():
            item = self.cotation_grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.cotation_labels = []
        for col, text in enumerate(("", "Demandé", "Voté")):
            h = QLabel(text)
            h.setObjectName("cotationHead")
            h.setAlignment(Qt.AlignmentFlag.AlignRight if col else Qt.AlignmentFlag.AlignLeft)
            self.cotation_grid.addWidget(h, 0, col)
        for n, c in enumerate(t.cotations, start=1):
            name = f"Niveau {c.niveau}" if c.niveau is not None else "Non cotée"
            labels = (QLabel(name), QLabel(euros(c.demande_cents)), QLabel(euros(c.vote_cents)))
            for col, lab in enumerate(labels):
                lab.setObjectName("cotationCell")
                lab.setToolTip(c.label)
                if col:
                    lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.cotation_grid.addWidget(lab, n, col)
            self.cotation_labels.append(labels)

    def layout_tiles(self) -> None:
        """As many tiles per line as the width allows (one line on a wide screen, else balanced lines)."""
        for tile in self.tiles:
            self.tiles_grid.removeWidget(tile)
        if not self.tiles:
            return
        fm = self.fontMetrics()
        tile_w = fm.horizontalAdvance("dépassé de 888 888 €") + 18
        width = self.width() if self.isVisible() else self.window().width() - 20
        available = max(width - 380, tile_w)
        per_line = max(1, min(len(self.tiles), available // tile_w))
        lines = -(-len(self.tiles) // per_line)
        per_line = -(-len(self.tiles) // lines)
        for n, tile in enumerate(self.tiles):
            self.tiles_grid.addWidget(tile, n // per_line, n % per_line)
        for col in range(per_line):
            self.tiles_grid.setColumnStretch(col, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.layout_tiles()

    def enveloppe_texts(self) -> list[tuple[str, str, str]]:
        return [(t.code.text(), t.figures.text(), t.reste.text()) for t in self.tiles]


# --- the window --------------------------------------------------------------------------------


class SeanceWindow(QWidget):
    """The projector mode of one comité (`open_seance_window` opens it, in full screen)."""

    decided = Signal(int)  # point id, after each decision saved
    closed = Signal()

    def __init__(
        self,
        db: Database,
        comite_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("seanceWindow")
        self.setAccessibleName("Séance du comité")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self.service = ComiteService(db, user)
        self.comite_id = comite_id
        self.comite: ComiteRow | None = None
        self.current = -1
        self.drafts: dict[int, Draft] = {}
        self._base_pt = 0.0
        self.setAutoFillBackground(True)

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_top_bar())
        body = QHBoxLayout()
        body.setContentsMargins(10, 8, 10, 4)
        body.setSpacing(12)
        self.agenda_model = AgendaListModel(self)
        self.agenda = QListView()
        self.agenda.setObjectName("agendaList")
        self.agenda.setAccessibleName("Ordre du jour")
        self.agenda.setModel(self.agenda_model)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys belong to the séance
        self.agenda.setUniformItemSizes(True)
        self.agenda.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.agenda.clicked.connect(lambda ix: self.go_to(ix.row()))
        body.addWidget(self.agenda, 20)

        self.centre = self._build_centre()
        scroll = QScrollArea()
        scroll.setObjectName("centreScroll")
        scroll.setWidget(self.centre)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.centre_scroll = scroll
        body.addWidget(scroll, 47)

        self.panel = DecisionPanel()
        self.panel.validate_requested.connect(self.validate)
        self.panel.revise_requested.connect(self.revise)
        self.panel.accept_button.clicked.connect(self.accept_proposal)
        self.panel.cancel_button.clicked.connect(self.cancel_revision)
        panel_scroll = QScrollArea()
        panel_scroll.setObjectName("panelScroll")
        panel_scroll.setWidget(self.panel)
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll = panel_scroll
        body.addWidget(panel_scroll, 33)
        root.addLayout(body, 1)

        self.live = LiveBar()
        root.addWidget(self.live)
        self._build_shortcuts()
        self.resize(self.sizeHint())  # fonts and tiles are computed for a real screen, not 640×480
        self.reload()
        self.apply_scale()

    # --- construction ------------------------------------------------------------------------

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("topBar")
        bar.setAutoFillBackground(True)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(16, 8, 16, 8)
        self.title_label = ElidedLabel()
        self.title_label.setObjectName("topTitle")
        self.title_label.setAccessibleName("Comité")
        self.position_label = QLabel()
        self.position_label.setObjectName("topPosition")
        self.position_label.setAccessibleName("Position dans l'ordre du jour")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("topProgress")
        self.progress_label.setAccessibleName("Dossiers décidés")
        layout.addWidget(self.title_label, 1)
        layout.addSpacing(24)
        layout.addWidget(self.progress_label)
        layout.addSpacing(24)
        layout.addWidget(self.position_label)
        self.top_bar = bar
        return bar

    def _build_centre(self) -> QWidget:
        w = QWidget()
        w.setObjectName("centre")
        layout = QVBoxLayout(w)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(8)
        self.porteur_label = QLabel()
        self.porteur_label.setObjectName("porteurTitle")
        self.porteur_label.setWordWrap(True)
        self.porteur_label.setAccessibleName("Porteur")
        self.intitule_label = QLabel()
        self.intitule_label.setObjectName("intituleTitle")
        self.intitule_label.setWordWrap(True)
        self.intitule_label.setAccessibleName("Intitulé")
        layout.addWidget(self.porteur_label)
        layout.addWidget(self.intitule_label)

        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("conflictWarning")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setAccessibleName("Conflits d'intérêts")
        layout.addWidget(self.conflict_label)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        self.facts: dict[str, QLabel] = {}
        for n, (key, caption) in enumerate(
            (
                ("quartiers", "Quartiers"),
                ("public", "Public prévu"),
                ("cout", "Coût total"),
                ("axe", "Axe"),
                ("score", "Score"),
                ("cotation", "Cotation F/H"),
                ("avis", "Avis"),
            )
        ):
            cap = QLabel(caption)
            cap.setObjectName("factCaption")
            value = QLabel()
            value.setObjectName("factValue")
            value.setWordWrap(True)
            value.setAccessibleName(caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(cap, n, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, n, 1)
            self.facts[key] = value
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        self.montants_model = MontantsModel(self)
        self.montants = QTableView()
        self.montants.setObjectName("montantsTable")
        self.montants.setAccessibleName("Financeurs : demandé, proposé, voté")
        self.montants.setModel(self.montants_model)
        self.montants.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.montants.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.montants.verticalHeader().setVisible(False)
        self.montants.setShowGrid(False)
        self.montants.setAlternatingRowColors(True)
        self.montants.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.montants.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hh = self.montants.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.montants)

        self.historique_label = QLabel()
        self.historique_label.setObjectName("historiqueText")
        self.historique_label.setWordWrap(True)
        self.historique_label.setAccessibleName("Financements des années précédentes")
        layout.addWidget(self.historique_label)
        layout.addStretch(1)
        return w

    def _build_shortcuts(self) -> None:
        self.shortcuts: dict[str, QShortcut] = {}

        def add(name: str, keys: tuple[QKeySequence | str, ...], slot: Any) -> None:
            for n, key in enumerate(keys):
                sc = QShortcut(QKeySequence(key), self)
                sc.activated.connect(slot)
                self.shortcuts[f"{name}{n or ''}"] = sc

        add("next", ("Right", "PgDown"), self.next_point)
        add("previous", ("Left", "PgUp"), self.previous_point)
        add("accept", ("A",), self.accept_proposal)
        add("retenu", ("R",), lambda: self.choose("retenu"))
        add("ajourne", ("J",), lambda: self.choose("ajourne"))
        add("refuse", ("F",), lambda: self.choose("refuse"))
        add("validate", ("Ctrl+Return", "Ctrl+Enter"), self.validate)
        add("escape", ("Escape",), self.escape)

    # --- scale and style ---------------------------------------------------------------------

    @property
    def base_pt(self) -> float:
        return self._base_pt

    def apply_scale(self) -> None:
        """Fonts and paddings from the window size (called on every resize that changes them)."""
        pt = base_point_size(max(self.width(), 1), max(self.height(), 1))
        if abs(pt - self._base_pt) < 0.05:
            return
        self._base_pt = pt
        font = QFont(self.font())
        font.setPointSizeF(pt)
        self.setFont(font)
        self.setStyleSheet(_style(pt))
        self._fit_montants()
        self._fit_panel()

    def _fit_panel(self) -> None:
        """The decision panel never scrolls sideways; the motivation shows three lines."""
        fm = self.panel.fontMetrics()
        self.panel.motivation.setFixedHeight(fm.lineSpacing() * 3 + 12)
        self.panel.ensurePolished()
        width = (
            self.panel.minimumSizeHint().width()
            + self.panel_scroll.verticalScrollBar().sizeHint().width()
            + 4
        )
        self.panel_scroll.setMinimumWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.apply_scale()

    def _fit_montants(self) -> None:
        rows = self.montants_model.rowCount()
        fm = self.montants.fontMetrics()
        row_h = fm.height() + 10
        self.montants.verticalHeader().setDefaultSectionSize(row_h)
        header_h = self.montants.horizontalHeader().sizeHint().height()
        self.montants.setFixedHeight(header_h + rows * row_h + 4)

    # --- data --------------------------------------------------------------------------------

    @property
    def points(self) -> list[PointRow]:
        return self.agenda_model.rows

    @property
    def point(self) -> PointRow | None:
        rows = self.agenda_model.rows
        return rows[self.current] if 0 <= self.current < len(rows) else None

    def reload(self) -> None:
        comite, _membres = self.service.get(self.comite_id)
        self.comite = comite
        keep = self.point.id if self.point is not None else None
        points = self.service.agenda(self.comite_id)
        self.agenda_model.set_rows(points)
        title = comite_title(comite)
        if comite.lieu:
            title += f" — {comite.lieu}"
        self.title_label.setText(title)
        self.setWindowTitle(f"Séance — {title}")
        self.live.set_tableau(self.service.tableau(self.comite_id))
        index = next((n for n, p in enumerate(points) if p.id == keep), None)
        if index is None:  # start at the first point without a decision
            index = next((n for n, p in enumerate(points) if p.decision is None), 0)
        self.current = -1
        self.go_to(index if points else -1)

    def go_to(self, row: int) -> None:
        """Show the point at `row` (the panel's draft of the point left is kept)."""
        rows = self.agenda_model.rows
        if not rows:
            self.current = -1
            self._show_point(None)
            return
        row = max(0, min(row, len(rows) - 1))
        if row == self.current:
            return
        self._keep_draft()
        self.current = row
        self._show_point(rows[row])

    def _keep_draft(self) -> None:
        p = self.point
        if p is None:
            return
        if self.panel.is_dirty():
            self.drafts[p.id] = self.panel.draft()
        else:
            self.drafts.pop(p.id, None)

    def next_point(self) -> None:
        self.go_to(self.current + 1)

    def previous_point(self) -> None:
        self.go_to(self.current - 1)

    def _history_lines(self, p: PointRow) -> list[str]:
        if p.decision is None:
            return []
        try:
            history = self.service.decision_history(p.id)
        except UserError:
            return []
        return [f"{when:%d/%m/%Y %H:%M} — {who} : {text}" for when, who, text in history]

    def _show_point(self, p: PointRow | None) -> None:
        n = len(self.agenda_model.rows)
        decided = sum(1 for r in self.agenda_model.rows if r.decision)
        self.progress_label.setText(f"{decided} / {n} décidés")
        if p is None:
            self.position_label.setText("Ordre du jour vide")
            self.porteur_label.setText("Aucun dossier à l'ordre du jour")
            self.intitule_label.clear()
            self.conflict_label.hide()
            for v in self.facts.values():
                v.clear()
            self.montants_model.set_point(None)
            self.historique_label.clear()
            self.panel.setEnabled(False)
            return
        self.panel.setEnabled(True)
        self.position_label.setText(f"Dossier {self.current + 1} / {n}")
        ix = self.agenda_model.index(self.current, 0)
        self.agenda.setCurrentIndex(ix)
        self.agenda.scrollTo(ix, QAbstractItemView.ScrollHint.EnsureVisible)
        self.porteur_label.setText(p.porteur)
        self.intitule_label.setText(f"{p.intitule}  ·  {p.reference}")
        if p.membres_en_conflit:
            self.conflict_label.setText("⚠ Ne prennent pas part : " + ", ".join(p.membres_en_conflit))
            self.conflict_label.show()
        else:
            self.conflict_label.hide()
        self.facts["quartiers"].setText(p.quartiers or "—")
        if p.public_prevu is not None:
            fh = []
            if p.public_femmes is not None:
                fh.append(f"{p.public_femmes} F")
            if p.public_hommes is not None:
                fh.append(f"{p.public_hommes} H")
            public = f"{p.public_prevu} personnes" + (f" (dont {' / '.join(fh)})" if fh else "")
        else:
            public = "—"
        self.facts["public"].setText(public)
        self.facts["cout"].setText(format_amount(p.cout_total_cents))
        self.facts["axe"].setText(" › ".join(x for x in (p.axe, p.objectif) if x) or "—")
        if p.score is not None:
            score = f"{_decimal(p.score)} / 20"
            if p.spread is not None:
                score += f"   écart {_decimal(p.spread)}"
            if p.rank is not None:
                score += f"   rang {p.rank}"
            if p.disagreement:
                score += "   ⚠ désaccord entre évaluateurs"
        else:
            score = "non noté"
        self.facts["score"].setText(score)
        cot = cotation_label(p.cotation_instruite) if p.cotation_instruite is not None else "non instruite"
        if p.cotation_declaree is not None and p.cotation_declaree != p.cotation_instruite:
            cot += f" (déclarée : {p.cotation_declaree})"
        self.facts["cotation"].setText(cot)
        avis = AVIS_LABELS.get(p.avis or "", p.avis or "—")
        self.facts["avis"].setText(f"{avis} — {p.avis_motivation}" if p.avis_motivation else avis)
        self.montants_model.set_point(p)
        self._fit_montants()
        if p.historique:
            lines = ["Financements précédents du porteur :"]
            for h in p.historique[:4]:
                vote = f", {euros(h.vote_cents)} voté" if h.vote_cents else ""
                crf = f", CRF reçu le {format_date(h.crf_recu_le)}" if h.crf_recu_le else ""
                lines.append(f"{h.annee} · {h.intitule} · {h.statut_label}{vote}{crf}")
            self.historique_label.setText("\n".join(lines))
        else:
            self.historique_label.setText("Aucun financement précédent du porteur.")
        self.panel.load(p, self.drafts.get(p.id), self._history_lines(p))

    # --- actions -----------------------------------------------------------------------------

    def accept_proposal(self) -> None:
        if self.point is not None:
            self.panel.accept_proposal()

    def choose(self, key: str) -> None:
        if self.point is not None and key in DECISION_KEYS:
            self.panel.choose(key)

    def revise(self) -> None:
        self.panel.start_revision()

    def cancel_revision(self) -> None:
        p = self.point
        if p is not None:
            self.drafts.pop(p.id, None)
            self.panel.load(p, None, self._history_lines(p))

    def validate(self) -> DecisionResult | None:
        """Save the panel's decision now; a refusal is shown inline and nothing typed is lost."""
        p = self.point
        if p is None or not self.panel.editing:
            return None
        decision = self.panel.decision
        if decision is None:
            self.panel.show_message("Choisissez une décision : Retenu (R), Ajourné (J) ou Refusé (F).")
            return None
        motivation = self.panel.motivation.toPlainText().strip() or None
        if decision in ("ajourne", "refuse") and motivation is None:
            label = DECISION_LABELS[decision].lower()
            self.panel.show_message(f"La motivation est obligatoire pour un dossier {label}.")
            self.panel.motivation.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        try:
            votes = self.panel.votes()
        except UserError as exc:
            self.panel.show_message(exc.message)
            return None
        conditions = self.panel.conditions.text().strip() or None
        override: str | None = None
        while True:
            try:
                result = self.service.decide(
                    p.id, p.version, decision, votes, conditions, motivation, override_motivation=override
                )
                break
            except (UserError, ValidationError) as exc:
                if override is None and _is_enveloppe_refusal(exc):
                    override = self._ask_override(exc.message)
                    if override:
                        continue
                    self.panel.show_message(exc.message + "\nDécision non enregistrée.")
                    return None
                self.panel.show_message(exc.message)
                return None
        self.drafts.pop(p.id, None)
        point = self.service.point(p.id)
        self.agenda_model.replace(self.current, point)
        self.live.set_tableau(result.tableau)
        row = self.current
        self.current = -1  # force the redraw of the same point
        self.go_to(row)
        note = "Décision enregistrée."
        if result.warnings:
            note += "\n" + "\n".join(result.warnings)
        self.panel.show_message(note, kind="ok")
        self.decided.emit(p.id)
        return result

    def _ask_override(self, message: str) -> str | None:
        text = self._dialogs.ask_text(
            self,
            "Dépassement d'enveloppe",
            f"{message}\n\nPour passer outre, indiquez la motivation du dépassement "
            "(elle figurera au relevé de décisions) :",
            multiline=True,
        )
        text = (text or "").strip()
        return text or None

    def escape(self) -> None:
        """Échap: leave full screen; in a window, close the séance view (confirmed)."""
        if self.isFullScreen():
            self.showNormal()
            return
        if self._dialogs.confirm(
            self,
            "Séance du comité",
            "Fermer l'affichage de la séance ? Les décisions validées sont enregistrées.",
            "Fermer",
        ):
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.closed.emit()
        super().closeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1366, 768)


def _is_enveloppe_refusal(exc: UserError) -> bool:
    """The service refused because a financeur's enveloppe would be exceeded (override possible)."""
    if type(exc).__name__.lower().startswith("enveloppe"):
        return True
    if getattr(exc, "override_possible", False):
        return True
    return "enveloppe" in exc.message.lower() and "motivation" in exc.message.lower()


def _style(pt: float) -> str:
    def s(k: float) -> str:
        return f"{pt * k:.1f}pt"

    return f"""
QWidget {{ font-size: {s(1.0)}; }}
#seanceWindow {{ background: #ffffff; color: {TEXT}; }}
#seanceWindow QLabel {{ color: {TEXT}; }}
#topBar {{ background: {INK}; }}
#topBar QLabel {{ color: #ffffff; }}
#topTitle {{ font-size: {s(1.15)}; font-weight: 700; }}
#topPosition {{ font-size: {s(1.3)}; font-weight: 700; }}
#topProgress {{ font-size: {s(1.0)}; font-weight: 600; }}
#keysHint {{ font-size: {s(0.7)}; }}
#agendaList {{ background: #f7f9fb; border: 1px solid #8a96a3; color: {TEXT}; font-size: {s(0.85)}; }}
#agendaList::item {{ padding: 3px 4px; }}
#agendaList::item:selected {{ background: {INK}; color: #ffffff; }}
#centre {{ background: #ffffff; }}
#porteurTitle {{ font-size: {s(1.45)}; font-weight: 700; }}
#intituleTitle {{ font-size: {s(1.1)}; font-weight: 600; }}
#conflictWarning {{ background: {WARN_BG}; color: {WARN_FG}; border: 2px solid #b07a00;
    border-radius: 4px; padding: 4px 8px; font-weight: 700; }}
#factCaption {{ font-weight: 700; }}
#montantsTable {{ font-size: {s(1.0)}; color: {TEXT}; border: 1px solid #8a96a3;
    alternate-background-color: #eef2f6; background: #ffffff; }}
#montantsTable QHeaderView::section {{ font-size: {s(0.9)}; font-weight: 700; color: {TEXT};
    background: #dde3ea; padding: 3px 8px; border: none; }}
#historiqueText {{ font-size: {s(0.85)}; }}
#decisionPanel {{ background: #f4f6f9; border: 1px solid #8a96a3; border-radius: 6px; }}
#panelTitle {{ font-size: {s(1.15)}; font-weight: 700; }}
#decisionPanel QPushButton {{ padding: 6px 10px; border: 2px solid #4a5663; border-radius: 6px;
    background: #ffffff; color: {TEXT}; font-weight: 600; }}
#decision_retenu, #decision_ajourne, #decision_refuse {{ font-size: {s(1.05)}; font-weight: 700;
    min-height: {s(2.6)}; }}
#decision_retenu:checked {{ background: {DECISION_COLORS["retenu"]}; color: #ffffff; border-color: #000000; }}
#decision_ajourne:checked {{ background: {DECISION_COLORS["ajourne"]}; color: #ffffff; border-color: #000000; }}
#decision_refuse:checked {{ background: {DECISION_COLORS["refuse"]}; color: #ffffff; border-color: #000000; }}
#validateButton {{ background: {INK}; color: #ffffff; font-size: {s(1.0)}; font-weight: 700; }}
#decisionPanel #validateButton {{ background: {INK}; color: #ffffff; }}
#decisionPanel QLineEdit, #decisionPanel QPlainTextEdit {{ background: #ffffff; color: {TEXT};
    border: 1px solid #4a5663; padding: 2px 4px; }}
#decisionPanel QLineEdit:disabled {{ background: #e6e9ed; }}
#decisionSummary {{ font-size: {s(1.1)}; font-weight: 700; }}
#voteTotal, #votesHead {{ font-weight: 700; }}
#inlineMessage {{ background: {WARN_BG}; color: {WARN_FG}; border: 2px solid #b07a00; border-radius: 4px;
    padding: 4px 8px; font-weight: 700; }}
#inlineMessage[kind="ok"] {{ background: #e3f1e4; color: #0f3d12; border-color: #1b5e20; }}
#historyText {{ font-size: {s(0.75)}; }}
#liveBar {{ background: #ffffff; border-top: 3px solid {INK}; }}
#liveSummary, #liveHead {{ font-weight: 700; }}
#enveloppeTile {{ border: 1px solid #8a96a3; border-radius: 4px; background: #ffffff; }}
#tileCode {{ font-weight: 700; font-size: {s(0.95)}; }}
#tileFigures {{ font-size: {s(0.95)}; }}
#tileReste {{ font-size: {s(0.95)}; font-weight: 600; }}
#tileReste[exceeded="true"] {{ color: {OVER}; font-weight: 800; }}
#cotationCell, #cotationHead {{ font-size: {s(0.95)}; }}
#cotationHead {{ font-weight: 700; }}
"""


def open_seance_window(
    parent: QWidget | None,
    db: Database,
    comite_id: int,
    dialogs: Dialogs | None = None,
    *,
    fullscreen: bool = True,
) -> SeanceWindow | None:
    """Open the séance (the comité passes from préparation to « en séance », after a confirmation)."""
    dialogs = dialogs or Dialogs()
    service = ComiteService(db)
    try:
        comite, _membres = service.get(comite_id)
        if comite.statut == "preparation":
            if not dialogs.confirm(
                parent,
                "Ouvrir la séance",
                f"Ouvrir la séance du {comite_title(comite).lower()} ?\n"
                "Le comité passe « en séance » : l'ordre du jour est celui de la séance.",
                "Ouvrir la séance",
            ):
                return None
            service.open_seance(comite_id)
    except UserError as exc:
        dialogs.error(parent, "Ouvrir la séance", exc.message)
        return None
    win = SeanceWindow(db, comite_id, parent=parent, dialogs=dialogs)
    if fullscreen:
        win.showFullScreen()
    else:
        win.resize(1366, 768)
        win.show()
    win.activateWindow()
    return win
