"""Tab « Rattachement »: the main objectif of the cadre stratégique (one), secondary ones (several,
checked in the tree), one node per additional classification of the contrat (Saint-Omer's
ambitions › engagements: one combo each) and the axes transversaux."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.fiche import ClassificationChoice, FicheContext

ID_ROLE = Qt.ItemDataRole.UserRole


class RattachementTab(QWidget):
    changed = Signal()

    def __init__(self, context: FicheContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: dict[int, QTreeWidgetItem] = {}
        self._main: int | None = None
        niveaux = context.niveaux

        self.principal = QComboBox()
        self.principal.setAccessibleName("Objectif principal")
        self.principal.addItem("— Aucun objectif principal —", None)
        for node in context.objectifs:
            indent = "    " * node.niveau
            self.principal.addItem(f"{indent}{node.code}  {node.titre}", node.id)
            self.principal.setItemData(self.principal.count() - 1, node.titre, Qt.ItemDataRole.ToolTipRole)
        self.principal.setMaxVisibleItems(20)
        self.principal.setMinimumContentsLength(40)
        self.principal.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        principal_label = QLabel("Objectif &principal :")
        principal_label.setBuddy(self.principal)
        # One combo per additional classification (its nodes; the dossier is classé in one at most).
        self.classement_combos = [_classification_combo(k) for k in context.classifications]

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Cadre stratégique : objectifs secondaires")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Code", "Intitulé", "Rattachement"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeView::item { padding: 2px 0; }")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip(
            "Cochez les objectifs secondaires (Espace) ; « Définir comme principal » (Ctrl+P) pour l'objectif principal"
        )
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        for node in context.objectifs:
            parent_item = self._items.get(node.parent_id) if node.parent_id is not None else None
            item = QTreeWidgetItem([node.code, node.titre, ""])
            item.setData(0, ID_ROLE, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            niveau = niveaux[node.niveau] if node.niveau < len(niveaux) else ""
            item.setToolTip(1, f"{niveau} {node.code} : {node.titre}".strip())
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            self._items[node.id] = item
        self.tree.expandAll()
        self.set_main_button = QPushButton("Définir comme &principal")
        self.set_main_button.setToolTip(
            "L'objectif sélectionné dans l'arbre devient l'objectif principal (Ctrl+P)"
        )
        QShortcut(QKeySequence("Ctrl+P"), self.tree, self._set_main_from_tree)
        self.secondaires_count = QLabel()

        cadre_box = QGroupBox("Cadre stratégique" + (f" ({' › '.join(niveaux)})" if niveaux else ""))
        cadre = QVBoxLayout(cadre_box)
        top = QHBoxLayout()
        top.addWidget(principal_label)
        top.addWidget(self.principal, 1)
        cadre.addLayout(top)
        for k, box in zip(context.classifications, self.classement_combos, strict=True):
            row = QHBoxLayout()
            names = [k.niveaux[0], *(n.lower() for n in k.niveaux[1:])] if k.niveaux else [k.nom]
            label = QLabel(f"{' / '.join(names)} :")  # « Ambition / engagement : »
            label.setToolTip(k.nom)
            label.setBuddy(box)
            row.addWidget(label)
            row.addWidget(box, 1)
            cadre.addLayout(row)
            box.currentIndexChanged.connect(self.changed)
        secondaires_label = QLabel("Objectifs &secondaires : cochez-les dans l'arbre.")
        secondaires_label.setBuddy(self.tree)
        cadre.addWidget(secondaires_label)
        cadre.addWidget(self.tree, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.secondaires_count)
        bottom.addStretch(1)
        bottom.addWidget(self.set_main_button)
        cadre.addLayout(bottom)

        self.axes: list[QCheckBox] = []
        self._axe_ids: list[int] = []
        axes_box = QGroupBox("Axes transversaux")
        axes_layout = QVBoxLayout(axes_box)
        for axe in context.axes:
            box = QCheckBox(axe.titre)
            self._axe_ids.append(axe.id)
            box.setToolTip(axe.titre)
            box.toggled.connect(self.changed)
            self.axes.append(box)
            axes_layout.addWidget(box)
        if not context.axes:
            axes_layout.addWidget(QLabel("Aucun axe transversal dans ce contrat."))
        axes_layout.addStretch(1)
        axes_box.setMinimumWidth(300)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(16)
        layout.addWidget(cadre_box, 5)
        layout.addWidget(axes_box, 2)

        self.principal.currentIndexChanged.connect(self._on_main)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.set_main_button.clicked.connect(self._set_main_from_tree)

    # --- values ---------------------------------------------------------------------------

    def load(
        self,
        objectif_id: int | None,
        secondaires: tuple[int, ...],
        axes: tuple[int, ...],
        classements: tuple[int, ...] = (),
    ) -> None:
        for box in self.classement_combos:
            box.blockSignals(True)
            box.setCurrentIndex(next((i for n in classements if (i := box.findData(n)) > 0), 0))
            box.blockSignals(False)
        self.tree.blockSignals(True)
        try:
            for oid, item in self._items.items():
                item.setCheckState(
                    0, Qt.CheckState.Checked if oid in secondaires else Qt.CheckState.Unchecked
                )
        finally:
            self.tree.blockSignals(False)
        self.principal.blockSignals(True)
        self.principal.setCurrentIndex(max(self.principal.findData(objectif_id), 0))
        self.principal.blockSignals(False)
        for box, axe_id in zip(self.axes, self._axe_ids, strict=True):
            box.blockSignals(True)
            box.setChecked(axe_id in axes)
            box.blockSignals(False)
        self._show_main(self.principal.currentData())

    def objectif_id(self) -> int | None:
        value = self.principal.currentData()
        return int(value) if value is not None else None

    def secondaires(self) -> tuple[int, ...]:
        main = self.objectif_id()
        return tuple(
            sorted(
                oid
                for oid, item in self._items.items()
                if item.checkState(0) == Qt.CheckState.Checked and oid != main
            )
        )

    def classements(self) -> tuple[int, ...]:
        """The chosen node of each classification (none chosen: nothing)."""
        return tuple(sorted(int(b.currentData()) for b in self.classement_combos if b.currentData() is not None))

    def axes_transversaux(self) -> tuple[int, ...]:
        return tuple(sorted(a for b, a in zip(self.axes, self._axe_ids, strict=True) if b.isChecked()))

    # --- internals ------------------------------------------------------------------------

    def _set_main_from_tree(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.principal.setCurrentIndex(self.principal.findData(item.data(0, ID_ROLE)))

    def _on_main(self, _index: int) -> None:
        self._show_main(self.principal.currentData())
        self.changed.emit()

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self._show_main(self._main)
            self.changed.emit()

    def _show_main(self, main: int | None) -> None:
        self._main = main
        self.tree.blockSignals(True)
        try:
            for oid, item in self._items.items():
                font = item.font(1)
                is_main = oid == main
                font.setWeight(QFont.Weight.Bold if is_main else QFont.Weight.Normal)
                item.setFont(0, font)
                item.setFont(1, font)
                secondary = item.checkState(0) == Qt.CheckState.Checked
                item.setText(2, "principal" if is_main else ("secondaire" if secondary else ""))
                if is_main and secondary:  # the main objectif is not also a secondary one
                    item.setCheckState(0, Qt.CheckState.Unchecked)
                    item.setText(2, "principal")
        finally:
            self.tree.blockSignals(False)
        n = len(self.secondaires())
        self.secondaires_count.setText(
            "Aucun objectif secondaire"
            if n == 0
            else f"{n} objectif{'s' if n > 1 else ''} secondaire{'s' if n > 1 else ''}"
        )
        if main is not None and main in self._items:
            self.tree.scrollToItem(self._items[main])


def _classification_combo(k: ClassificationChoice) -> QComboBox:
    """« — Non classé — », then the nodes indented by level (« A1  Mieux repérer… »)."""
    box = QComboBox()
    box.setAccessibleName(f"{k.nom} ({' › '.join(k.niveaux)})")
    box.addItem("— Non classé —", None)
    for node in k.noeuds:
        box.addItem(f"{'    ' * node.niveau}{node.code}  {node.titre}", node.id)
        box.setItemData(box.count() - 1, f"{node.code} : {node.titre}", Qt.ItemDataRole.ToolTipRole)
    box.setMaxVisibleItems(20)
    box.setMinimumContentsLength(40)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setToolTip(f"{k.nom} : {' ou '.join(n.lower() for n in k.niveaux)} auquel l'action se rattache")
    return box
