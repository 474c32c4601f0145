"""Tableau de bord: every figure equals `SyntheseService`; it follows the campagne shown."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from instructeur.services.campagnes import CampagneService
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database
from tests.exports import build_scenario
from ui.charts import euros, integer
from ui.dashboard import Dashboard, enveloppe_totals
from ui.main_window import MainWindow


def test_tiles_and_charts_equal_the_synthesis(qtbot: QtBot, empty_db: Database) -> None:
    scenario = build_scenario(empty_db)
    cid = scenario.world.campagne_id
    s = SyntheseService(empty_db).campagne(cid)
    dashboard = Dashboard(empty_db)
    qtbot.addWidget(dashboard)
    dashboard.set_campagne(cid)
    assert dashboard.stale and dashboard.loads == 0  # hidden: read when shown
    dashboard.resize(1400, 900)
    dashboard.show()
    assert dashboard.loads == 1 and dashboard.synthese == s

    t = s.totaux
    assert dashboard.tiles["dossiers"].value.text() == integer(t.nb_dossiers) == "6"
    assert dashboard.tiles["demande"].value.text() == euros(t.demande_cents)
    assert dashboard.tiles["vote"].value.text() == euros(t.vote_cents)
    env_total, _vote, reste = enveloppe_totals(s)
    assert env_total == 150_000_00  # ETAT 100 000 + EPCI 50 000 (no enveloppe for the CAF)
    assert reste == 150_000_00 - (98_000_00 + 3_000_01) - 4_000_00
    assert dashboard.tiles["enveloppes"].value.text() == euros(env_total)
    assert dashboard.tiles["reste"].value.text() == euros(reste)

    statuts = [c for c in s.statuts if c.nombre]
    assert dashboard.statuts_chart.labels() == [c.label for c in statuts]
    assert dashboard.statuts_chart.values() == [c.nombre for c in statuts]

    rows = dashboard.financeurs_chart.rows()
    by_code = {f.code: f for f in s.financeurs}
    assert [(r.value, r.target) for r in rows] == [
        (by_code[c].vote_cents, by_code[c].enveloppe_cents) for c in ("ETAT", "EPCI", "CAF")
    ]

    assert dashboard.axes_chart.values(0) == [a.total.demande_cents for a in s.axes]
    assert dashboard.axes_chart.values(1) == [a.total.vote_cents for a in s.axes]
    assert dashboard.quartiers_chart.labels() == [q.nom for q in s.quartiers]
    assert sum(dashboard.quartiers_chart.values(1)) == t.vote_cents  # split to the cent
    cotations = [c for c in s.cotations if c.niveau is not None or c.nb_entree or c.nb_sortie]
    assert dashboard.cotations_chart.values(0) == [c.demande_entree_cents for c in cotations]
    assert dashboard.cotations_chart.values(1) == [c.vote_sortie_cents for c in cotations]
    assert "%" in dashboard.cotations_chart.text(0, 0)
    assert dashboard.natures_chart.values(0) == [n.demande_cents for n in s.natures]
    assert dashboard.natures_chart.values(1) == [n.vote_cents for n in s.natures]
    assert dashboard.natures_chart.labels()[1].startswith("Reconduites (1")


def test_main_window_dashboard_follows_the_campagne(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    reporting = window.reporting
    assert reporting.tabs.currentWidget() is reporting.dossiers_page  # the list stays the default
    reporting.dashboard_action.trigger()
    dashboard = reporting.dashboard
    assert reporting.tabs.currentWidget() is dashboard
    assert dashboard.synthese is not None and dashboard.synthese.annee == 2026
    assert dashboard.tiles["dossiers"].value.text() == "5"

    campagne_2025 = next(c.id for c in CampagneService(window.db).all() if c.annee == 2025)
    window.select_campagne(campagne_2025)
    assert dashboard.synthese is not None and dashboard.synthese.annee == 2025
    assert dashboard.tiles["dossiers"].value.text() == "2"

    loads = dashboard.loads
    window.reload()  # F5, a fiche saved, a batch action: the list is reloaded, so is the dashboard
    assert dashboard.loads == loads + 1

    reporting.list_action.trigger()
    assert reporting.tabs.currentWidget() is reporting.dossiers_page
    window.select_campagne(next(c.id for c in CampagneService(window.db).all() if c.annee == 2026))
    assert dashboard.stale  # not read while hidden
    reporting.show_dashboard()
    assert not dashboard.stale and dashboard.synthese is not None and dashboard.synthese.annee == 2026


def test_menu_entries_and_free_shortcuts(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    reporting = window.reporting
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(reporting.export_action))]
    mine = [reporting.dashboard_action, reporting.list_action, reporting.export_action]
    for action in mine:
        assert shortcuts.count(action.shortcut().toString()) == 1, action.text()
    assert reporting.export_action.shortcut().toString() == "Ctrl+E"
    window.campagne_menu.aboutToShow.emit()
    assert reporting.notifications_action in window.campagne_menu.actions()
    window.reload()  # rebuilds the Campagne menu
    window.campagne_menu.aboutToShow.emit()
    assert reporting.notifications_action in window.campagne_menu.actions()


def test_empty_database(qtbot: QtBot, empty_db: Database) -> None:
    window = MainWindow(empty_db)
    qtbot.addWidget(window)
    reporting = window.reporting
    assert not reporting.export_action.isEnabled() and not reporting.notifications_action.isEnabled()
    assert reporting.open_exports() is None and reporting.open_notifications() is None
