"""« Notes normalisées par évaluateur (z-score) » in the Affichage menu: the list then shows the
same scores as the notation service computes with normalisation."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from instructeur.demo import create_demo
from instructeur.services.campagnes import CampagneService
from instructeur.services.notation import NotationService
from instructeur.storage.db import open_database
from ui.main_window import MainWindow


def test_toggle_normalised_scores(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    create_demo(path, dossiers=150)
    db = open_database(path)
    try:
        window = MainWindow(db)
        qtbot.addWidget(window)
        campagne = max(CampagneService(db).all(), key=lambda c: c.annee)
        window.select_campagne(campagne.id)
        # Scores arrive just after the first paint of the list.
        qtbot.waitUntil(lambda: any(row.score is not None for row in window.model.rows))
        raw = {row.id: row.score for row in window.model.rows if row.score is not None}
        assert raw, "the demo's current campagne has scored dossiers"
        window.workspace.normalise_action.setChecked(True)
        shown = {row.id: row.score for row in window.model.rows if row.score is not None}
        expected = NotationService(db).scores(campagne.id, normalise=True)
        assert shown == {did: expected[did].score.score for did in shown}
        assert shown != raw  # strict and generous évaluateurs moved
        window.workspace.normalise_action.setChecked(False)
        assert {row.id: row.score for row in window.model.rows if row.score is not None} == raw
        window.close()
    finally:
        db.close()
