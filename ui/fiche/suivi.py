"""Tab « Comité et suivi » of the fiche dossier (DESIGN.md §3, §4, §7.3): what the comité decided
(décision, séance, voted amounts per financeur, conditions, motivation), the notification letters,
and the suivi of a retained action (compte rendu financier received on, réalisé, bénéficiaires
réels F/H, indicateurs).

**How it saves.** Like the sections of the « Instruction » tab, the suivi has its OWN button
(« Enregistrer le suivi ») and writes through `SuiviService` at once; the fiche's main button never
saves it. The suivi is its own row with its own version: the dossier's version does not move, so
no question about the other tabs is needed. The window is told (`suivi_saved`) and reloads the
fiche (or only its journal while other tabs hold unsaved changes), so the « Historique » tab lists
the change and the statut buttons work on fresh data. Unsaved suivi inputs are reported by
`unsaved_sections()` and the fiche asks before closing. A concurrent edit of the suivi is refused
by the service; the section shows the French message and a « Recharger » button.

**« Modifier la décision… ».** On a dossier decided by a comité whose séance is over (retenu,
ajourné, refusé, or notifié after retenu), the decision section offers this button: it opens
`ui.fiche.revision.RevisionDialog`, which writes through `ComiteService.revise_decision`. That
write moves the dossier's version, so, like the « Instruction » tab, the tab asks the window first
(`guard`: no unsaved change elsewhere) and tells it afterwards (`dossier_written`: reload).

The tab reads its data when shown (`showEvent`) or when `refresh()` is called.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
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

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.comites import ComiteService, revisable
from instructeur.services.dossiers import DossierDetail
from instructeur.services.suivi import REALISE_LABELS, SuiviData, SuiviDto, SuiviService
from instructeur.storage.db import Database
from ui.fiche.fields import ERROR_COLOUR, CountEdit, DateEdit, add_row, form_layout, mark_invalid, two_columns
from ui.fiche.instruction import MUTED, OK_COLOUR, plain_text
from ui.fiche.instruction import _Message as SectionMessage
from ui.fiche.revision import RevisionDialog
from ui.models.dossiers import statut_colours

NO_DECISION = "Pas encore de décision du comité."
NO_NOTIFICATION = "Aucune notification."
REALISE_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "Non renseigné"),
    *((code, label) for code, label in REALISE_LABELS.items()),
)


def _date(value: date | None) -> str:
    return format_date(value) if value else "—"


def _plain(rich: str) -> str:
    """A label's rich text (tables included) as plain text: one line per row, cells spaced."""
    for end in ("</td>", "</th>"):
        rich = rich.replace(end, " " + end)
    text = plain_text(rich.replace("</tr>", "<br>").replace("&nbsp;", " "))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _label(name: str, *, rich: bool = True, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SuiviTab(QWidget):
    """See the module docstring. `load(detail)` is called by the window with every snapshot."""

    suivi_saved = Signal(int)  # dossier id
    dossier_written = Signal(int)  # « Modifier la décision… » wrote the dossier (new version)

    def __init__(
        self,
        db: Database,
        user: str | None = None,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.service = SuiviService(db, user, today=today)
        self.comites = ComiteService(db, user)
        # Set by the window: True when the other tabs have no unsaved change (asks otherwise).
        self.guard: Callable[[], bool] = lambda: True
        # How the revision dialog runs (tests drive it without a modal loop).
        self.run_dialog: Callable[[RevisionDialog], int] = lambda dialog: dialog.exec()
        self._detail: DossierDetail | None = None
        self._dto: SuiviDto | None = None
        self._loaded_form: tuple[object, ...] | None = None
        self._version = 0  # of the suivi shown in the form (0: none recorded)
        self._stale = True
        self._keep_inputs = False
        self._build()

    # --- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        two_columns(self, [self._build_decision(), self._build_notification()], [self._build_suivi()])

    def _build_decision(self) -> QGroupBox:
        box = QGroupBox("Décision du comité")
        layout = QVBoxLayout(box)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.decision_badge = _label("Décision", rich=False, wrap=False)
        self.comite_label = _label("Comité", rich=False)
        head.addWidget(self.decision_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.comite_label, 1, Qt.AlignmentFlag.AlignVCenter)
        self.votes_label = _label("Montants votés par financeur")
        self.conditions_label = _label("Conditions")
        self.motivation_label = _label("Motivation")
        self.no_decision = _label("Pas de décision", rich=False)
        self.no_decision.setStyleSheet(MUTED)
        self.revise_button = QPushButton("&Modifier la décision…")
        self.revise_button.setToolTip(
            "Réviser la décision du comité (décision, montants votés, conditions), avec une motivation ; "
            "les contrôles de la séance s'appliquent (coût total, enveloppes)"
        )
        self.revise_button.clicked.connect(self.revise_decision)
        self.revise_message = SectionMessage(
            "Résultat de la modification de la décision", lambda: self.refresh()
        )
        revise_row = QHBoxLayout()
        revise_row.addStretch(1)
        revise_row.addWidget(self.revise_button)
        layout.addLayout(head)
        layout.addWidget(self.votes_label)
        layout.addWidget(self.conditions_label)
        layout.addWidget(self.motivation_label)
        layout.addWidget(self.no_decision)
        layout.addLayout(revise_row)
        layout.addWidget(self.revise_message)
        return box

    def _build_notification(self) -> QGroupBox:
        box = QGroupBox("Notification")
        layout = QVBoxLayout(box)
        self.notifications_label = _label("Notifications du dossier")
        layout.addWidget(self.notifications_label)
        return box

    def _build_suivi(self) -> QGroupBox:
        box = QGroupBox("Suivi")
        layout = QVBoxLayout(box)
        layout.setSpacing(8)
        self.not_retenu = _label("Suivi impossible", rich=False)
        self.not_retenu.setText(
            "Le suivi concerne les actions retenues : il se renseigne après une décision « Retenu »."
        )
        self.not_retenu.setStyleSheet(MUTED)
        layout.addWidget(self.not_retenu)

        form = form_layout()
        self.crf_recu_le = DateEdit("Compte rendu financier reçu le")
        self.crf_recu_le.base_tooltip = "Date de réception du compte rendu financier (CERFA 15059)"  # type: ignore[attr-defined]
        self.crf_recu_le.setToolTip(self.crf_recu_le.base_tooltip)  # type: ignore[attr-defined]
        self.echeance_label = _label("Échéance du compte rendu financier", wrap=False)
        crf_row = QHBoxLayout()
        crf_row.setSpacing(12)
        crf_row.addWidget(self.crf_recu_le)
        crf_row.addWidget(self.echeance_label, 1)
        crf_host = QWidget()
        crf_host.setLayout(crf_row)
        crf_row.setContentsMargins(0, 0, 0, 0)
        label = add_row(form, "&CRF reçu le :", crf_host)
        label.setBuddy(self.crf_recu_le)
        label.setToolTip(
            "Compte rendu financier (CERFA 15059), dû dans les 6 mois suivant la fin de l'exercice"
        )

        self.realise = QComboBox()
        for code, text in REALISE_CHOICES:
            self.realise.addItem(text, code)
        self.realise.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        realise_row = QHBoxLayout()
        realise_row.setContentsMargins(0, 0, 0, 0)
        realise_row.addWidget(self.realise)
        realise_row.addStretch(1)
        add_row(form, "&Action réalisée :", self._host(realise_row)).setBuddy(self.realise)
        self.realise.setAccessibleName("Action réalisée")

        self.beneficiaires_femmes = CountEdit("Bénéficiaires réels femmes")
        self.beneficiaires_hommes = CountEdit("Bénéficiaires réels hommes")
        self.beneficiaires_total = _label("Total des bénéficiaires réels", wrap=False)
        people = QHBoxLayout()
        people.setContentsMargins(0, 0, 0, 0)
        people.setSpacing(8)
        femmes = QLabel("femmes")
        femmes.setBuddy(self.beneficiaires_femmes)
        hommes = QLabel("hommes")
        hommes.setBuddy(self.beneficiaires_hommes)
        for widget in (self.beneficiaires_femmes, femmes, self.beneficiaires_hommes, hommes):
            people.addWidget(widget)
        people.addSpacing(8)
        people.addWidget(self.beneficiaires_total, 1)
        add_row(form, "&Bénéficiaires réels :", self._host(people)).setBuddy(self.beneficiaires_femmes)

        self.indicateurs = QPlainTextEdit()
        self.indicateurs.setTabChangesFocus(True)
        self.indicateurs.setPlaceholderText(
            "Séances réalisées, assiduité, résultats obtenus, écarts avec le prévu…"
        )
        self.indicateurs.setMinimumHeight(110)
        add_row(form, "&Indicateurs :", self.indicateurs, name="Indicateurs de réalisation")
        layout.addLayout(form)

        self.hint_label = _label("Suite à donner")
        layout.addWidget(self.hint_label)
        self.save_button = QPushButton("Enregistrer le &suivi")
        self.save_button.setToolTip("Enregistre le suivi seul (le reste de la fiche a son propre bouton)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Annuler les saisies du suivi")
        self.revert_button.clicked.connect(lambda: self.refresh())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.message = SectionMessage("Résultat de l'enregistrement du suivi", lambda: self.refresh())
        layout.addWidget(self.message)

        self.crf_recu_le.textChanged.connect(self._update_state)
        self.beneficiaires_femmes.textChanged.connect(self._update_state)
        self.beneficiaires_hommes.textChanged.connect(self._update_state)
        self.realise.currentIndexChanged.connect(self._update_state)
        self.indicateurs.textChanged.connect(self._update_state)
        self._inputs: tuple[QWidget, ...] = (
            self.crf_recu_le,
            self.realise,
            self.beneficiaires_femmes,
            self.beneficiaires_hommes,
            self.indicateurs,
        )
        return box

    @staticmethod
    def _host(layout: QHBoxLayout) -> QWidget:
        host = QWidget()
        host.setLayout(layout)
        return host

    # --- loading ----------------------------------------------------------------------------

    @property
    def dossier_id(self) -> int | None:
        return self._detail.id if self._detail else None

    def load(self, detail: DossierDetail | None) -> None:
        """The window's snapshot changed (saved, statut changed, reloaded): remember it and read
        again when shown. Suivi inputs typed but not saved are kept for the same dossier."""
        same = detail is not None and self._detail is not None and detail.id == self._detail.id
        self._keep_inputs = self._keep_inputs or (same and self.is_modified())
        self._detail = detail
        self._stale = True
        if self.isVisible():
            self.refresh(keep_inputs=self._keep_inputs)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh(keep_inputs=self._keep_inputs)

    def refresh(self, *, keep_inputs: bool = False) -> None:
        """Read the dossier's decision, notifications and suivi again; the form is refilled
        (unsaved inputs dropped) unless `keep_inputs` and the form holds unsaved inputs."""
        self._stale = False
        self._keep_inputs = False
        self.message.clear()
        if self._detail is None:
            return
        dto = self.service.get(self._detail.id)
        self._dto = dto
        self._show_decision(dto)
        self._show_notifications(dto)
        if keep_inputs and self.is_modified():
            self._update_state()  # saving later still checks the version the inputs started from
        else:
            self._fill(dto)

    def _show_decision(self, dto: SuiviDto) -> None:
        decision = dto.decision
        shown = decision is not None
        for widget in (self.decision_badge, self.comite_label, self.votes_label):
            widget.setVisible(shown)
        self.revise_button.setVisible(decision is not None and revisable(dto.statut, decision.decision))
        self.no_decision.setVisible(not shown)
        if decision is None:
            self.no_decision.setText(NO_DECISION)
            self.conditions_label.hide()
            self.motivation_label.hide()
            return
        fg, bg = statut_colours(decision.decision)
        self.decision_badge.setText(decision.label)
        self.decision_badge.setStyleSheet(
            f"color: {fg.name()}; background: {bg.name()}; border-radius: 10px; padding: 4px 14px;"
            " font-weight: 600;"
        )
        if decision.comite:
            self.comite_label.setText(decision.comite)
        elif decision.date_comite:
            self.comite_label.setText(f"Décision enregistrée le {format_date(decision.date_comite)}")
        else:
            self.comite_label.setText("")
        if decision.votes:
            rows = "".join(
                f"<tr><td>{html.escape(v.financeur)}</td>"
                f"<td align='right' style='padding-left:24px'>{format_amount(v.montant_cents)}</td></tr>"
                for v in decision.votes
            )
            rows += (
                "<tr><td style='padding-top:4px'><b>Total voté</b></td>"
                f"<td align='right' style='padding-left:24px; padding-top:4px'>"
                f"<b>{format_amount(decision.total_vote_cents)}</b></td></tr>"
            )
            self.votes_label.setText(f"<table cellspacing='0' cellpadding='2'>{rows}</table>")
        else:
            self.votes_label.setText(f"<span style='{MUTED}'>Aucun montant voté.</span>")
        for label, title, text in (
            (self.conditions_label, "Conditions", decision.conditions),
            (self.motivation_label, "Motivation", decision.motivation),
        ):
            label.setVisible(bool(text))
            body = html.escape(text or "").replace("\n", "<br>")
            label.setText(f"<b>{title} :</b> {body}")

    def _show_notifications(self, dto: SuiviDto) -> None:
        if not dto.notifications:
            self.notifications_label.setText(f"<span style='{MUTED}'>{NO_NOTIFICATION}</span>")
            return
        head = "".join(
            f"<th align='left' style='padding-right:14px'>{h}</th>"
            for h in ("Lettre", "État", "Générée le", "Signée le", "Notifiée le")
        )
        rows = ""
        for n in dto.notifications:
            lettre = html.escape(n.modele_label + (f" ({n.financeur})" if n.financeur else ""))
            rows += (
                f"<tr><td style='padding-right:14px'>{lettre}</td>"
                f"<td style='padding-right:14px'><b>{html.escape(n.etat_label)}</b></td>"
                + "".join(
                    f"<td style='padding-right:14px'>{_date(d)}</td>"
                    for d in (n.date_generation, n.date_signature, n.date_notification)
                )
                + "</tr>"
            )
        self.notifications_label.setText(
            f"<table cellspacing='0' cellpadding='2'><tr>{head}</tr>{rows}</table>"
        )

    def _fill(self, dto: SuiviDto) -> None:
        for widget in self._inputs:
            widget.blockSignals(True)
        try:
            self.crf_recu_le.set_value(dto.crf_recu_le)
            self.realise.setCurrentIndex(max(0, self.realise.findData(dto.realise)))
            self.beneficiaires_femmes.set_value(dto.beneficiaires_femmes)
            self.beneficiaires_hommes.set_value(dto.beneficiaires_hommes)
            self.indicateurs.setPlainText(dto.indicateurs or "")
        finally:
            for widget in self._inputs:
                widget.blockSignals(False)
        for edit in (self.crf_recu_le, self.beneficiaires_femmes, self.beneficiaires_hommes):
            mark_invalid(edit, edit.problem())
        self.not_retenu.setVisible(not dto.retenu)
        for widget in self._inputs:
            widget.setEnabled(dto.retenu)
        self._version = dto.version
        self._loaded_form = self._form()
        self._update_state()

    # --- state ------------------------------------------------------------------------------

    def data(self) -> SuiviData:
        text = self.indicateurs.toPlainText().strip()
        return SuiviData(
            crf_recu_le=self.crf_recu_le.value(),
            realise=self.realise.currentData(),
            beneficiaires_femmes=self.beneficiaires_femmes.value(),
            beneficiaires_hommes=self.beneficiaires_hommes.value(),
            indicateurs=text or None,
        )

    def _form(self) -> tuple[object, ...]:
        """What was typed (unreadable text counts as a change)."""
        return (
            self.crf_recu_le.text().strip(),
            self.realise.currentData(),
            self.beneficiaires_femmes.text().strip(),
            self.beneficiaires_hommes.text().strip(),
            self.indicateurs.toPlainText().strip(),
        )

    def is_modified(self) -> bool:
        return self._loaded_form is not None and self._form() != self._loaded_form

    def unsaved_sections(self) -> list[str]:
        """Sections of the tab typed into but not saved (the fiche asks before closing)."""
        return ["le suivi"] if self.is_modified() else []

    def echeance_text(self) -> str:
        return _plain(self.echeance_label.text())

    def decision_text(self) -> str:
        """The « Décision du comité » section as plain text (tests, accessibility)."""
        parts = [w.text() for w in (self.decision_badge, self.comite_label) if not w.isHidden()]
        parts += [
            _plain(w.text())
            for w in (self.votes_label, self.conditions_label, self.motivation_label, self.no_decision)
            if not w.isHidden()
        ]
        return "\n".join(p for p in parts if p)

    def notifications_text(self) -> str:
        return _plain(self.notifications_label.text())

    def _update_state(self, *_args: object) -> None:
        dto = self._dto
        modified = self.is_modified()
        retenu = dto is not None and dto.retenu
        self.save_button.setEnabled(retenu and modified)
        self.revert_button.setEnabled(modified)
        if dto is None:
            return
        crf = self.crf_recu_le.value()
        echeance = f"Échéance : {format_date(dto.echeance_crf)}"
        if crf is None and dto.crf_en_retard:
            echeance += (
                f" &nbsp;<span style='color:white; background:{ERROR_COLOUR}; font-weight:600;'>"
                "&nbsp;en retard&nbsp;</span>"
            )
        elif crf is not None and crf <= dto.echeance_crf:
            echeance += f" &nbsp;<span style='color:{OK_COLOUR}'>✓ reçu dans les délais</span>"
        elif crf is not None:
            echeance += f" &nbsp;<span style='color:{ERROR_COLOUR}'>reçu après l'échéance</span>"
        self.echeance_label.setText(echeance if retenu else "")
        f, h = self.beneficiaires_femmes.value(), self.beneficiaires_hommes.value()
        prevu = ""
        if dto.public_prevu is not None:
            prevu = f"prévu : {dto.public_prevu}"
            if dto.public_femmes is not None or dto.public_hommes is not None:
                prevu += f" (dont {dto.public_femmes or 0} F / {dto.public_hommes or 0} H)"
        total = f"total {(f or 0) + (h or 0)}" if f is not None or h is not None else ""
        self.beneficiaires_total.setText(
            f"<span style='{MUTED}'>{html.escape(' — '.join(x for x in (total, prevu) if x))}</span>"
        )
        self._show_hint(dto)

    def _show_hint(self, dto: SuiviDto) -> None:
        saved_crf = dto.crf_recu_le is not None
        if (
            dto.statut is Statut.NOTIFIE
            and dto.decision is not None
            and dto.decision.decision is Statut.RETENU
        ):
            if saved_crf:
                text = (
                    f"<span style='color:{OK_COLOUR}'>Compte rendu financier reçu : le dossier peut "
                    "passer à « Soldé » (onglet « Statut »).</span>"
                )
            else:
                text = (
                    f"<span style='{MUTED}'>Le dossier passera à « Soldé » une fois la date de réception "
                    "du compte rendu financier enregistrée.</span>"
                )
            self.hint_label.setText(text)
            self.hint_label.show()
        else:
            self.hint_label.hide()

    # --- « Modifier la décision… » -------------------------------------------------------------

    def revise_decision(self) -> bool:
        """Open the dialog on the decision as it stands; True when a revision was recorded."""
        if self._detail is None or not self.guard():
            return False
        did = self._detail.id
        self.revise_message.clear()
        try:
            form = self.comites.revision_form(did)
        except UserError as exc:
            self.revise_message.error(exc.message)
            return False
        dialog = RevisionDialog(self.comites, form, self)
        self.run_dialog(dialog)
        result = dialog.result_data
        if result is None:
            return False
        self.refresh()
        self.dossier_written.emit(did)
        self.revise_message.success("Décision modifiée.", result.warnings)
        return True

    # --- saving -----------------------------------------------------------------------------

    def save(self) -> bool:
        if self._detail is None or self._dto is None:
            return False
        self.message.clear()
        problems = []
        for edit, name in (
            (self.crf_recu_le, "CRF reçu le"),
            (self.beneficiaires_femmes, "bénéficiaires réels femmes"),
            (self.beneficiaires_hommes, "bénéficiaires réels hommes"),
        ):
            problem = edit.problem()
            mark_invalid(edit, problem)
            if problem:
                problems.append(f"{name} : {problem}")
        if problems:
            self.message.error(problems)
            return False
        did = self._detail.id
        try:
            self.service.save(did, self._version, self.data())
        except ConcurrentEditError as exc:
            self.message.error(exc.message, reload=True)
            return False
        except ValidationError as exc:
            for p in exc.problems:
                if p.startswith("CRF"):
                    mark_invalid(self.crf_recu_le, p)
            self.message.error(exc.problems)
            return False
        except UserError as exc:
            self.message.error(exc.message)
            return False
        self.refresh()
        self.suivi_saved.emit(did)
        self.message.success("Suivi enregistré.")
        return True
