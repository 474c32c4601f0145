"""The tableau de bord's « Montants par ambition » card: one bar chart per additional classification
of the contrat (Saint-Omer's ambitions), from `classification_syntheses` — the same figures as the
programmation's « Synthèse par ambition » sheet. Hidden when the contrat has no such classification."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from instructeur.services.synthese_classements import ClassificationSynthese
from ui.charts import COLORS, BarChart, Series, euros


class ClassementsCard(QFrame):
    """« Montants par ambition » (the classification's top level), demandé and voté per node."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.chart = BarChart("Montants par ambition", labels_above=True)
        self.title = QLabel(self.chart.title)
        self.title.setObjectName("cardTitle")
        self.note = QLabel("")
        self.note.setObjectName("cardNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.note)
        self.hide()

    def set_syntheses(self, syntheses: Sequence[ClassificationSynthese], voted: bool) -> None:
        """The first classification (a contrat rarely has more); hidden without one."""
        if not syntheses:
            self.chart.set_data([], [])
            self.hide()
            return
        k = syntheses[0]
        lignes = [line for line in k.lignes if line.objectif_id is not None or line.nb_dossiers]
        self.title.setText(f"Montants par {k.niveau.lower()}")
        self.chart.setAccessibleName(self.title.text())
        series = [Series("Demandé", tuple(line.total.demande_cents for line in lignes), COLORS["demande"])]
        if voted:
            series.append(Series("Voté", tuple(line.total.vote_cents for line in lignes), COLORS["vote"]))
        self.chart.set_data(
            [f"{line.code} — {line.titre}" if line.code else line.titre for line in lignes],
            series,
            euros,
            tooltips=[f"{line.nb_dossiers} recevable(s), {line.nb_retenus} retenu(s)" for line in lignes],
        )
        self.note.setText(f"{k.nom} : une action classée dans un engagement compte dans son ambition.")
        self.show()
