"""Deleting what was created by mistake from the GUI (ui/deletion.py): the dossiers list, the comités
préparation window, Paramètres › Campagne; the plausibility ceiling in Paramètres › Contrat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from instructeur.domain.statuts import Statut
from instructeur.errors import ValidationError
from instructeur.services.campagnes import CampagneService
from instructeur.services.comites import ComiteService
from instructeur.services.plafond import PlafondService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import AuditLog, Comite, Dossier
from tests.factories import World, build_world, create_dossier
from tests.services.test_comites import _instruit_dossiers
from ui.comite.preparation import PreparationWindow
from ui.main_window import MainWindow
from ui.parametres.window import ParametresWindow


class FakeDialogs:
    """Scripted answers to the Dialogs port; every message is recorded."""

    def __init__(self, *confirms: bool) -> None:
        self.confirms = list(confirms)
        self.questions: list[str] = []
        self.errors: list[str] = []
        self.infos: list[str] = []

    def confirm(self, parent: object, title: str, message: str, ok: str = "Confirmer") -> bool:
        self.questions.append(message)
        return self.confirms.pop(0) if self.confirms else False

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        return "discard"


@pytest.fixture
def world_db(tmp_path: Path) -> Iterator[tuple[Database, World]]:
    db = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    yield db, build_world(db)
    db.close()


def _main(qtbot: QtBot, db: Database, dialogs: FakeDialogs) -> MainWindow:
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def _select(window: MainWindow, reference: str) -> None:
    model = window.table.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == reference or any(
            model.index(row, c).data() == reference for c in range(model.columnCount())
        ):
            window.table.setCurrentIndex(model.index(row, 0))
            return
    raise AssertionError(f"{reference} absent de la liste")


def _exists(db: Database, model: type[Dossier] | type[Comite], ident: int) -> bool:
    with db.session() as s:
        return s.get(model, ident) is not None


def test_dossier_deleted_from_the_list_after_confirmation(
    qtbot: QtBot, world_db: tuple[Database, World]
) -> None:
    db, world = world_db
    keep = create_dossier(db, world, "26-000001")
    gone = create_dossier(db, world, "26-000002")
    dialogs = FakeDialogs(False, True)
    window = _main(qtbot, db, dialogs)
    assert window.deletion.action.text() == "Su&pprimer le dossier…"
    _select(window, "26-000002")
    assert window.deletion.action.isEnabled()
    window.deletion.action.trigger()  # « Annuler »: nothing happens
    assert dialogs.questions[0].startswith("Supprimer définitivement le dossier 26-000002 « Atelier")
    assert _exists(db, Dossier, gone)
    window.deletion.action.trigger()
    assert not _exists(db, Dossier, gone) and _exists(db, Dossier, keep)
    assert window.table.model().rowCount() == 1
    with db.session() as s:
        assert s.scalar(
            select(AuditLog.action).where(AuditLog.entity_id == gone, AuditLog.action == "delete")
        )


def test_dossier_with_a_decision_is_refused_with_the_reason(
    qtbot: QtBot, world_db: tuple[Database, World]
) -> None:
    db, world = world_db
    did = create_dossier(db, world, "26-000003")
    with db.session() as s:
        d = s.get(Dossier, did)
        assert d is not None
        d.statut = d.decision = Statut.REFUSE.value
    dialogs = FakeDialogs(True)
    window = _main(qtbot, db, dialogs)
    _select(window, "26-000003")
    assert window.deletion.delete_current() is False
    assert dialogs.questions == []  # refused before asking
    assert dialogs.errors == [
        "Le dossier 26-000003 « Atelier sociolinguistique » ne peut pas être supprimé : "
        "une décision du comité est enregistrée."
    ]
    assert _exists(db, Dossier, did)


def _preparation(qtbot: QtBot, db: Database, world: World, dialogs: FakeDialogs) -> PreparationWindow:
    win = PreparationWindow(db, CampagneService(db).get(world.campagne_id), dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def test_comite_deleted_from_the_preparation_window(
    qtbot: QtBot, world_db: tuple[Database, World], tmp_path: Path
) -> None:
    db, world = world_db
    ids = _instruit_dossiers(db, world, ["26-000011", "26-000012"])
    comites = ComiteService(db, user="test")
    comite_id = comites.create(world.campagne_id, "financeurs", date(2026, 4, 9), "Mairie", [])
    comites.add_points(comite_id, ids, order="manuel")
    dialogs = FakeDialogs(True)
    win = _preparation(qtbot, db, world, dialogs)
    assert win.comite_id == comite_id and win.delete_button.isEnabled()
    win.grab().save(str(tmp_path / "preparation.png"))
    qtbot.mouseClick(win.delete_button, Qt.MouseButton.LeftButton)
    assert dialogs.questions == [
        "Supprimer définitivement le comité des financeurs du 09/04/2026 ? Seront aussi supprimés : "
        "2 dossiers retirés de l'ordre du jour (ils redeviennent « instruits »). "
        "Cette suppression est inscrite au journal."
    ]
    assert not _exists(db, Comite, comite_id)
    assert win.comites_model.rowCount() == 0 and win.comite_id is None
    assert not win.delete_button.isEnabled()
    with db.session() as s:
        assert set(s.scalars(select(Dossier.statut).where(Dossier.id.in_(ids)))) == {Statut.INSTRUIT.value}


def test_comite_en_seance_cannot_be_deleted(qtbot: QtBot, world_db: tuple[Database, World]) -> None:
    db, world = world_db
    ids = _instruit_dossiers(db, world, ["26-000021"])
    comites = ComiteService(db, user="test")
    comite_id = comites.create(world.campagne_id, "technique", date(2026, 5, 2), None, [])
    comites.add_points(comite_id, ids, order="manuel")
    comites.open_seance(comite_id)
    dialogs = FakeDialogs(True)
    win = _preparation(qtbot, db, world, dialogs)
    assert not win.delete_button.isEnabled()
    assert win.delete_comite() is False
    assert dialogs.errors == [
        "Le comité technique du 02/05/2026 ne peut pas être supprimé : la séance est ouverte."
    ]
    assert _exists(db, Comite, comite_id)


def _parametres(
    qtbot: QtBot, db: Database, world: World, dialogs: FakeDialogs, campagne_id: int
) -> ParametresWindow:
    win = ParametresWindow(db, world.contrat_id, campagne_id, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    return win


def test_campagne_deleted_only_when_empty(
    qtbot: QtBot, world_db: tuple[Database, World], tmp_path: Path
) -> None:
    db, world = world_db
    create_dossier(db, world, "26-000001")
    empty = CampagneService(db, user="test").create(world.contrat_id, 2027, libelle="Appel à projets 2027")
    dialogs = FakeDialogs(True)
    win = _parametres(qtbot, db, world, dialogs, world.campagne_id)
    win.show_tab("campagne")
    tab = win.campagne_tab
    assert tab.delete_campagne() is False
    assert dialogs.errors == ["La campagne 2026 « Appel à projets » ne peut pas être supprimée : 1 dossier."]
    tab.show_campagne(empty)
    win.grab().save(str(tmp_path / "parametres_campagne.png"))
    with qtbot.waitSignal(tab.saved):
        qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert dialogs.questions[0].startswith(
        "Supprimer définitivement la campagne 2027 « Appel à projets 2027 » ?"
    )
    assert [c.id for c in CampagneService(db).all()] == [world.campagne_id]
    assert tab.campagne_id == world.campagne_id  # the remaining campagne is shown


def test_the_ceiling_is_set_in_parametres_contrat(qtbot: QtBot, world_db: tuple[Database, World]) -> None:
    db, world = world_db
    dialogs = FakeDialogs()
    win = _parametres(qtbot, db, world, dialogs, world.campagne_id)
    tab = win.contrat_tab
    assert tab.plafond.text() == "100\u00a0000\u00a0000,00\u00a0€"
    tab.plafond.setText("2 000 000")
    tab.plafond.textEdited.emit("2 000 000")
    assert tab.modified and tab.save()
    assert PlafondService(db).get() == 2_000_000_00
    with pytest.raises(ValidationError, match="dépasse le plafond de 2\u00a0000\u00a0000,00\u00a0€"):
        create_dossier(db, world, "26-000009", cout_total_cents=2_000_000_01)
    tab.plafond.setText("1 000 000 000 000 000")
    tab.plafond.textEdited.emit("x")
    assert not tab.save()
    assert "plafond des montants" in tab.problems.text() and "dépasse la limite" in tab.problems.text()
    assert PlafondService(db).get() == 2_000_000_00
