"""The filter panel of the dossiers list: statut (several), axe / objectif, one combo per additional
classification of the contrat (Saint-Omer: ambition / engagement), QPV, financeur, cotation F/H,
nouvelle / reconduite, évaluateur, label. Emits `changed(DossierFilters)`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.statuts import Statut
from ui.models.dossiers import GAP, NONE, DossierFilters

if TYPE_CHECKING:
    from instructeur.services.cadre import Arbre
    from instructeur.services.contrats import FinanceurRow, ObjectifRow, QuartierRow
    from instructeur.services.evaluateurs import EvaluateurRow
    from instructeur.services.labels import LabelRow

COTATION_CHOICES: tuple[tuple[str, int], ...] = (
    ("0 — l'égalité n'est pas un objectif", 0),
    ("1 — objectif significatif", 1),
    ("2 — objectif principal", 2),
    ("Non cotée", NONE),
    ("Écart déclarée / instruite", GAP),
)
QUARTIER_TYPES = {
    "qpv": "QPV",
    "veille": "quartier de veille",
    "vecu": "quartier vécu",
    "fragile": "quartier fragile",
}

# Filter key → short French name (summary and chips).
FILTER_NAMES: dict[str, str] = {
    "statuts": "Statut",
    "objectif_id": "Axe / objectif",
    "classement_ids": "Ambition / classification",
    "quartier_id": "Quartier",
    "financeur_id": "Financeur",
    "cotation": "Cotation F/H",
    "reconduite": "Nouvelle / reconduite",
    "evaluateur_id": "Évaluateur",
    "label_id": "Label",
}


def summary_text(filters: DossierFilters) -> str:
    """« Aucun filtre », « 1 filtre actif : Statut », « 3 filtres actifs : Statut, QPV, Label »."""
    active = [name for key, name in FILTER_NAMES.items() if key in filters.to_dict()]
    if not active:
        return "Aucun filtre"
    n = len(active)
    return f"{n} filtre{'s' if n > 1 else ''} actif{'s' if n > 1 else ''} : {', '.join(active)}"


class FilterPanel(QWidget):
    changed = Signal(object)  # DossierFilters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterPanel")
        self._filters = DossierFilters()
        self._updating = False

        self.statut_list = QListWidget()
        self.statut_list.setAccessibleName("Filtrer par statut")
        self.statut_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.statut_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for statut in Statut:
            item = QListWidgetItem(statut.label)
            item.setData(Qt.ItemDataRole.UserRole, statut.value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.statut_list.addItem(item)
        self.statut_list.setSpacing(1)
        rows = self.statut_list.count()
        self.statut_list.setFixedHeight(
            (self.statut_list.sizeHintForRow(0) + 2) * rows + 2 * self.statut_list.frameWidth() + 4
        )
        self.statut_list.itemChanged.connect(self._emit)

        def combo(name: str, everything: str) -> QComboBox:
            box = QComboBox()
            box.setAccessibleName(name)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(18)
            box.addItem(everything, None)
            box.currentIndexChanged.connect(self._emit)
            return box

        self.objectif_combo = combo("Filtrer par axe ou objectif", "Tous les axes")
        self.quartier_combo = combo("Filtrer par quartier", "Tous les quartiers")
        self.financeur_combo = combo("Filtrer par financeur sollicité", "Tous les financeurs")
        self.cotation_combo = combo("Filtrer par cotation égalité F/H", "Toutes les cotations")
        for text, value in COTATION_CHOICES:
            self.cotation_combo.addItem(text, value)
        self.reconduite_combo = combo("Filtrer nouvelles ou reconduites", "Nouvelles et reconduites")
        self.reconduite_combo.addItem("Nouvelles", False)
        self.reconduite_combo.addItem("Reconduites", True)
        self.evaluateur_combo = combo("Filtrer par évaluateur", "Tous les évaluateurs")
        self.label_combo = combo("Filtrer par label", "Tous les labels")

        self.summary = QLabel("Aucun filtre")
        self.summary.setObjectName("filterSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Filtres actifs")
        self.clear_button = QPushButton("Effacer les filtres")
        self.clear_button.setAccessibleName("Effacer tous les filtres")
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)

        self.classement_combos: list[QComboBox] = []  # one per additional classification (set_choices)
        self._classification_ids: list[int] = []
        self._combo = combo
        form = self._form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setVerticalSpacing(4)
        for text, widget in (
            ("&Statut", self.statut_list),
            ("&Axe / objectif", self.objectif_combo),
            ("&Quartier (QPV)", self.quartier_combo),
            ("Fi&nanceur sollicité", self.financeur_combo),
            ("Co&tation égalité F/H", self.cotation_combo),
            ("Nouvelle / &reconduite", self.reconduite_combo),
            ("É&valuateur", self.evaluateur_combo),
            ("&Label", self.label_combo),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.summary)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)

    # --- choices (per contrat) ---------------------------------------------------------------

    def set_choices(
        self,
        objectifs: Sequence[ObjectifRow] = (),
        quartiers: Sequence[QuartierRow] = (),
        financeurs: Sequence[FinanceurRow] = (),
        evaluateurs: Sequence[EvaluateurRow] = (),
        labels: Sequence[LabelRow] = (),
        classifications: Sequence[Arbre] = (),
    ) -> None:
        """Fills the lists; the current filters are kept when their value still exists."""
        current = self._filters
        self._updating = True
        try:
            self._classification_rows(classifications)
            self._refill(
                self.objectif_combo,
                [(("\u2003" * o.niveau) + f"{o.code} — {_short(o.titre)}", o.id, o.titre) for o in objectifs],
            )
            self._refill(
                self.quartier_combo,
                [
                    (
                        q.nom if q.type == "qpv" else f"{q.nom} ({QUARTIER_TYPES.get(q.type, q.type)})",
                        q.id,
                        None,
                    )
                    for q in quartiers
                ],
            )
            self._refill(self.financeur_combo, [(f.nom, f.id, None) for f in financeurs])
            self._refill(
                self.evaluateur_combo,
                [("Sans évaluateur", NONE, None)] + [(e.nom, e.id, e.financeur) for e in evaluateurs],
            )
            self._refill(
                self.label_combo,
                [("Sans label", NONE, None)]
                + [(f"{lb.nom} ({lb.nb_dossiers})", lb.id, None) for lb in labels],
            )
        finally:
            self._updating = False
        self.set_filters(current)
        if self.filters() != current:  # a value disappeared (other contrat, deleted label)
            self._emit()

    def _classification_rows(self, classifications: Sequence[Arbre]) -> None:
        """One combo per classification, under « Axe / objectif »: its nodes, indented by level."""
        ids = [k.classification_id or 0 for k in classifications]
        if ids != self._classification_ids:
            for box in self.classement_combos:
                self._form.removeRow(box)
            self.classement_combos = []
            for n, k in enumerate(classifications):
                box = self._combo(f"Filtrer par {k.nom}", f"Toutes ({k.nom})")
                names = [*k.niveaux[:1], *(x.lower() for x in k.niveaux[1:])]
                label = QLabel(" / ".join(names) or k.nom)  # « Ambition / engagement »
                label.setToolTip(k.nom)
                label.setBuddy(box)
                self._form.insertRow(2 + n, label, box)
                self.classement_combos.append(box)
            self._classification_ids = ids
        for box, k in zip(self.classement_combos, classifications, strict=True):
            self._refill(
                box,
                [(("\u2003" * o.niveau) + f"{o.code} — {_short(o.titre)}", o.id, o.titre) for o in k.noeuds],
            )

    @staticmethod
    def _refill(box: QComboBox, items: list[tuple[str, int, str | None]]) -> None:
        box.blockSignals(True)
        try:
            while box.count() > 1:
                box.removeItem(1)
            for text, value, tip in items:
                box.addItem(text, value)
                if tip:
                    box.setItemData(box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        finally:
            box.blockSignals(False)

    # --- state -------------------------------------------------------------------------------

    def filters(self) -> DossierFilters:
        statuts = frozenset(
            Statut(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.statut_list.item(n) for n in range(self.statut_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        )
        return DossierFilters(
            statuts=statuts,
            objectif_id=self.objectif_combo.currentData(),
            classement_ids=tuple(
                b.currentData() for b in self.classement_combos if b.currentData() is not None
            ),
            quartier_id=self.quartier_combo.currentData(),
            financeur_id=self.financeur_combo.currentData(),
            cotation=self.cotation_combo.currentData(),
            reconduite=self.reconduite_combo.currentData(),
            evaluateur_id=self.evaluateur_combo.currentData(),
            label_id=self.label_combo.currentData(),
        )

    def set_filters(self, filters: DossierFilters) -> None:
        self._updating = True
        try:
            for n in range(self.statut_list.count()):
                item = self.statut_list.item(n)
                checked = Statut(item.data(Qt.ItemDataRole.UserRole)) in filters.statuts
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            for box, value in (
                (self.objectif_combo, filters.objectif_id),
                (self.quartier_combo, filters.quartier_id),
                (self.financeur_combo, filters.financeur_id),
                (self.cotation_combo, filters.cotation),
                (self.reconduite_combo, filters.reconduite),
                (self.evaluateur_combo, filters.evaluateur_id),
                (self.label_combo, filters.label_id),
            ):
                index = 0 if value is None else max(0, _find(box, value))
                box.setCurrentIndex(index)
            for box in self.classement_combos:
                box.setCurrentIndex(next((i for v in filters.classement_ids if (i := _find(box, v)) > 0), 0))
        finally:
            self._updating = False
        self._filters = self.filters()
        self._show_summary()

    def clear(self) -> None:
        if self._filters != DossierFilters():
            self.set_filters(DossierFilters())
            self.changed.emit(self._filters)

    def _emit(self, *_args: object) -> None:
        if self._updating:
            return
        filters = self.filters()
        if filters != self._filters:
            self._filters = filters
            self._show_summary()
            self.changed.emit(filters)

    def _show_summary(self) -> None:
        self.summary.setText(summary_text(self._filters))
        self.clear_button.setEnabled(bool(self._filters.count))
        for box in (
            self.objectif_combo,
            *self.classement_combos,
            self.quartier_combo,
            self.financeur_combo,
            self.cotation_combo,
            self.reconduite_combo,
            self.evaluateur_combo,
            self.label_combo,
        ):
            font = box.font()
            font.setBold(box.currentIndex() > 0)
            box.setFont(font)


def _find(box: QComboBox, value: object) -> int:
    for n in range(1, box.count()):
        data = box.itemData(n)
        if data == value and type(data) is type(value):
            return n
    return -1


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
