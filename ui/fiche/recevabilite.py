"""Tab « Recevabilité »: the campagne's checklist (configured per campagne), ticked per dossier."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.recevabilite import Point, missing_mandatory
from instructeur.services.fiche import RecevabiliteRow
from ui.fiche.fields import ERROR_COLOUR


class RecevabiliteTab(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RecevabiliteRow] = []
        self.checks: list[QCheckBox] = []
        self.comments: list[QLineEdit] = []
        self.summary = QLabel()
        self.summary.setAccessibleName("Bilan de la recevabilité")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setHorizontalSpacing(16)
        self._grid.setVerticalSpacing(10)
        self._grid.setColumnStretch(0, 3)
        self._grid.setColumnStretch(1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._grid_host)
        note = QLabel("Les points marqués * sont obligatoires pour déclarer le dossier recevable.")
        note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.summary)
        layout.addWidget(note)
        layout.addWidget(scroll, 1)

    def load(self, rows: list[RecevabiliteRow]) -> None:
        if [r.item_id for r in rows] != [r.item_id for r in self._rows]:
            self._build(rows)
        self._rows = list(rows)
        for row, box, comment in zip(rows, self.checks, self.comments, strict=True):
            box.blockSignals(True)
            box.setChecked(row.ok)
            box.blockSignals(False)
            comment.blockSignals(True)
            comment.setText(row.commentaire or "")
            comment.blockSignals(False)
        self._update_summary()

    def rows(self) -> list[RecevabiliteRow]:
        return [
            dataclasses.replace(row, ok=box.isChecked(), commentaire=comment.text().strip() or None)
            for row, box, comment in zip(self._rows, self.checks, self.comments, strict=True)
        ]

    def _build(self, rows: list[RecevabiliteRow]) -> None:
        for w in self.checks + self.comments:
            self._grid.removeWidget(w)
            w.deleteLater()
        self.checks, self.comments = [], []
        header_item = QLabel("<b>Point de contrôle</b>")
        header_comment = QLabel("<b>Commentaire</b>")
        self._grid.addWidget(header_item, 0, 0)
        self._grid.addWidget(header_comment, 0, 1)
        for n, row in enumerate(rows, start=1):
            box = QCheckBox(row.libelle + (" *" if row.obligatoire else ""))
            box.setAccessibleName(row.libelle)
            box.setToolTip(row.libelle + (" (obligatoire)" if row.obligatoire else " (facultatif)"))
            comment = QLineEdit()
            comment.setAccessibleName(f"Commentaire : {row.libelle}")
            comment.setPlaceholderText("Commentaire (pièce manquante, date de réception…)")
            box.toggled.connect(self._on_change)
            comment.textChanged.connect(self._on_change)
            self._grid.addWidget(box, n, 0)
            self._grid.addWidget(comment, n, 1)
            self.checks.append(box)
            self.comments.append(comment)
        self._grid.setRowStretch(len(rows) + 1, 1)
        if not rows:
            empty = QLabel("Aucun point de recevabilité n'est défini pour cette campagne (Paramètres).")
            self._grid.addWidget(empty, 1, 0, 1, 2)

    def _on_change(self, *_args: object) -> None:
        self._update_summary()
        self.changed.emit()

    def _update_summary(self) -> None:
        rows = self.rows()
        if not rows:
            self.summary.setText("")
            return
        done = sum(r.ok for r in rows)
        # The rule « recevable » obeys (domain.recevabilite), applied to the boxes as ticked.
        missing = missing_mandatory(
            [Point(r.item_id, r.libelle, r.obligatoire) for r in rows], {r.item_id for r in rows if r.ok}
        )
        text = f"{done} point{'s' if done > 1 else ''} sur {len(rows)} vérifié{'s' if done > 1 else ''}"
        if missing:
            s = "s" if len(missing) > 1 else ""
            text += (
                f" — <span style='color:{ERROR_COLOUR}'>{len(missing)} point{s} obligatoire{s} "
                f"manquant{s} : le dossier ne peut pas passer à « Recevable »</span>"
            )
        else:
            text += " — <span style='color:#1b5e20'>✓ tous les points obligatoires sont vérifiés</span>"
        self.summary.setText(text)
