"""Paramètres › Cadre stratégique driven with qtbot: build a tree, rename the levels, move and delete
nodes (refused with the count when dossiers are rattachés), a classification, the axes transversaux,
xlsx export then import, and a tree changed by someone else meanwhile."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import select

from instructeur.services.cadre import CadreService
from instructeur.services.classifications import ClassificationService
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier
from ui.parametres.cadre import CadreTab


class FakeDialogs:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.choice: str | None = None
        self.path: Path | None = None

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)

    def confirm(self, *args: object) -> bool:
        return True

    def ask_choice(self, parent: object, title: str, label: str, options: list[str], **kw: object) -> str | None:
        return next((o for o in options if self.choice and o.startswith(self.choice)), None)

    def ask_export_path(self, *args: object) -> Path | None:
        return self.path

    def ask_open_path(self, *args: object) -> Path | None:
        return self.path


def _tab(qtbot, db: Database, dialogs: FakeDialogs) -> CadreTab:  # type: ignore[no-untyped-def]
    contrat_id = ContratService(db).all()[0].id
    tab = CadreTab(db, contrat_id, dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(tab)
    tab.resize(1100, 640)
    tab.show()
    return tab


def _add(tab: CadreTab, mode: str, code: str, titre: str) -> None:
    dialog = tab.open_node_dialog(mode)
    assert dialog is not None
    dialog.code.setText(code)
    dialog.titre.setPlainText(titre)
    dialog.accept()
    assert not dialog.problems.isVisible(), dialog.problems.text()


def _codes(tab: CadreTab) -> list[str]:
    return [item.text(0) for item in sorted(tab._items(), key=lambda i: tab.tree.indexFromItem(i).row())]


def test_build_edit_and_protect_a_cadre(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialogs = FakeDialogs()
    tab = _tab(qtbot, db, dialogs)
    assert tab.tree.topLevelItemCount() == 0 and "Arbre vide" in tab.view.summary.text()
    _add(tab, "sibling", "1", "Cohésion sociale")
    _add(tab, "child", "1.1", "Réussite éducative")
    _add(tab, "sibling", "1.2", "Santé")
    tab.select("1")
    _add(tab, "sibling", "2", "Emploi")
    assert [tab.tree.topLevelItem(i).text(0) for i in range(2)] == ["1", "2"]  # type: ignore[union-attr]
    # a duplicate code stays in the dialog with the reason
    dialog = tab.open_node_dialog("sibling")
    assert dialog is not None
    dialog.code.setText("1.1")
    dialog.titre.setPlainText("Doublon")
    dialog.accept()
    assert dialog.isVisible() and "déjà utilisé" in dialog.problems.text()
    dialog.reject()

    tab.view.niveaux.setText("Pilier | Objectif")
    assert tab.apply_niveaux()
    assert tab.tree.topLevelItem(0).child(0).text(2) == "Objectif"  # type: ignore[union-attr]
    tab.select("1.2")
    assert tab.move_node(-1)
    assert tab.tree.topLevelItem(0).child(0).text(0) == "1.2"  # type: ignore[union-attr]
    dialogs.choice = "2 —"
    assert tab.reparent()
    assert tab.tree.topLevelItem(1).child(0).text(0) == "1.2"  # type: ignore[union-attr]

    # a node a dossier is rattaché to cannot go
    arbre = CadreService(db).arbre(tab.contrat_id)
    node = next(n for n in arbre.noeuds if n.code == "1.1")
    with db.session() as s:
        s.scalars(select(Dossier)).first().objectif_id = node.id  # type: ignore[union-attr]
    tab.load_tree()
    tab.select("1")
    assert not tab.delete_current()
    assert "1 dossier est rattaché à cet objectif ou à ses sous-objectifs" in dialogs.errors[-1]
    tab.select("2")
    assert tab.delete_current()
    assert [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())] == ["1"]  # type: ignore[union-attr]

    # someone else changes the tree: the next action is refused and the tree reloaded
    fresh = CadreService(db, user="autre").arbre(tab.contrat_id)
    CadreService(db, user="autre").ajouter(tab.contrat_id, None, fresh.jeton, None, "9", "Ajouté ailleurs")
    tab.select("1")
    assert not tab.delete_current()
    assert "modifié par un autre utilisateur" in dialogs.errors[-1]
    assert "9" in [i.text(0) for i in tab._items()]

    # export, then import the same file: nothing lost
    dialogs.path = tmp_path / "cadre.xlsx"
    assert tab.export_file()
    rows = list(load_workbook(dialogs.path).active.iter_rows(values_only=True))
    assert rows[1] == ("1", "Pilier", "Cohésion sociale", None)  # empty parent: top level
    assert tab.import_file()
    assert "0 ajouté(s), 0 modifié(s), 0 supprimé(s)" in dialogs.infos[-1]


def test_classifications_and_axes_transversaux(qtbot, db: Database) -> None:  # type: ignore[no-untyped-def]
    dialogs = FakeDialogs()
    tab = _tab(qtbot, db, dialogs)
    dialog = tab.new_classification()
    dialog.code.setText("amb")
    dialog.nom.setText("Ambitions")
    dialog.niveaux.setText("Ambition | Engagement")
    dialog.accept()
    assert tab.view.arbre.count() == 2 and tab.classification_id() is not None
    assert tab.view.niveaux.text() == "Ambition | Engagement"
    _add(tab, "sibling", "A1", "Mieux repérer")
    assert ClassificationService(db).classifications(tab.contrat_id)[0].noeuds == 1
    # links with the main cadre: none yet there, so the checklist is empty; add one objectif first
    tab.select("A1")
    assert tab.view.links.isEnabled()
    links = tab.edit_links()
    assert links is not None and links.list.count() == 0
    links.reject()
    objectif, _ = CadreService(db).ajouter(tab.contrat_id, None, CadreService(db).arbre(tab.contrat_id).jeton, None, "1", "Cohésion")
    tab.load_tree()
    tab.select("A1")
    links = tab.edit_links()
    assert links is not None and links.list.count() == 1
    links.list.item(0).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    links.accept()
    assert ClassificationService(db).liens(tab.contrat_id) == [("A1", "1")]
    assert "Lié à : 1" in tab.tree.topLevelItem(0).toolTip(1)  # type: ignore[union-attr]
    tab.view.arbre.setCurrentIndex(0)
    assert [i.text(0) for i in tab._items()] == ["1"]  # the main cadre is another tree
    assert not tab.view.links.isEnabled()
    tab.view.arbre.setCurrentIndex(1)
    assert tab.delete_classification()
    assert ClassificationService(db).liens(tab.contrat_id) == []  # its links went with it
    assert tab.view.arbre.count() == 1

    tab.add_axe()
    tab.view.axes.item(0).setText("Égalité femmes-hommes")  # type: ignore[union-attr]
    tab.add_axe()
    tab.view.axes.item(1).setText("Jeunesse")  # type: ignore[union-attr]
    tab.view.axes.setCurrentRow(1)
    tab.move_axe(-1)
    assert tab.save_axes()
    assert [a.titre for a in CadreService(db).axes(tab.contrat_id)] == ["Jeunesse", "Égalité femmes-hommes"]
    tab.view.axes.item(0).setText(" ")  # type: ignore[union-attr]
    assert not tab.save_axes() and "intitulé obligatoire" in tab.view.axes_problems.text()
