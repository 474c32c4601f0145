"""The first run, walked as a new user would (issue 11): an empty base, « Créer mon contrat »,
the empty list's buttons, then every link of the campagne's path on the tableau de bord leads to
the window or the filtered list that does that step's work."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from instructeur.domain.statuts import Statut
from instructeur.services.campagnes import CampagneService
from instructeur.storage.db import Database
from tests.ui.test_parametres import FakeDialogs, make_window
from ui.main_window import MainWindow

# What each link of the path opens: a window (its class) or the list, filtered or not.
WINDOWS = {
    "parametres": "ParametresWindow",
    "lettres-reglages": "NotificationsWindow",  # on its « Réglages des lettres » page
    "import": "ImportWizard",
    "nouveau": "FicheDossier",
    "evaluateurs": "EvaluateursWindow",
    "comite": "PreparationWindow",
    "notifications": "NotificationsWindow",
    "exports": "ExportsDialog",
}
LISTS = {"liste", "filtre", "sans-evaluateur"}


def _opened(before: set[int]) -> list[QWidget]:
    """Visible windows that were not open before (top-level widgets and dialogs)."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w.isWindow() and id(w) not in before and not isinstance(w, MainWindow)
    ]


def _visible() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def _create_contrat(window: MainWindow) -> None:
    window.empty_state.create_contrat_button.click()
    wizard = window.parametres.wizard
    assert wizard is not None
    wizard.referentiel_page.choose("boulonnais-2024")
    wizard.next()
    wizard.next()
    wizard.next()
    wizard.campagne_page.annee.setValue(2027)
    wizard.button(wizard.WizardButton.FinishButton).click()


def test_first_run_to_every_step_of_the_path(qtbot, empty_db: Database) -> None:
    window = make_window(qtbot, empty_db, FakeDialogs())
    assert window.stack.currentWidget() is window.empty_state
    _create_contrat(window)
    assert window.current_campagne is not None and window.current_campagne.annee == 2027

    # A campagne without dossier: the empty list says what to do, with the two buttons.
    assert window.list_stack.currentWidget() is window.empty_list
    for button, expected in (
        (window.empty_list.new_button, "FicheDossier"),
        (window.empty_list.import_button, "ImportWizard"),
    ):
        before = _visible()
        button.click()
        opened = _opened(before)
        assert [type(w).__name__ for w in opened] == [expected]
        opened[0].close()

    # The tableau de bord: every step has its state and its buttons, each leading to its work.
    window.reporting.show_dashboard()
    panel = window.reporting.dashboard.parcours_panel
    assert list(panel.rows) == [
        "parametres",
        "dossiers",
        "recevabilite",
        "notation",
        "instruction",
        "comite",
        "lettres",
        "programmation",
        "suivi",
    ]
    followed = set()
    for key, (_pill, _text, buttons) in panel.rows.items():
        assert buttons, f"l'étape {key} n'a pas de bouton"
        for button in buttons:
            link = button.objectName().removeprefix(f"etape_{key}_")
            window.reporting.show_dashboard()
            before = _visible()
            button.click()
            qtbot.wait(10)
            opened = _opened(before)
            if link in LISTS:
                assert (
                    not opened and window.reporting.tabs.currentWidget() is window.reporting.dossiers_page
                ), link
                statuts = panel.parcours.etape(key).statuts if panel.parcours else ()
                if link == "filtre":
                    assert window.workspace.panel.filters().statuts == frozenset(Statut(s) for s in statuts)
            else:
                assert [type(w).__name__ for w in opened] == [WINDOWS[link]], (
                    link,
                    [type(w).__name__ for w in opened],
                )
                for w in opened:
                    w.close()
            followed.add(link)
    assert followed == set(WINDOWS) | {"filtre", "sans-evaluateur"}

    # The campagne's statut: proposed, never moved behind the user's back.
    panel = window.reporting.dashboard.parcours_panel
    if panel.banner_row.isVisibleTo(panel):
        proposed = panel.parcours.statut_propose if panel.parcours else None
        panel.statut_button.click()
        campagne = window.current_campagne
        assert campagne is not None and CampagneService(empty_db).detail(campagne.id).statut == proposed
