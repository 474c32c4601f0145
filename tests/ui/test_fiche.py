"""The fiche dossier (offscreen; fake dialogs; every top-level added to qtbot; never exec())."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit
from sqlalchemy import update

from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierService, Ligne
from instructeur.services.fiche import FicheService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import LigneFinancement
from tests.factories import World, build_world, create_dossier
from ui.fiche import FicheDossier
from ui.fiche.fields import is_invalid
from ui.fiche.financement import COL_DEMANDE, PlanModel
from ui.fiche.historique import JOURNAL_COLUMNS
from ui.fiche.snapshot import load_snapshot
from ui.main_window import MainWindow
from ui.models.table import RowTableModel

NBSP = "\u00a0"


class FakeDialogs:
    """Answers the questions a fiche asks, and records them."""

    def __init__(self) -> None:
        self.answer = "cancel"
        self.text: str | None = None
        self.asked: list[str] = []
        self.errors: list[str] = []

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        self.asked.append(text)
        return self.answer

    def ask_text(
        self, parent: object, title: str, label: str, default: str = "", **_kw: object
    ) -> str | None:
        self.asked.append(label)
        return self.text

    def confirm(self, *args: object, **kwargs: object) -> bool:
        return True

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, *args: object) -> None:
        pass

    def report(self, *args: object, **kwargs: object) -> None:
        pass


@pytest.fixture
def world_db(tmp_path: Path) -> Iterator[tuple[Database, World]]:
    db = open_database(tmp_path / "fiche.sqlite")
    world = build_world(db)
    yield db, world
    db.close()


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


def make_main(qtbot, db: Database, dialogs: FakeDialogs) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 800)
    with qtbot.waitExposed(window):
        window.show()
    return window


def open_fiche(qtbot, db: Database, world: World, dialogs: FakeDialogs, **overrides: object):  # type: ignore[no-untyped-def]
    dossier_id = create_dossier(db, world, **overrides)
    window = make_main(qtbot, db, dialogs)
    fiche = window.open_fiche(dossier_id)
    assert fiche is not None
    fiche.activateWindow()  # window shortcuts (Ctrl+S, Échap) need the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is fiche)
    return window, fiche, dossier_id


def edit_cell(qtbot, fiche: FicheDossier, row: int, col: int, text: str) -> None:  # type: ignore[no-untyped-def]
    """Edit a cell of the plan through its editor, as the user does (text set, not typed: P3)."""
    table = fiche.financement.table
    index = fiche.financement.model.index(row, col)
    fiche.tabs.setCurrentWidget(fiche.financement)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.setText(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits through a queued call.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


# --- opening --------------------------------------------------------------------------------


def test_double_click_opens_one_fiche_with_every_tab_filled(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    dossier_id = create_dossier(db, world)
    window = make_main(qtbot, db, dialogs)
    table = window.table
    rect = table.visualRect(window.proxy.index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts with a press
    fiche = window.fiches.fiches[dossier_id]
    assert fiche.isVisible()
    assert fiche.windowTitle() == "Dossier 26-000001 — Atelier sociolinguistique[*]"
    assert [fiche.tabs.tabText(n).replace("&", "")[2:] for n in range(fiche.tabs.count())] == [
        "Identification",
        "Porteur",
        "Public et territoire",
        "Rattachement",
        "Plan de financement",
        "Recevabilité",
        "Instruction",
        "Comité et suivi",
        "Statut",
        "Historique",
    ]
    assert fiche.identification.reference.text() == "26-000001"
    assert fiche.identification.intitule.text() == "Atelier sociolinguistique"
    assert fiche.porteur.edits["raison_sociale"].text() == "Élan Solidaire"
    assert fiche.porteur.edits["siret"].text() == "73282932000074"
    assert len(fiche.public.checked_quartiers()) == 1
    assert fiche.rattachement.principal.count() > 1
    assert fiche.financement.cout_total.text() == f"12{NBSP}500,00{NBSP}€"
    assert fiche.financement.model.line_count() == 3
    assert len(fiche.recevabilite.checks) == len(
        FicheService(db).context(world.campagne_id).recevabilite_items
    )
    assert set(fiche.statut.buttons) == {Statut.RECEVABLE, Statut.INCOMPLET, Statut.IRRECEVABLE}
    assert fiche.historique.model.rowCount() == 0  # the journal is read when its tab is shown
    fiche.tabs.setCurrentWidget(fiche.historique)
    assert fiche.historique.model.rowCount() >= 1
    assert not fiche.is_modified()

    # Enter on the table, or open_fiche again: the same window comes forward, no second one.
    table.setFocus()
    table.setCurrentIndex(window.proxy.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.open_fiche(dossier_id) is fiche
    assert len(window.fiches.fiches) == 1


def test_dossier_menu_actions(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    create_dossier(db, world)
    window = make_main(qtbot, db, dialogs)
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Dossier" in titles
    assert window.open_fiche_action.text().replace("&", "") == "Ouvrir la fiche"
    assert window.new_dossier_action.shortcut().toString() == "Ctrl+N"


# --- editing and saving -----------------------------------------------------------------------


def test_edit_amount_updates_totals_and_warns_then_save(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    version = DossierService(db).get(dossier_id).version
    fiche.identification.intitule.setText("Atelier sociolinguistique — niveau 2")
    assert fiche.is_modified() and fiche.isWindowModified()

    edit_cell(qtbot, fiche, 0, COL_DEMANDE, "12 500,50")
    model = fiche.financement.model
    total_row = model.line_count()
    assert model.index(0, COL_DEMANDE).data() == f"12{NBSP}500,50{NBSP}€"
    # 12 500,50 + 4 000 + 3 500
    assert model.index(total_row, COL_DEMANDE).data() == f"20{NBSP}000,50{NBSP}€"
    assert not fiche.financement.warnings.isHidden()
    assert "diffèrent du coût total" in fiche.financement.warnings.text()

    qtbot.keyClick(fiche, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    detail = DossierService(db).get(dossier_id)
    assert detail.version == version + 1
    assert detail.data.intitule == "Atelier sociolinguistique — niveau 2"
    assert detail.data.lignes[0].demande_cents == 12_500_50
    assert not fiche.is_modified()
    assert fiche.windowTitle() == "Dossier 26-000001 — Atelier sociolinguistique — niveau 2[*]"
    intitules = [r.intitule for r in window.model.rows]
    assert intitules == ["Atelier sociolinguistique — niveau 2"]
    # The historique lists the change.
    fiche.tabs.setCurrentWidget(fiche.historique)
    texts = [fiche.historique.model.index(r, 3).data() for r in range(fiche.historique.model.rowCount())]
    assert any(
        "Intitulé : « Atelier sociolinguistique » → « Atelier sociolinguistique — niveau 2 »" in t
        for t in texts
    )


def test_unreadable_amount_and_missing_intitule_refuse_the_save(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    version = DossierService(db).get(dossier_id).version
    edit_cell(qtbot, fiche, 1, COL_DEMANDE, "douze")
    fiche.identification.intitule.setText("")
    assert not fiche.save()
    assert not fiche.banner.isHidden()
    assert "n'a pas été enregistré" in fiche.banner_label.text()
    assert is_invalid(fiche.identification.intitule)
    assert "montant illisible" in fiche.financement.warnings.text()
    assert DossierService(db).get(dossier_id).version == version


def test_cancel_restores_the_saved_values(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, _id = open_fiche(qtbot, db, world, dialogs)
    fiche.identification.intitule.setText("Autre chose")
    fiche.financement.cout_total.setText("1 000")
    fiche.recevabilite.checks[0].setChecked(True)
    assert fiche.is_modified()
    fiche.revert_button.click()
    assert fiche.identification.intitule.text() == "Atelier sociolinguistique"
    assert fiche.financement.cout_total.text() == f"12{NBSP}500,00{NBSP}€"
    assert not fiche.recevabilite.checks[0].isChecked()
    assert not fiche.is_modified()


def test_closing_with_unsaved_changes_asks(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    fiche.identification.intitule.setText("Pas encore enregistré")
    dialogs.answer = "cancel"
    qtbot.keyClick(fiche, Qt.Key.Key_Escape)
    assert dialogs.asked and "Enregistrer les modifications" in dialogs.asked[-1]
    assert fiche.isVisible()
    assert fiche.identification.intitule.text() == "Pas encore enregistré"

    dialogs.answer = "save"
    assert fiche.close()
    assert DossierService(db).get(dossier_id).data.intitule == "Pas encore enregistré"
    assert dossier_id not in window.fiches.fiches


def test_closing_and_discarding(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    fiche.identification.intitule.setText("Abandonné")
    dialogs.answer = "discard"
    assert fiche.close()
    assert DossierService(db).get(dossier_id).data.intitule == "Atelier sociolinguistique"
    assert window.open_fiche(dossier_id) is not fiche  # a fresh fiche


def test_concurrent_change_is_explained_and_edits_kept(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    detail = DossierService(db).get(dossier_id)
    DossierService(db, user="bob").update(
        dossier_id, detail.version, dataclasses.replace(detail.data, intitule="Version de Bob")
    )
    fiche.identification.intitule.setText("Ma version")
    assert not fiche.save()
    assert not fiche.banner.isHidden()
    assert "modifié par bob" in fiche.banner_label.text()
    assert fiche.reload_button.isVisibleTo(fiche)
    assert fiche.identification.intitule.text() == "Ma version"
    assert fiche.is_modified()
    assert DossierService(db).get(dossier_id).data.intitule == "Version de Bob"
    fiche.reload_button.click()
    assert fiche.identification.intitule.text() == "Version de Bob"
    assert not fiche.is_modified()


def test_recevabilite_saved_with_the_fiche(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    version = DossierService(db).get(dossier_id).version
    fiche.recevabilite.checks[1].setChecked(True)
    fiche.recevabilite.comments[1].setText("signé le 2 mars")
    assert fiche.save()
    rows = FicheService(db).recevabilite(dossier_id)
    assert rows[1].ok and rows[1].commentaire == "signé le 2 mars"
    assert DossierService(db).get(dossier_id).version == version + 1


# --- statut -------------------------------------------------------------------------------------


def test_statut_buttons_and_required_motivation(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    assert "Irrecevable" in fiche.statut.buttons[Statut.IRRECEVABLE].text()
    dialogs.text = None  # the user cancels the motivation
    fiche.statut.buttons[Statut.IRRECEVABLE].click()
    assert dialogs.asked and "Motivation" in dialogs.asked[-1]
    assert DossierService(db).get(dossier_id).statut is Statut.DEPOSE

    dialogs.text = "Action hors du champ de la politique de la ville"
    fiche.statut.buttons[Statut.IRRECEVABLE].click()
    assert DossierService(db).get(dossier_id).statut is Statut.IRRECEVABLE
    assert fiche.statut_pill.text() == "Irrecevable"
    assert set(fiche.statut.buttons) == {Statut.DEPOSE}  # only the reopening is left
    assert window.model.rows[0].statut is Statut.IRRECEVABLE
    fiche.tabs.setCurrentWidget(fiche.historique)
    texts = [fiche.historique.model.index(r, 3).data() for r in range(fiche.historique.model.rowCount())]
    assert any("Déposé → Irrecevable" in t and "hors du champ" in t for t in texts)


def test_statut_change_with_unsaved_edits_asks_to_save_first(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, dossier_id = open_fiche(qtbot, db, world, dialogs)
    fiche.identification.intitule.setText("Modifié avant recevabilité")
    for box in fiche.recevabilite.checks:  # « recevable » needs the mandatory points
        box.setChecked(True)
    dialogs.answer = "save"
    fiche.statut.buttons[Statut.RECEVABLE].click()
    detail = DossierService(db).get(dossier_id)
    assert detail.statut is Statut.RECEVABLE
    assert detail.data.intitule == "Modifié avant recevabilité"


# --- porteur --------------------------------------------------------------------------------------


def test_invalid_siret_is_shown_in_red(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    _window, fiche, _id = open_fiche(qtbot, db, world, dialogs)
    siret = fiche.porteur.edits["siret"]
    siret.setText("73282932000075")
    assert is_invalid(siret)
    assert "clé de contrôle" in siret.toolTip()
    assert "SIRET invalide" in fiche.porteur.siret_state.text()
    fiche.porteur.edits["rna"].setText("X123")
    assert is_invalid(fiche.porteur.edits["rna"])
    assert not fiche.save()
    siret.setText("732 829 320 00074")
    assert not is_invalid(siret)
    assert "numéro valide" in fiche.porteur.siret_state.text()


def test_porteur_history_shows_other_dossiers(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    other = create_dossier(
        db,
        world,
        reference="26-000009",
        lignes=(Ligne(world.financeurs["ETAT"], "", 1_000_00, 900_00),),
    )
    with db.session() as s:  # the vote as a comité recorded it (no save path may write one)
        s.execute(
            update(LigneFinancement).where(LigneFinancement.dossier_id == other).values(vote_cents=800_00)
        )
    _window, fiche, _id = open_fiche(qtbot, db, world, dialogs)
    model = fiche.porteur.history_model
    assert model.rowCount() == 1
    assert model.index(0, 1).data() == "26-000009"
    assert model.index(0, 5).data() == f"800,00{NBSP}€"


def test_new_dossier_with_a_new_porteur(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    window = make_main(qtbot, db, dialogs)
    fiche = window.new_dossier()
    assert fiche is not None
    assert fiche.windowTitle() == "Nouveau dossier[*]"
    assert fiche.identification.reference.text() == "26-000001"
    fiche.identification.intitule.setText("Jardins partagés")
    fiche.porteur.edits["raison_sociale"].setText("Les Jardiniers du Quartier")
    fiche.porteur.edits["siret"].setText("73282932000074")  # already used by Élan Solidaire
    assert not fiche.save()
    assert "déjà utilisé" in fiche.banner_label.text()
    fiche.porteur.edits["siret"].setText("")
    assert fiche.save()
    rows = DossierService(db).list_rows(world.campagne_id)
    assert [(r.reference, r.porteur, r.intitule) for r in rows] == [
        ("26-000001", "Les Jardiniers du Quartier", "Jardins partagés")
    ]
    assert [r.intitule for r in window.model.rows] == ["Jardins partagés"]
    assert fiche.windowTitle().startswith("Dossier 26-000001")
    assert window.fiches.fiches[rows[0].id] is fiche


# --- models -------------------------------------------------------------------------------------


def test_models_pass_qtmodeltester(qtmodeltester, world_db) -> None:
    db, world = world_db
    dossier_id = create_dossier(db, world)
    context = FicheService(db).context(world.campagne_id)
    plan = PlanModel(context)
    plan.set_lignes(DossierService(db).get(dossier_id).data.lignes)
    plan.set_cout_total(12_500_00)
    qtmodeltester.check(plan)
    assert plan.setData(plan.index(0, COL_DEMANDE), "1 234,5")
    assert plan.lignes()[0].demande_cents == 1_234_50
    qtmodeltester.check(plan)
    journal: RowTableModel = RowTableModel(JOURNAL_COLUMNS)
    journal.set_rows(FicheService(db).journal(dossier_id))
    qtmodeltester.check(journal)


def test_fiche_without_main_window(qtbot, world_db, dialogs) -> None:
    db, world = world_db
    dossier_id = create_dossier(db, world)
    context = FicheService(db).context(world.campagne_id)
    fiche = FicheDossier(db, context, load_snapshot(db, dossier_id), dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(fiche)
    fiche.show()
    fiche.public.public_prevu.setText("20")
    fiche.public.public_femmes.setText("15")
    fiche.public.public_hommes.setText("10")
    assert is_invalid(fiche.public.public_hommes)
    assert not fiche.save()
    assert "dépassent" in fiche.banner_label.text()
    QApplication.processEvents()
