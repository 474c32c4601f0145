"""Section « Évaluations » and « Note du dossier » of the « Instruction » tab (see instruction.py)."""

from __future__ import annotations

import html
from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.scoring import CritereSpec, Scorer
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.notation import EvaluationDto
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR
from ui.fiche.instruction_widgets import MUTED, CritereInput, SectionMessage, coloured, rich_label
from ui.models.dossiers import format_score


class NotationPanel:
    """The évaluations (one évaluateur's grille at a time) and the dossier's score, with the
    conflicts of interest and the dérogation to an éliminatoire criterion; mixed into
    `InstructionTab`."""

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
            "(action « Confier à un évaluateur… » du menu Dossier)."
        )
        self.no_evaluateur.setWordWrap(True)
        self.no_evaluateur.setStyleSheet(MUTED)
        self.evaluation_state = rich_label("État de l'évaluation")
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
        self.notation_message = SectionMessage("Message de la notation", self.refresh)

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
        self.aggregate_label = rich_label("Note du dossier")
        self.eliminatoire_label = rich_label("Critère éliminatoire")
        self.derogation_button = QPushButton("&Déroger…")
        self.derogation_button.setToolTip(
            "Retenir le dossier malgré le critère éliminatoire (motivation obligatoire)"
        )
        self.derogation_button.clicked.connect(self.derogate)
        self.aggregate_message = SectionMessage("Message de la note", self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.eliminatoire_label, 1)
        row.addWidget(self.derogation_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addWidget(self.aggregate_label)
        layout.addLayout(row)
        layout.addWidget(self.aggregate_message)
        return box

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
            widget = CritereInput(c)
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
                coloured("Conflit d'intérêts déclaré", ERROR_COLOUR, bold=True)
                + coloured(f" — motif : « {html.escape(ev.conflit_motif or '')} »", ERROR_COLOUR)
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
            text += " — " + coloured("exclue (conflit d'intérêts)", ERROR_COLOUR)
        elif self.notation_modified():
            text += " — " + coloured("non enregistré", WARNING_COLOUR)
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
                    text += " — " + coloured("⚠ désaccord entre évaluateurs", WARNING_COLOUR, bold=True)
        self.aggregate_label.setText(f"{text}<br><span style='{MUTED}'>{counts}</span>")
        if row.eliminatoire:
            hits = ", ".join(
                f"« {html.escape(h.critere)} » ({html.escape(h.evaluateur)})" for h in row.eliminatoire
            )
            if row.override is None:
                self.eliminatoire_label.setText(
                    coloured("⚠ Non retenable", ERROR_COLOUR, bold=True)
                    + coloured(f" : critère éliminatoire noté au minimum — {hits}.", ERROR_COLOUR)
                )
                self.derogation_button.show()
            else:
                self.eliminatoire_label.setText(
                    coloured("Dérogation au critère éliminatoire", WARNING_COLOUR, bold=True)
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
