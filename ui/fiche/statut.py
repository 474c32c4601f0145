"""Tab « Statut »: the current statut, one button per allowed transition (a motivation is asked
where the rules require one); the window performs the change."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from instructeur.domain.dates import format_date
from instructeur.domain.recevabilite import Point, missing_mandatory
from instructeur.domain.statuts import Statut, is_reopening, motivation_required
from instructeur.services.dossiers import DossierDetail
from instructeur.services.fiche import RecevabiliteRow
from ui.fiche.fields import WARNING_COLOUR
from ui.models.dossiers import statut_colours


class StatutTab(QWidget):
    transition_requested = Signal(object)  # Statut

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = QLabel()
        self.badge.setAccessibleName("Statut actuel")
        self.decision = QLabel()
        self.decision.setAccessibleName("Décision du comité")
        self.last = QLabel()
        self.last.setWordWrap(True)
        self.buttons: dict[Statut, QPushButton] = {}
        self._buttons_box = QGroupBox("Changer le statut")
        self._buttons_layout = QGridLayout(self._buttons_box)
        self._buttons_layout.setHorizontalSpacing(12)
        self._buttons_layout.setVerticalSpacing(8)
        self._buttons_layout.setColumnStretch(8, 1)
        self.none_label = QLabel()
        # Why « Recevable » would be refused, before the user tries (the rule of the service).
        self.recevabilite_label = QLabel()
        self.recevabilite_label.setAccessibleName("Points de recevabilité manquants")
        self.recevabilite_label.setWordWrap(True)
        self.recevabilite_label.setTextFormat(Qt.TextFormat.RichText)
        self.recevabilite_label.hide()
        self._missing: list[str] = []

        current = QGroupBox("Statut du dossier")
        cl = QVBoxLayout(current)
        row = QHBoxLayout()
        row.addWidget(self.badge)
        row.addWidget(self.decision)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addWidget(self.last)

        note = QLabel(
            "Une motivation est demandée pour « Irrecevable », « Ajourné », « Refusé », « Non réalisé » "
            "et pour toute réouverture. Chaque changement est inscrit dans l'historique."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(current)
        layout.addWidget(self._buttons_box)
        layout.addWidget(self.recevabilite_label)
        layout.addWidget(note)
        layout.addStretch(1)

    def load(self, detail: DossierDetail, allowed: tuple[Statut, ...]) -> None:
        fg, bg = statut_colours(detail.statut)
        self.badge.setText(detail.statut.label)
        self.badge.setStyleSheet(
            f"color: {fg.name()}; background: {bg.name()}; border-radius: 10px; padding: 4px 14px;"
            " font-weight: 600; font-size: 12pt;"
        )
        if detail.decision and detail.decision is not detail.statut:
            self.decision.setText(f"Décision du comité : <b>{detail.decision.label}</b>")
        else:
            self.decision.setText("")
        if detail.transitions:
            t = detail.transitions[-1]
            text = f"Depuis le {format_date(t.at.date())}, par {html.escape(t.utilisateur)}"
            if t.motivation:
                text += f" — motivation : « {html.escape(t.motivation)} »"
            self.last.setText(text)
        else:
            self.last.setText("")

        for button in self.buttons.values():
            self._buttons_layout.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        self._buttons_layout.removeWidget(self.none_label)
        if not allowed:
            self.none_label.setText(f"Aucun changement de statut possible depuis « {detail.statut.label} ».")
            self._buttons_layout.addWidget(self.none_label, 0, 0)
            return
        self.none_label.setText("")
        forward = [s for s in allowed if not is_reopening(detail.statut, s)]
        back = [s for s in allowed if is_reopening(detail.statut, s)]
        for n, target in enumerate(forward):
            self._add_button(detail.statut, target, f"Passer à « {target.label} »", 0, n)
        for n, target in enumerate(back):
            self._add_button(detail.statut, target, f"Rouvrir : revenir à « {target.label} »", 1, n)
        self._show_missing()

    def show_recevabilite(self, rows: list[RecevabiliteRow]) -> None:
        """The checklist as ticked in the fiche: which mandatory points « Recevable » still needs."""
        points = [Point(r.item_id, r.libelle, r.obligatoire) for r in rows]
        self._missing = missing_mandatory(points, {r.item_id for r in rows if r.ok})
        self._show_missing()

    def missing_text(self) -> str:
        return self.recevabilite_label.text() if self.recevabilite_label.isVisibleTo(self) else ""

    def _show_missing(self) -> None:
        button = self.buttons.get(Statut.RECEVABLE)
        if button is None or not self._missing:
            self.recevabilite_label.hide()
            if button is not None:
                button.setToolTip(f"Le dossier passe à « {Statut.RECEVABLE.label} »")
            return
        items = "".join(f"<li>{html.escape(m)}</li>" for m in self._missing)
        self.recevabilite_label.setText(
            f"<span style='color:{WARNING_COLOUR}'><b>⚠ « Recevable » sera refusé</b> tant que ces points "
            f"obligatoires ne sont pas cochés (onglet « Recevabilité ») :</span><ul style='margin:2px 0'>{items}</ul>"
        )
        self.recevabilite_label.show()
        button.setToolTip("Points obligatoires non cochés : " + ", ".join(self._missing))

    def _add_button(self, current: Statut, target: Statut, text: str, row: int, col: int) -> None:
        needs = motivation_required(current, target)
        button = QPushButton(text + (" …" if needs else ""))
        button.setAccessibleName(text)
        button.setToolTip(
            "Une motivation sera demandée" if needs else f"Le dossier passe à « {target.label} »"
        )
        fg, bg = statut_colours(target)
        button.setStyleSheet(
            f"QPushButton {{ color: {fg.name()}; background: {bg.name()}; border: 1px solid {fg.name()};"
            " border-radius: 4px; padding: 6px 14px; font-weight: 600; }"
            f"QPushButton:focus {{ border: 2px solid {fg.name()}; }}"
        )
        button.clicked.connect(lambda _checked=False, t=target: self.transition_requested.emit(t))
        self._buttons_layout.addWidget(button, row, col, Qt.AlignmentFlag.AlignLeft)
        self.buttons[target] = button
