"""« Co-instruction hors ligne »: prepare a file, import it with a conflict resolved row by row."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from instructeur.services.notation import NotationService
from instructeur.storage.db import Database, open_database
from tests.coinstruction.test_scoring_file import _fill, _setup
from ui.coinstruction import CoinstructionDialog


class FakeDialogs:
    def __init__(self) -> None:
        self.save_path: Path | None = None
        self.open_path: Path | None = None
        self.errors: list[str] = []
        self.infos: list[str] = []

    def ask_export_path(
        self, parent: object, title: str, suggested: str = "", filter: str = ""
    ) -> Path | None:
        return self.save_path

    def ask_open_path(self, parent: object, title: str, directory: str = "", filter: str = "") -> Path | None:
        return self.open_path

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)


def _db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)


def test_conflict_resolution_enables_import(qtbot: QtBot, tmp_path: Path) -> None:
    db = _db(tmp_path)
    setup = _setup(db)
    a, b, c = setup.criteres
    dialogs = FakeDialogs()
    dialog = CoinstructionDialog(db, setup.campagne_id, setup.contrat_id, dialogs=dialogs)
    qtbot.addWidget(dialog)
    assert dialog.evaluateur_combo.count() == 1
    dialogs.save_path = tmp_path / "alice.xlsx"
    written = dialog.prepare()
    assert written is not None and written.exists() and "Fichier de notation écrit" in dialogs.infos[-1]

    notation = NotationService(db, user="bruno")
    ev = notation.evaluation(setup.dossiers[0], setup.alice)
    notation.save_notes(ev.id, ev.version, {a: 1, b: 1, c: 1})
    _fill(written, {"26-000001": {"Public QPV": 3, "Budget": 5, "Faisabilité": 4},
                    "26-000002": {"Public QPV": 2}})  # fmt: skip
    dialogs.open_path = written
    dialog.ask_import()
    plan = dialog.plan
    assert plan is not None and dialog.table.rowCount() == 3
    cells = [[dialog.table.item(0, col) for col in range(5)]][0]
    assert all(cell is not None for cell in cells)
    texts = [cell.text() if cell is not None else "" for cell in cells]
    assert texts[2] == "conflit" and "modifié par bruno" in texts[4] and "1. Public QPV : 3" in texts[3]
    assert not dialog.import_button.isEnabled()  # the conflict has no resolution yet

    combo = dialog.table.cellWidget(0, 5)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("fichier"))
    assert dialog.resolutions == {plan.conflicts[0].evaluation_id: "fichier"}
    assert dialog.import_button.isEnabled()
    dialog.set_resolution(plan.conflicts[0].evaluation_id, "")
    assert not dialog.import_button.isEnabled()
    dialog.set_resolution(plan.conflicts[0].evaluation_id, "fichier")
    assert combo.currentData() == "fichier"

    assert dialog.apply()
    assert "2 évaluations mises à jour" in dialogs.infos[-1]
    assert NotationService(db).evaluation(setup.dossiers[0], setup.alice).notes == {a: 3, b: 5, c: 4}
    db.close()


def test_refused_file_shown(qtbot: QtBot, tmp_path: Path) -> None:
    db = _db(tmp_path)
    setup = _setup(db)
    dialogs = FakeDialogs()
    dialog = CoinstructionDialog(db, setup.campagne_id, setup.contrat_id, dialogs=dialogs)
    qtbot.addWidget(dialog)
    other = tmp_path / "autre.xlsx"
    other.write_bytes(b"rien")
    assert dialog.load_plan(other) is None
    assert "Fichier refusé" in dialogs.errors[-1] and "Fichier refusé" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()
    db.close()
