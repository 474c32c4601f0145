"""Préparation of a comité: create it with its membres, build and reorder the ordre du jour, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from instructeur.services.campagnes import CampagneService
from instructeur.services.comites import ComiteService
from tests.ui.test_seance import Demo, FakeDialogs, make_demo
from ui.comite.preparation import AgendaModel, ComitesModel, ConflitsModel, MembresModel, PreparationWindow
from ui.comite.seance import SeanceWindow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    d = make_demo(tmp_path, points=None, dossiers=200)
    svc = ComiteService(d.db, user="test")
    for p in svc.agenda(d.comite_id)[10:]:  # some instruit dossiers become eligible for a new comité
        svc.remove_point(p.id)
    yield d
    d.db.close()


def make_window(qtbot: QtBot, demo: Demo, dialogs: FakeDialogs) -> PreparationWindow:
    campagne = CampagneService(demo.db).get(demo.campagne_id)
    win = PreparationWindow(demo.db, campagne, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    return win


def test_create_a_comite_build_and_reorder_its_agenda(qtbot: QtBot, qtmodeltester, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    svc = ComiteService(demo.db)
    dialogs = FakeDialogs()
    win = make_window(qtbot, demo, dialogs)
    assert win.windowTitle().startswith("Comités — ")
    qtmodeltester.check(win.comites_model)
    assert win.comites_model.rowCount() == 1  # the demo's comité

    win.new_comite()
    win.type_combo.setCurrentIndex(win.type_combo.findData("pilotage"))
    win.date_edit.setText("15/06/2026")
    win.lieu_edit.setText("Salle Nelson Mandela")
    financeur = win.membres_model.financeurs[0]
    row = win.membres_model.add()
    m = win.membres_model
    m.setData(m.index(row, 0), "Mme Claire Dufour")
    m.setData(m.index(row, 1), "Directrice de la cohésion sociale")
    m.setData(m.index(row, 2), financeur.id)
    row2 = m.add()
    m.setData(m.index(row2, 0), "M. Karim Benali")
    m.setData(m.index(row2, 3), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    qtmodeltester.check(m)
    assert m.index(row, 2).data() == f"{financeur.code} — {financeur.nom}"
    comite_id = win.save_comite()
    assert comite_id is not None and win.comite_id == comite_id
    comite, membres = svc.get(comite_id)
    assert (comite.type, comite.date_seance, comite.lieu) == (
        "pilotage",
        date(2026, 6, 15),
        "Salle Nelson Mandela",
    )
    assert [(x.nom, x.financeur_id, x.present) for x in membres] == [
        ("Mme Claire Dufour", financeur.id, True),
        ("M. Karim Benali", None, False),
    ]
    assert win.comites_model.rowCount() == 2

    # A bad date is refused inline.
    win.date_edit.setText("31/02/2026")
    assert win.save_comite() is None and "date" in win.form_message.text()
    win.date_edit.setText("16/06/2026")
    assert win.save_comite() == comite_id and svc.get(comite_id)[0].date_seance == date(2026, 6, 16)

    # Ordre du jour from the instruit dossiers.
    eligible = svc.eligible_dossiers(comite_id)
    assert eligible
    assert win.add_eligible() == len(eligible)
    model: AgendaModel = win.agenda_model
    qtmodeltester.check(model)
    assert model.rowCount() == len(eligible) >= 5
    assert model.point_ids() == [p.id for p in svc.agenda(comite_id)]

    # Drag and drop: moveRows (one row down), then dropMimeData (the fifth row to the top).
    before = model.point_ids()
    assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    expected = [before[1], before[2], before[0], *before[3:]]
    assert model.point_ids() == expected == [p.id for p in svc.agenda(comite_id)]
    mime = model.mimeData([model.index(4, 0)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    expected = [expected[4], *expected[:4], *expected[5:]]
    assert [p.id for p in svc.agenda(comite_id)] == expected == model.point_ids()
    assert [p.position for p in svc.agenda(comite_id)] == list(range(1, len(expected) + 1))
    assert not model.dropMimeData(mime, Qt.DropAction.CopyAction, 0, 0, QModelIndex())

    # Sorts.
    win.sort_buttons["score"].click()
    scores = [p.score for p in svc.agenda(comite_id) if p.score is not None]
    assert scores == sorted(scores, reverse=True)
    assert model.point_ids() == [p.id for p in svc.agenda(comite_id)]
    win.sort_buttons["axe"].click()
    assert model.point_ids() == [p.id for p in svc.agenda(comite_id)]

    # Remove a point.
    win.agenda.selectRow(0)
    removed = model.point_ids()[0]
    win.remove_point()
    assert removed not in [p.id for p in svc.agenda(comite_id)] and model.rowCount() == len(eligible) - 1

    # Conflicts of interest: member × dossier with a motif.
    dialogs.texts.append("Présidente de l'association")
    dialog = win.edit_conflits()
    assert dialog is not None
    cm: ConflitsModel = dialog.model
    qtmodeltester.check(cm)
    assert cm.setData(cm.index(1, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert cm.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "Présidente de l'association"
    assert not cm.setData(
        cm.index(2, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )  # no motif
    dialog.accept()
    agenda = svc.agenda(comite_id)
    assert agenda[1].membres_en_conflit == ("Mme Claire Dufour",)
    assert not agenda[2].membres_en_conflit
    col = model.column_index("conflits")
    assert model.index(1, col).data() == "Mme Claire Dufour"
    dialog = win.edit_conflits()
    assert dialog is not None
    assert dialog.model.setData(
        dialog.model.index(1, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
    )
    dialog.accept()
    assert not svc.agenda(comite_id)[1].membres_en_conflit

    # Ouvrir la séance (confirmed) → the projector window, comité en séance.
    dialogs.confirms.append(True)
    seance = win.open_seance(fullscreen=False)
    assert isinstance(seance, SeanceWindow)
    qtbot.addWidget(seance)
    assert svc.get(comite_id)[0].statut == "en_seance"
    assert len(seance.points) == model.rowCount()
    seance.close()


def test_models_standalone(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(ComitesModel())
    qtmodeltester.check(MembresModel())
    qtmodeltester.check(AgendaModel())


def test_main_window_comite_menu(qtbot: QtBot, demo: Demo) -> None:
    from ui.main_window import MainWindow

    dialogs = FakeDialogs()
    window = MainWindow(demo.db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.select_campagne(demo.campagne_id)
    texts = [a.text() for a in window.comite_menu.actions() if not a.isSeparator()]
    assert texts == ["Comités et &ordre du jour…", "Si&mulations…", "Ouvrir la &séance…"]
    actions = window.comite
    assert all(
        a.isEnabled() for a in (actions.preparation_action, actions.scenarios_action, actions.seance_action)
    )
    actions.preparation_action.trigger()
    prep = actions.preparation_window
    assert prep is not None and prep.comite_id == demo.comite_id
    actions.scenarios_action.trigger()
    assert actions.scenarios_window is not None and actions.scenarios_window.comite_id == demo.comite_id
    dialogs.confirms.append(True)
    seance = actions.open_seance(fullscreen=False)
    assert seance is not None and seance.comite_id == demo.comite_id
    seance.close()


def test_releve_from_the_preparation_window(
    qtbot: QtBot, demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    import ui.workers

    monkeypatch.setattr(ui.workers, "SYNC_JOBS", True)
    target = tmp_path / "releve.pdf"
    dialogs = FakeDialogs()
    dialogs.ask_export_path = lambda *args: target  # type: ignore[method-assign]
    win = make_window(qtbot, demo, dialogs)
    win.reload(select=demo.comite_id)
    assert win.releve_button.isEnabled()
    win.releve_button.click()
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Relevé de décisions" in text
    assert dialogs.errors == []
