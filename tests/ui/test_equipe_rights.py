"""Team mode in the GUI: greyed actions per role, the password dialog."""

from __future__ import annotations

import os
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QLineEdit

from instructeur.services.equipe import Permissions, permissions
from instructeur.storage.db import Database
from tests.shots import shot
from ui.equipe_rights import RESERVED, PasswordDialog, apply_permissions, ask_password
from ui.main_window import MainWindow


def _actions(w: MainWindow) -> dict[str, bool]:
    return {
        "paramètres": w.parametres.params_action.isEnabled(),
        "séance": w.comite.seance_action.isEnabled(),
        "suppression": w.deletion.action.isEnabled(),
        "nouveau dossier": w.new_dossier_action.isEnabled(),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("chef", {"paramètres": True, "séance": True, "nouveau dossier": True}),
        ("instructeur", {"paramètres": False, "séance": False, "suppression": False, "nouveau dossier": True}),
        ("lecteur", {"paramètres": False, "séance": False, "suppression": False, "nouveau dossier": False}),
    ],
)
def test_role_greys_actions(qtbot: Any, db: Database, role: str, expected: dict[str, bool]) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    apply_permissions(window, Permissions(role, "marie"))
    got = _actions(window)
    assert {k: got[k] for k in expected} == expected
    if role != "chef":
        assert window.parametres.params_action.toolTip() == RESERVED
        window.deletion.action.setEnabled(True)  # a selection change re-enabling it
        assert not window.deletion.action.isEnabled()
        assert "marie (" + role + ")" in window.windowTitle()


def test_sqlite_is_one_person_with_every_right(qtbot: Any, db: Database) -> None:
    perms = permissions(db)
    assert perms.role == "seul" and not perms.team
    assert perms.parametres and perms.seance and perms.suppression and perms.edition
    window = MainWindow(db)
    qtbot.addWidget(window)
    before = _actions(window)
    apply_permissions(window, perms)
    assert _actions(window) == before


def test_password_dialog_hides_the_password_and_sets_pgpassword(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    dialog = PasswordDialog("db.example/instructeur", "mot de passe requis")
    qtbot.addWidget(dialog)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.grab().save(shot("password_dialog.png"))

    def answer(self: PasswordDialog) -> int:
        qtbot.keyClicks(self.password_edit, "s3cret")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PasswordDialog, "exec", answer)
    assert ask_password("db.example/instructeur", "mot de passe requis") is True
    assert os.environ["PGPASSWORD"] == "s3cret"
    monkeypatch.setattr(PasswordDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ask_password("db.example/instructeur", "mot de passe requis") is False


@pytest.mark.parametrize("role", ["lecteur", "instructeur"])
def test_fiche_of_a_lecteur_is_read_only(qtbot: Any, db: Database, role: str) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    apply_permissions(window, Permissions(role, "marie"))
    fiche = window.open_current_fiche() or window.open_fiche(1)
    assert fiche is not None
    fiche.save_button.setEnabled(True)  # what an edit in the fiche does
    assert fiche.save_button.isEnabled() is (role == "instructeur")
    assert ("(lecture seule)" in fiche.windowTitle()) is (role == "lecteur")
    fiche.suivi.revise_button.setEnabled(True)
    assert not fiche.suivi.revise_button.isEnabled()  # decisions are the chef's
    fiche.close()
