"""Paramètres window, « Nouveau contrat… » wizard, « Nouvelle campagne… » (offscreen, fake dialogs)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database
from tests.ui.conftest import CONTRAT
from ui.main_window import MainWindow
from ui.parametres.window import (
    EnveloppeLine,
    EnveloppesModel,
    FinanceurLine,
    FinanceursModel,
    ParametresWindow,
    RecevabiliteLine,
    RecevabiliteModel,
    quartiers_model,
)


class FakeDialogs:
    def __init__(self, answer: str = "cancel") -> None:
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.questions: list[str] = []
        self.answer = answer

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)

    def confirm(self, *args: object) -> bool:
        return True

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        self.questions.append(text)
        return self.answer


def make_window(qtbot, db: Database, dialogs: FakeDialogs) -> MainWindow:
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    return window


def open_parametres(qtbot, window: MainWindow) -> ParametresWindow:
    params = window.parametres.open_parametres()
    assert params is not None  # a child of the main window (added to qtbot), deleted on close
    return params


# --- models --------------------------------------------------------------------------------------


def test_models_pass_qtmodeltester(qtmodeltester, db: Database) -> None:
    financeurs = FinanceursModel()
    financeurs.set_lines([FinanceurLine(1, "ETAT", "État", "etat"), FinanceurLine(None, "CAF", "CAF", "caf")])
    qtmodeltester.check(financeurs)
    enveloppes = EnveloppesModel()
    enveloppes.set_lines(
        [EnveloppeLine(1, "ETAT", "État", 100_00, 150_00), EnveloppeLine(2, "EPCI", "Agglo", 0)]
    )
    qtmodeltester.check(enveloppes)
    recevabilite = RecevabiliteModel()
    recevabilite.set_lines([RecevabiliteLine(1, "CER signé", True, 3), RecevabiliteLine(None, "RIB", False)])
    qtmodeltester.check(recevabilite)
    quartiers = quartiers_model()
    contrat_id = ContratService(db).all()[0].id
    quartiers.set_rows(ContratService(db).quartiers(contrat_id))
    qtmodeltester.check(quartiers)
    # Editing
    assert enveloppes.setData(enveloppes.index(1, 1), "12 500,50")
    assert enveloppes.lines[1].enveloppe_cents == 12_500_50
    assert enveloppes.index(0, 3).data() == "-0,50\u00a0€" or enveloppes.lines[0].reste_cents == -50_00
    assert not enveloppes.setData(enveloppes.index(1, 1), "beaucoup")
    assert financeurs.setData(financeurs.index(1, 0), "caf62")
    assert financeurs.lines[1].code == "CAF62"
    assert financeurs.setData(financeurs.index(1, 2), "departement")
    assert financeurs.index(1, 2).data() == "Département"
    assert recevabilite.setData(
        recevabilite.index(1, 1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert recevabilite.lines[1].obligatoire


# --- empty database → wizard ---------------------------------------------------------------------


def test_wizard_on_empty_database_creates_contrat_and_campagne(qtbot, empty_db: Database) -> None:
    dialogs = FakeDialogs()
    window = make_window(qtbot, empty_db, dialogs)
    assert window.stack.currentWidget() is window.empty_state
    assert window.empty_state.create_contrat_button.isVisible()
    assert window.empty_state.demo_button.isVisible()  # the demo: a button, no command line

    window.empty_state.create_contrat_button.click()
    wizard = window.parametres.wizard
    assert wizard is not None  # a child of the main window
    wizard.referentiel_page.choose("boulonnais-2024")
    assert wizard.referentiel_page.tree.topLevelItemCount() == 4
    wizard.next()
    assert wizard.contrat_page.nom.text()
    wizard.contrat_page.nom.setText("Contrat de ville du Boulonnais")
    wizard.next()
    # proposed from the Boulonnais signataires (issue 13): État, EPCI, its four communes, CD, Région, CAF, bailleurs
    codes = [line.code for line in wizard.financeurs_page.model.lines]
    assert codes[:6] == ["ETAT", "EPCI", "BOULOGNE-SUR-MER", "OUTREAU", "PORTEL", "SAINT-MARTIN"]
    assert {"CD", "REGION", "CAF"} <= set(codes)
    wizard.financeurs_page.add()
    model = wizard.financeurs_page.model
    last = len(codes)
    model.setData(model.index(last, 0), "VILLE")
    model.setData(model.index(last, 1), "Ville de Wimereux")
    model.setData(model.index(last, 2), "commune")
    wizard.next()
    page = wizard.campagne_page
    page.annee.setValue(2027)
    assert page.model.rowCount() == last + 1
    page.model.setData(page.model.index(0, 1), "150 000")
    page.model.setData(page.model.index(last, 1), "20 000")
    wizard.button(wizard.WizardButton.FinishButton).click()

    assert wizard.campagne_id is not None
    current = window.current_campagne
    assert current is not None and current.id == wizard.campagne_id
    assert current.contrat == "Contrat de ville du Boulonnais" and current.annee == 2027
    assert window.stack.currentWidget() is not window.empty_state
    envs = {e.financeur_code: e.montant_cents for e in CampagneService(empty_db).enveloppes(current.id)}
    assert envs["ETAT"] == 150_000_00 and envs["VILLE"] == 20_000_00
    assert len(ContratService(empty_db).quartiers(current.contrat_id)) == 4


def test_empty_contrat_and_nouvelle_campagne(qtbot, empty_db: Database) -> None:
    dialogs = FakeDialogs()
    window = make_window(qtbot, empty_db, dialogs)
    ContratService(empty_db).create_empty("Contrat de Trifouilly")
    window.reload()
    assert "Contrat de Trifouilly" in window.empty_state.text()
    assert window.empty_state.create_campagne_button.isVisible()
    dialog = window.parametres.open_new_campagne()
    assert dialog is not None
    assert dialog.empty_radio.isChecked()  # nothing to copy
    dialog.annee.setValue(2026)
    dialog.accept()
    assert window.current_campagne is not None and window.current_campagne.annee == 2026


def test_nouvelle_campagne_copies_the_current_one(qtbot, db: Database) -> None:
    window = make_window(qtbot, db, FakeDialogs())
    titles = [a.text() for a in window.campagne_menu.actions()]
    window.campagne_menu.aboutToShow.emit()
    assert "Nouvelle ca&mpagne…" in [a.text() for a in window.campagne_menu.actions()] or titles
    dialog = window.parametres.open_new_campagne()
    assert dialog is not None and dialog.copy_radio.isChecked()
    assert dialog.annee.value() == 2027
    dialog.accept()
    assert window.current_campagne is not None and window.current_campagne.annee == 2027
    dialog2 = window.parametres.open_new_campagne()
    assert dialog2 is not None
    dialog2.annee.setValue(2027)
    dialog2.source.setCurrentIndex(dialog2.source.findData(window.current_campagne.id))
    dialog2.accept()
    assert "existe déjà" in dialog2.problems.text()
    dialog2.reject()


# --- the Paramètres window -----------------------------------------------------------------------


def test_menu_entries(qtbot, db: Database) -> None:
    window = make_window(qtbot, db, FakeDialogs())
    assert window.parametres.params_action.shortcut().toString() == "Ctrl+,"
    fichier = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in fichier.actions()]
    assert texts.index("&Nouveau contrat…") < texts.index("&Paramètres…") < texts.index("&Ouvrir une base…")
    window.reload()  # the Campagne menu is rebuilt…
    window.campagne_menu.aboutToShow.emit()  # …and the entry comes back when it opens
    assert window.parametres.new_campagne_action in window.campagne_menu.actions()


def test_edit_an_enveloppe_and_save(qtbot, db: Database) -> None:
    window = make_window(qtbot, db, FakeDialogs())
    params = open_parametres(qtbot, window)
    params.show_tab("campagne")
    tab = params.campagne_tab
    assert tab.campagne_id == window.current_campagne.id  # type: ignore[union-attr]
    assert [line.code for line in tab.enveloppes.lines] == ["ETAT", "EPCI"]
    assert not tab.save_button.isEnabled()
    tab.enveloppes.setData(tab.enveloppes.index(0, 1), "80 000")
    assert tab.modified and tab.save_button.isEnabled()
    assert params.tabs.tabText(4).endswith("•")
    assert "80\u00a0000,00" in tab.total.text()
    tab.statut.setCurrentIndex(tab.statut.findData("comite"))
    with qtbot.waitSignal(params.changed):
        tab.save_button.click()
    assert not tab.modified
    envs = {e.financeur_code: e.montant_cents for e in CampagneService(db).enveloppes(tab.campagne_id)}  # type: ignore[arg-type]
    assert envs == {"ETAT": 80_000_00}  # no enveloppe invented for EPCI
    assert window.current_campagne is not None and window.current_campagne.statut == "comite"  # reloaded


def test_add_a_financeur_and_refuse_removing_a_used_one(qtbot, db: Database) -> None:
    dialogs = FakeDialogs()
    window = make_window(qtbot, db, dialogs)
    params = open_parametres(qtbot, window)
    params.show_tab("financeurs")
    tab = params.financeurs_tab
    assert tab.model.lines[0].used and "dossiers" in tab.model.lines[0].usage
    tab.table.setCurrentIndex(tab.model.index(0, 0))
    assert not tab.remove_current()
    assert "ne peut pas être retiré" in dialogs.errors[-1]
    index = tab.add()
    tab.table.closePersistentEditor(index)
    tab.model.setData(tab.model.index(2, 0), "caf")
    tab.model.setData(tab.model.index(2, 1), "Caisse d'allocations familiales")
    tab.model.setData(tab.model.index(2, 2), "caf")
    assert tab.save()
    codes = [f.code for f in ContratService(db).financeurs(params.contrat_id)]
    assert codes == ["ETAT", "EPCI", "CAF"]
    # The campagne tab shows the new financeur's line (no enveloppe yet).
    assert [line.code for line in params.campagne_tab.enveloppes.lines] == ["ETAT", "EPCI", "CAF"]
    # A duplicate code is refused in the tab, nothing written.
    tab.add()
    tab.model.setData(tab.model.index(3, 0), "ETAT")
    tab.model.setData(tab.model.index(3, 1), "Doublon")
    assert not tab.save()
    assert "déjà utilisé" in tab.problems.text()


def test_unsaved_changes_guard(qtbot, db: Database) -> None:
    dialogs = FakeDialogs(answer="cancel")
    window = make_window(qtbot, db, dialogs)
    params = open_parametres(qtbot, window)
    params.contrat_tab.nom.setText("Nouveau nom")
    params.contrat_tab.mark()
    assert params.isWindowModified()
    assert not params.close()  # « Annuler » keeps the window open
    assert "Contrat" in dialogs.questions[-1]
    # Switching campagne with unsaved enveloppes asks too; « Annuler » stays on the same one.
    tab = params.campagne_tab
    before = tab.campagne_id
    tab.enveloppes.setData(tab.enveloppes.index(0, 1), "1")
    other = next(n for n in range(tab.choice.count()) if tab.choice.itemData(n) != before)
    tab._on_choice(other)
    assert tab.campagne_id == before
    dialogs.answer = "save"
    assert params.close()
    assert ContratService(db).get(params.contrat_id).nom == "Nouveau nom"
    assert CONTRAT != "Nouveau nom"


def test_contrat_tab_shows_siren_problem(qtbot, db: Database) -> None:
    window = make_window(qtbot, db, FakeDialogs())
    params = open_parametres(qtbot, window)
    tab = params.contrat_tab
    tab.siren.setText("123456789")
    tab.mark()
    assert not tab.save()
    assert "SIREN invalide" in tab.problems.text()
    tab.siren.setText("200040442")
    tab.signataires.setPlainText("Le Préfet\nLe Président")
    assert tab.save()
    assert ContratService(db).detail(params.contrat_id).signataires == ("Le Préfet", "Le Président")


def test_quartiers_tab_add_and_refuse_delete(qtbot, db: Database) -> None:
    dialogs = FakeDialogs()
    window = make_window(qtbot, db, dialogs)
    params = open_parametres(qtbot, window)
    tab = params.quartiers_tab
    assert tab.model.rowCount() == 2
    dialog = tab.open_dialog(None)
    dialog.nom.setText("Les Tilleuls")
    dialog.code.setText("QX")
    dialog.accept()
    assert "code QPV invalide" in dialog.problems.text() and dialog.isVisible()
    dialog.code.setText("QN06201M")
    dialog.population.setValue(1200)
    dialog.communes.setText("Port-Rivière, Saint-Gilles")
    dialog.accept()
    assert tab.model.rowCount() == 3
    row = next(r for r in range(3) if tab.model.row_at(r).nom == "Les Glycines")
    tab.table.setCurrentIndex(tab.model.index(row, 0))
    assert not tab.delete_current()
    assert "dossiers le ciblent" in dialogs.errors[-1]
    assert params.cadre_tab.tree.topLevelItemCount() == 0
