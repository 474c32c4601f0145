"""Paramètres › Équipe: the note on SQLite; on PostgreSQL the list, adding a person, changing a role."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from instructeur.services import equipe
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import Database, open_database
from tests.factories import build_world
from tests.shots import shot
from ui.parametres.equipe import SQLITE_NOTE, EquipeTab
from ui.parametres.window import ParametresWindow


def test_sqlite_explains_team_mode(qtbot: Any, db: Database) -> None:
    contrat_id = 1
    tab = EquipeTab(db, contrat_id)
    qtbot.addWidget(tab)
    assert tab.table is None
    assert any(label.text() == SQLITE_NOTE for label in tab.findChildren(QLabel))


@pytest.mark.postgres
def test_chef_adds_a_person_and_changes_a_role(qtbot: Any, pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        world = build_world(db)
        EvaluateurService(db, user="test").create(world.contrat_id, "Alice Martin")
        equipe.init(db)
        window = ParametresWindow(db, world.contrat_id, world.campagne_id)
        qtbot.addWidget(window)
        window.resize(1366, 740)
        window.show_tab("equipe")
        tab = window.equipe_tab
        assert tab.table is not None and tab.table.rowCount() == 0
        login = f"alice{uuid.uuid4().hex[:8]}"
        qtbot.keyClicks(tab.login_edit, login)
        tab.role_combo.setCurrentIndex(tab.role_combo.findData("evaluateur"))
        assert tab.evaluateur_combo.isEnabled()
        tab.evaluateur_combo.setCurrentIndex(tab.evaluateur_combo.findText("Alice Martin"))
        qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
        assert tab.problems.text() == ""
        assert [(m.login, m.role, m.evaluateurs) for m in equipe.liste(db)] == [
            (login, "evaluateur", ("Alice Martin",))
        ]
        assert [tab.table.item(0, c).text() for c in range(3)] == [login, "évaluateur", "Alice Martin"]
        window.grab().save(shot("parametres_equipe.png"))
        # Change the role: select the row, pick « lecteur », apply.
        tab.table.selectRow(0)
        assert tab.login_edit.text() == login
        tab.role_combo.setCurrentIndex(tab.role_combo.findData("lecteur"))
        qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
        assert [(m.login, m.role) for m in equipe.liste(db)] == [(login, "lecteur")]
        # An évaluateur without a fiche is refused in the tab, in French.
        tab.login_edit.setText("bob" + login)
        tab.role_combo.setCurrentIndex(tab.role_combo.findData("evaluateur"))
        qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
        assert tab.problems.text() == "choisissez la fiche évaluateur de cette personne"
        assert len(equipe.liste(db)) == 1
        window.close()
    finally:
        db.close()
        pg_server.drop_database(url)
