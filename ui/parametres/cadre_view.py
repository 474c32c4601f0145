"""Layout of Paramètres › Cadre stratégique (behaviour in cadre.py): the tree chooser (main cadre or
a classification), the level names, the tree with its buttons, the axes transversaux panel, and the
small dialogs for a node and a classification."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError
from ui.parametres.common import _note, _problems_label, problems_text
from ui.screen_fit import FitsScreen


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


class CadreView(QWidget):
    """The widgets; `CadreTab` wires them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arbre = QComboBox()
        self.arbre.setAccessibleName("Arbre à modifier")
        self.arbre.setMinimumContentsLength(30)
        self.new_classification = _button("Nouvelle classification…", "Un autre classement des actions (ambitions…)")
        self.edit_classification = _button("Renommer…", "Code et nom de la classification")
        self.delete_classification = _button("Supprimer la classification", "Refusé si des dossiers y sont classés")
        top = QHBoxLayout()
        caption = QLabel("&Arbre :")
        caption.setBuddy(self.arbre)
        top.addWidget(caption)
        top.addWidget(self.arbre, 1)
        for b in (self.new_classification, self.edit_classification, self.delete_classification):
            top.addWidget(b)

        self.niveaux = QLineEdit()
        self.niveaux.setAccessibleName("Noms des niveaux")
        self.niveaux.setPlaceholderText("Axe | Objectif stratégique | Objectif opérationnel")
        self.niveaux.setToolTip("Noms des niveaux de l'arbre, du plus haut au plus bas, séparés par « | »")
        self.apply_niveaux = _button("Appliquer", "Enregistre les noms des niveaux")
        levels = QHBoxLayout()
        label = QLabel("&Niveaux :")
        label.setBuddy(self.niveaux)
        levels.addWidget(label)
        levels.addWidget(self.niveaux, 1)
        levels.addWidget(self.apply_niveaux)

        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Code", "Intitulé", "Niveau", "Dossiers"])
        self.tree.setAccessibleName("Cadre stratégique")
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)

        self.add_sibling = _button("Ajouter…", "Un nœud au même niveau que la sélection (ou au plus haut niveau)")
        self.add_child = _button("Ajouter un sous-niveau…", "Un nœud sous la sélection")
        self.edit = _button("Modifier…", "Code et intitulé du nœud (les dossiers restent rattachés)")
        self.up = _button("Monter", "Avant le nœud précédent de même parent")
        self.down = _button("Descendre", "Après le nœud suivant de même parent")
        self.reparent = _button("Déplacer sous…", "Change le parent du nœud (avec ses sous-niveaux)")
        self.delete = _button("Supprimer", "Refusé tant que des dossiers y sont rattachés")
        self.links = _button("Liens avec le cadre…", "Les objectifs du cadre auxquels ce nœud de classification est lié")
        self.import_xlsx = _button("Importer un classeur…", "Remplace l'arbre par un classeur (Code, Niveau, Intitulé, Parent)")
        self.export_xlsx = _button("Exporter en classeur…", "Une ligne par nœud : Code, Niveau, Intitulé, Parent")
        actions = QGridLayout()
        for n, b in enumerate((self.add_sibling, self.add_child, self.edit, self.reparent, self.delete)):
            actions.addWidget(b, 0, n)
        for n, b in enumerate((self.up, self.down, self.links)):
            actions.addWidget(b, 1, n)
        actions.addWidget(self.import_xlsx, 1, 3)
        actions.addWidget(self.export_xlsx, 1, 4)
        self.problems = _problems_label()

        left = QVBoxLayout()
        left.addLayout(levels)
        left.addWidget(self.summary)
        left.addWidget(self.tree, 1)
        left.addLayout(actions)
        left.addWidget(self.problems)

        self.axes = QListWidget()
        self.axes.setAccessibleName("Axes transversaux")
        self.axes.setWordWrap(True)
        self.axes.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.axe_add = QPushButton("Ajouter")
        self.axe_remove = QPushButton("Retirer")
        self.axe_up = QPushButton("Monter")
        self.axe_down = QPushButton("Descendre")
        self.axes_save = QPushButton("Enregistrer les axes")
        self.axes_save.setEnabled(False)
        self.axes_problems = _problems_label()
        axes_buttons = QGridLayout()
        axes_buttons.addWidget(self.axe_add, 0, 0)
        axes_buttons.addWidget(self.axe_remove, 0, 1)
        axes_buttons.addWidget(self.axe_up, 1, 0)
        axes_buttons.addWidget(self.axe_down, 1, 1)
        box = QGroupBox("Axes &transversaux")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.axes, 1)
        box_layout.addLayout(axes_buttons)
        box_layout.addWidget(self.axes_save)
        box_layout.addWidget(self.axes_problems)
        box_layout.addWidget(_note("Double-cliquez un axe pour le renommer."))
        box.setFixedWidth(290)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(
            _note(
                "Chaque modification est enregistrée aussitôt et inscrite au journal. Un nœud auquel des "
                "dossiers sont rattachés ne peut pas être supprimé : rattachez-les d'abord ailleurs."
            )
        )


