"""Small defects of issue 11, each driven as a user would meet it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from instructeur.services.campagnes import CampagneService
from tests.ui.test_seance import Demo, FakeDialogs, make_demo
from ui.comite.preparation import PreparationWindow
from ui.comite.preparation_view import FORM_MESSAGE_STYLES
from ui.inputs import DateEdit


class DiscardDialogs(FakeDialogs):
    def ask_save_discard_cancel(self, *_args: object) -> str:
        return "discard"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    d = make_demo(tmp_path_factory.mktemp("defects"), points=None, dossiers=40)
    yield d
    d.db.close()


@pytest.mark.qt_log_ignore("grabbing the keyboard", "does not support raise")  # a popup, offscreen
def test_comite_date_from_a_calendar_and_saved_message_in_success_style(qtbot: QtBot, demo: Demo) -> None:
    campagne = CampagneService(demo.db).get(demo.campagne_id)
    win = PreparationWindow(demo.db, campagne, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    assert isinstance(win.date_edit, DateEdit)
    calendar = win.date_edit.show_calendar()
    calendar.clicked.emit(QDate(2026, 6, 18))
    assert win.date_edit.text() == "18/06/2026"
    assert win._form_dirty  # picking a day is an edit like typing one
    assert win.save_comite() is not None
    assert win.form_message.text() == "Comité enregistré."
    assert win.form_message.styleSheet() == FORM_MESSAGE_STYLES["success"]
    assert "7a1f00" not in win.form_message.styleSheet()  # not the error's dark red
    win.date_edit.setText("31/02/2026")
    win.save_comite()
    assert win.form_message.styleSheet() == FORM_MESSAGE_STYLES["error"]
    comite, _m = win.service.get(win.comite_id)  # type: ignore[arg-type]
    assert comite.date_seance == date(2026, 6, 18)


def test_evaluateurs_title_does_not_repeat_the_year(qtbot: QtBot, demo: Demo) -> None:
    from ui.evaluateurs import EvaluateursWindow

    campagne = CampagneService(demo.db).get(demo.campagne_id)
    win = EvaluateursWindow(demo.db, demo.campagne_id)
    qtbot.addWidget(win)
    year = str(campagne.annee)
    assert win.windowTitle().count(year) == 1, win.windowTitle()


def test_new_contrat_wizard_periode_label_has_a_buddy(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.ui.conftest import build_database
    from ui.parametres.nouveau_contrat import NouveauContratWizard

    db = build_database(tmp_path / "w.sqlite", with_data=False)
    try:
        wizard = NouveauContratWizard(db)
        qtbot.addWidget(wizard)
        labels = [lbl for lbl in wizard.findChildren(QLabel) if lbl.text() == "&Période :"]
        assert labels and all(lbl.buddy() is not None for lbl in labels)  # shown « Période », P underlined
    finally:
        db.close()


def test_seance_refusal_message_is_scrolled_into_view_at_1366x768(qtbot: QtBot, demo: Demo) -> None:
    from ui.comite.seance import SeanceWindow

    win = SeanceWindow(demo.db, demo.comite_id)
    qtbot.addWidget(win)
    win.resize(1366, 728)
    win.show()
    panel = win.panel
    panel.set_decision("refuse")
    panel.show_message(
        "Refus impossible : la motivation est obligatoire pour un dossier ajourné ou refusé "
        "(elle figure dans la lettre envoyée au porteur, qui peut la contester)."
    )
    qtbot.waitUntil(lambda: panel.message.visibleRegion().boundingRect() == panel.message.rect())


def test_batch_toolbar_and_filters_only_where_there_are_dossiers(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.ui.conftest import build_database
    from ui.main_window import MainWindow

    for name, with_data in (("vide", False), ("petite", True)):
        db = build_database(tmp_path / f"{name}.sqlite", with_data=with_data)
        try:
            w = MainWindow(db, dialogs=FakeDialogs())  # type: ignore[arg-type]
            qtbot.addWidget(w)
            w.show()
            qtbot.wait(10)
            ws = w.workspace
            actions_on = [a.isEnabled() for a in ws.batch.actions]
            assert ws.toolbar.isEnabled() is with_data and actions_on == [with_data] * 3
            assert ws.panel.isEnabled() is with_data
            if with_data:
                w.reporting.show_dashboard()
                assert not ws.toolbar.isEnabled() and not any(a.isEnabled() for a in ws.batch.actions)
                w.reporting.show_list()
                assert ws.toolbar.isEnabled()
            w.close()
        finally:
            db.close()


def test_new_fiche_untouched_then_refusal_banner_follows_the_corrections(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.ui.conftest import build_database
    from ui.main_window import MainWindow

    db = build_database(tmp_path / "fiche.sqlite")
    try:
        w = MainWindow(db, dialogs=DiscardDialogs())  # type: ignore[arg-type]
        qtbot.addWidget(w)
        w.show()
        fiche = w.new_dossier()
        assert fiche is not None
        qtbot.addWidget(fiche)
        assert not fiche.is_modified() and fiche.state_label.text() == ""  # untouched
        assert not fiche.save()
        assert "raison sociale : obligatoire" in fiche.banner_label.text()
        edit = fiche.porteur.edits["raison_sociale"]
        edit.setText("Les Jardins partagés")
        edit.textEdited.emit(edit.text())
        fiche._on_changed()
        assert "raison sociale" not in fiche.banner_label.text()
        assert fiche.is_modified() and fiche.state_label.text() == "Modifications non enregistrées"
        fiche.hide()
    finally:
        db.close()


def test_completeness_does_not_offer_instruit_to_a_dossier_en_comite(qtbot: QtBot, demo: Demo) -> None:
    from instructeur.services.comites import ComiteService
    from instructeur.services.instruction import InstructionService
    from ui.main_window import MainWindow

    points = ComiteService(demo.db).agenda(demo.comite_id)
    complete = [p for p in points if not InstructionService(demo.db).missing(p.dossier_id)]
    assert complete, "the demo has complete dossiers on its agenda"
    w = MainWindow(demo.db, dialogs=DiscardDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.show()
    fiche = w.open_fiche(complete[0].dossier_id)
    assert fiche is not None
    qtbot.addWidget(fiche)
    fiche.instruction.refresh_completeness()
    text = fiche.instruction.completeness_text()
    assert "peut passer à « instruit »" not in text and "Instruction complète" in text
