"""The campagne's option on the others' notes, ticked in the Évaluateurs window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.notes_visibilite import NotesVisibiliteService
from instructeur.storage.db import Database
from tests.shots import shot
from ui.evaluateurs import EvaluateursWindow


class Errors:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def error(self, parent: object, title: str, message: str) -> None:
        self.shown.append(message)


def test_tick_saves_the_option(qtbot: QtBot, db: Database) -> None:
    campagne = next(c for c in CampagneService(db).all() if c.annee == 2026)
    window = EvaluateursWindow(db, campagne.id)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    check = window.notes_check
    assert not check.isChecked() and check.isVisible()
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert NotesVisibiliteService(db).get(campagne.id) is True
    window.grab().save(shot("evaluateurs_option_notes.png"))
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert NotesVisibiliteService(db).get(campagne.id) is False
    # Reopened: the box shows what is stored.
    NotesVisibiliteService(db).set(campagne.id, True)
    again = EvaluateursWindow(db, campagne.id)
    qtbot.addWidget(again)
    assert again.notes_check.isChecked()


def test_refused_change_is_undone_with_one_line(qtbot: QtBot, db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    campagne = next(c for c in CampagneService(db).all() if c.annee == 2026)
    errors = Errors()
    window = EvaluateursWindow(db, campagne.id, dialogs=errors)  # type: ignore[arg-type]
    qtbot.addWidget(window)

    def refuse(self: NotesVisibiliteService, campagne_id: int, on: bool) -> None:
        raise UserError("droits insuffisants : accès refusé à la table « setting »")

    monkeypatch.setattr(NotesVisibiliteService, "set", refuse)
    window.notes_check.setChecked(True)
    assert not window.notes_check.isChecked()
    assert errors.shown == ["droits insuffisants : accès refusé à la table « setting »"]


def test_option_greyed_for_who_is_not_chef_de_projet(qtbot: QtBot, db: Database) -> None:
    from instructeur.services.equipe import Permissions
    from ui.equipe_rights import RESERVED, apply_evaluateurs_permissions

    campagne = next(c for c in CampagneService(db).all() if c.annee == 2026)
    for role, enabled in (("chef", True), ("instructeur", False), ("lecteur", False), ("seul", True)):
        window = EvaluateursWindow(db, campagne.id)
        qtbot.addWidget(window)
        apply_evaluateurs_permissions(window, Permissions(role=role, login="x"))
        assert window.notes_check.isEnabled() is enabled, role
        if not enabled:
            assert window.notes_check.toolTip() == RESERVED
            window.notes_check.setEnabled(True)  # what a refresh would do: stays greyed
            assert not window.notes_check.isEnabled()
