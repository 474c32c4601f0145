"""Paramètres › Cadre stratégique: the contrat's objectifs, read only."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.contrats import (
    ContratService,
)
from instructeur.storage.db import Database
from ui.parametres.common import (
    _note,
)


class CadreTab(QWidget):
    def __init__(self, db: Database, contrat_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        service = ContratService(db)
        contrat = service.get(contrat_id)
        nodes = service.objectifs(contrat_id)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Code", "Titre", "Niveau"])
        self.tree.setAccessibleName("Cadre stratégique")
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        items: dict[int, QTreeWidgetItem] = {}
        niveaux = contrat.niveaux
        for o in nodes:
            level = niveaux[o.niveau] if o.niveau < len(niveaux) else f"niveau {o.niveau + 1}"
            parent_item = items.get(o.parent_id) if o.parent_id is not None else None
            item = QTreeWidgetItem([o.code, o.titre, level])
            item.setToolTip(1, o.titre)
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            items[o.id] = item
        self.tree.expandToDepth(0)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        counts: dict[int, int] = {}
        for o in nodes:
            counts[o.niveau] = counts.get(o.niveau, 0) + 1
        summary = " · ".join(
            f"{(niveaux[n] if n < len(niveaux) else f'niveau {n + 1}').lower()} : {counts[n]}"
            for n in sorted(counts)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(summary or "Cadre stratégique vide"))
        layout.addWidget(self.tree, 1)
        layout.addWidget(
            _note(
                "Le cadre stratégique vient du référentiel du contrat et se consulte ici en lecture seule : "
                "sa modification n'est pas encore possible dans l'application (les dossiers y sont rattachés)."
            )
        )
