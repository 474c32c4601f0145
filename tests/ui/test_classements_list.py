"""Saint-Omer's ambitions in the dossiers list filters and on the tableau de bord."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from instructeur.services.cadre import CadreService
from instructeur.services.classifications import ClassificationService
from instructeur.services.dossiers import DossierService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Objectif
from tests.exports import _set, _votes
from tests.factories import World, build_world, create_dossier
from tests.shots import shot
from ui.dashboard import Dashboard
from ui.filters import FilterPanel, summary_text
from ui.models.dossiers import DossierFilters


@pytest.fixture
def so(tmp_path: Path) -> Iterator[tuple[Database, World, dict[str, int], list[int]]]:
    db = open_database(tmp_path / "so.sqlite")
    world = build_world(db, "saint-omer-2024")
    with db.session() as s:
        c = dict(s.execute(select(Objectif.code, Objectif.id)).all())
    ids = [
        create_dossier(db, world, "26-000001", objectif_id=c["3.2"], classements=(c["A2.4"],)),
        create_dossier(db, world, "26-000002", objectif_id=c["4.2"], classements=(c["A7.3"],)),
        create_dossier(db, world, "26-000003", objectif_id=c["1.1"]),
    ]
    for did in ids:
        _set(db, did, statut="retenu", decision="retenu")
    _votes(db, ids[0], {world.financeurs["ETAT"]: 4_000_00})
    _votes(db, ids[1], {world.financeurs["EPCI"]: 2_000_00})
    yield db, world, c, ids
    db.close()


def test_filter_per_classification(qtbot: QtBot, so) -> None:  # type: ignore[no-untyped-def]
    db, world, c, ids = so
    arbres = [CadreService(db).arbre(world.contrat_id, k.id) for k in ClassificationService(db).classifications(world.contrat_id)]
    panel = FilterPanel()
    qtbot.addWidget(panel)
    panel.set_choices(classifications=arbres)
    (combo,) = panel.classement_combos
    assert "Ambition / engagement" in [w.text() for w in panel.findChildren(QLabel)]
    assert combo.count() == 1 + 42 and combo.itemText(0) == "Toutes (Ambitions de la feuille de route)"
    emitted: list[DossierFilters] = []
    panel.changed.connect(emitted.append)
    combo.setCurrentIndex(combo.findData(c["A2"]))  # an ambition: matches its engagements
    filters = emitted[-1]
    assert filters.classement_ids == (c["A2"],) and filters.count == 1
    assert summary_text(filters) == "1 filtre actif : Ambition / classification"
    rows = DossierService(db).list_rows(world.campagne_id)
    assert [r.id for r in rows if filters.matches(r)] == [ids[0]]
    engagement = DossierFilters(classement_ids=(c["A7.3"],))
    assert [r.id for r in rows if engagement.matches(r)] == [ids[1]]
    # Saved views keep it; the chip removes it; the panel shows a saved view's value.
    assert DossierFilters.from_dict(filters.to_dict()) == filters
    assert filters.without("classement_ids") == DossierFilters()
    panel.set_filters(engagement)
    assert combo.currentData() == c["A7.3"]
    panel.clear()
    assert combo.currentIndex() == 0 and panel.filters() == DossierFilters()
    # Another contrat without classification: the combo goes away.
    panel.set_choices()
    assert panel.classement_combos == []


def test_dashboard_shows_the_ambitions(qtbot: QtBot, so) -> None:  # type: ignore[no-untyped-def]
    db, world, _c, _ids = so
    dashboard = Dashboard(db)
    qtbot.addWidget(dashboard)
    dashboard.set_campagne(world.campagne_id)
    dashboard.resize(1366, 1400)
    dashboard.show()
    card = dashboard.classements_card
    assert card.isVisible() and card.title.text() == "Montants par ambition"
    labels = card.chart.labels()
    assert labels[0] == "A1 — Mieux repérer pour mieux orienter" and labels[-1] == "Non classé" and len(labels) == 8
    assert card.chart.values(1)[1] == 4_000_00 and card.chart.values(1)[6] == 2_000_00  # voté A2, A7
    card.grab().save(shot("dashboard_ambitions.png"))


def test_dashboard_without_classification_hides_the_card(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(tmp_path / "cab.sqlite")
    try:
        world = build_world(db)
        create_dossier(db, world)
        dashboard = Dashboard(db)
        qtbot.addWidget(dashboard)
        dashboard.set_campagne(world.campagne_id)
        dashboard.show()
        assert not dashboard.classements_card.isVisible()
    finally:
        db.close()
