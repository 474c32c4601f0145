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

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.errors import UserError, ValidationError
from instructeur.services.comites import (
    ComiteService,
    DecisionResult,
    PointRow,
)
from instructeur.services.synthese import cotation_label
from instructeur.storage.db import Database
from ui.charts import euros
from ui.comite import DECISION_KEYS, DECISION_LABELS, comite_title
from ui.comite.seance_panel import DecisionPanel
from ui.comite.seance_view import SeanceView
from ui.comite.seance_widgets import (
    AVIS_LABELS,
    AgendaListModel,
    EnveloppeTile,
    LiveBar,
    MontantsModel,
    _decimal,
    base_point_size,
)
from ui.dialogs import Dialogs

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


class SeanceWindow(SeanceView):
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
        super().__init__(db, comite_id, parent=parent, dialogs=dialogs, user=user)
        self.agenda.clicked.connect(lambda ix: self.go_to(ix.row()))
        self.panel.validate_requested.connect(self.validate)
        self.panel.revise_requested.connect(self.revise)
        self.panel.accept_button.clicked.connect(self.accept_proposal)
        self.panel.cancel_button.clicked.connect(self.cancel_revision)
        self._build_shortcuts()
        self.reload()
        self.apply_scale()

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


def _is_enveloppe_refusal(exc: UserError) -> bool:
    """The service refused because a financeur's enveloppe would be exceeded (override possible)."""
    if type(exc).__name__.lower().startswith("enveloppe"):
        return True
    if getattr(exc, "override_possible", False):
        return True
    return "enveloppe" in exc.message.lower() and "motivation" in exc.message.lower()


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