class NoeudDialog(FitsScreen, QDialog):
    """Code and intitulé of a node; « OK » calls `submit`, the dialog stays open on a refusal."""

    def __init__(
        self, title: str, submit: Callable[[str, str], None], code: str = "", titre: str = "",
        parent: QWidget | None = None, context: str = "",
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.context = QLabel(context)
        self.context.setWordWrap(True)
        self.code = QLineEdit(code)
        self.code.setMaxLength(30)
        self.code.setAccessibleName("Code")
        self.titre = QPlainTextEdit(titre)
        self.titre.setAccessibleName("Intitulé")
        self.titre.setTabChangesFocus(True)
        self.titre.setFixedHeight(110)
        self.problems = _problems_label()
        form = QFormLayout()
        form.addRow("&Code :", self.code)
        form.addRow("&Intitulé :", self.titre)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if context:
            layout.addWidget(self.context)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(560, 280)

    def accept(self) -> None:
        try:
            self.submit(self.code.text(), self.titre.toPlainText())
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            self.problems.show()
            return
        super().accept()


class ClassificationDialog(FitsScreen, QDialog):
    """Code, nom and (for a new one) level names of a classification."""

    def __init__(
        self, title: str, submit: Callable[[str, str, str], None], code: str = "", nom: str = "",
        niveaux: str | None = "Ambition | Engagement", parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.code = QLineEdit(code)
        self.code.setMaxLength(30)
        self.code.setPlaceholderText("AMB")
        self.nom = QLineEdit(nom)
        self.nom.setMaxLength(200)
        self.nom.setPlaceholderText("Ambitions de la feuille de route")
        self.niveaux = QLineEdit(niveaux or "")
        self.problems = _problems_label()
        form = QFormLayout()
        form.addRow("&Code :", self.code)
        form.addRow("&Nom :", self.nom)
        if niveaux is not None:
            form.addRow("Ni&veaux :", self.niveaux)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(520, 180)

    def accept(self) -> None:
        try:
            self.submit(self.code.text(), self.nom.text(), self.niveaux.text())
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            self.problems.show()
            return
        super().accept()


class LiensDialog(FitsScreen, QDialog):
    """The main-cadre objectifs a classification node is linked to, as a checklist."""

    def __init__(
        self, title: str, choices: list[tuple[int, str]], checked: set[int], submit: Callable[[list[int]], None],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.list = QListWidget()
        self.list.setAccessibleName("Objectifs du cadre")
        for oid, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, oid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if oid in checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.problems = _problems_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Cochez les objectifs du cadre stratégique liés à ce nœud :"))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(720, 560)

    def checked(self) -> list[int]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [int(it.data(Qt.ItemDataRole.UserRole)) for it in items if it and it.checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        try:
            self.submit(self.checked())
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            self.problems.show()
            return
        super().accept()
