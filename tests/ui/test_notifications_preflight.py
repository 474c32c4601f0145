"""Notifications window: incomplete letter settings are listed and refuse generation, with the way
to the settings; « À refaire » letters are shown apart and generated again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

import ui.workers
from instructeur.services.notifications import NotificationService, NotificationSettings
from instructeur.storage.db import Database
from instructeur.storage.models import Notification
from tests.factories import build_world, create_dossier
from tests.shots import shot
from tests.ui.test_notifications_ui import FakeDialogs, decide, etats
from ui.notifications import NotificationsWindow


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ui.workers, "SYNC_JOBS", True)
    yield


def open_window(qtbot: QtBot, db: Database, fake: FakeDialogs) -> tuple[NotificationsWindow, int]:
    world = build_world(db)  # a new contrat: no letter settings at all
    did = create_dossier(db, world, "26-000001")
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 12_500_00})
    w = NotificationsWindow(db, world.campagne_id, dialogs=fake)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    return w, did


def test_incomplete_settings_listed_and_generation_refused(
    qtbot: QtBot, empty_db: Database, tmp_path: Path
) -> None:
    fake = FakeDialogs(folder=tmp_path / "lettres")
    w, _ = open_window(qtbot, empty_db, fake)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    # Under the application's screen fitter the page's widgets move into a scroll area at the
    # Show event and Qt shows them again on the next turn of the event loop.
    qtbot.waitUntil(w.preflight_box.isVisible, timeout=2000)
    shown = w.preflight_label.text().splitlines()
    assert shown[0] == "lettres non générées : signataire manquant (Notifications › Paramètres)"
    assert len(shown) == 4
    w.grab().save(shot("c_notifications_preflight.png"))

    w.generate_button.click()
    assert not (tmp_path / "lettres").exists() and fake.written == []
    (message, details), *_ = fake.reports
    assert "Lettres non générées" in message and details == shown
    assert w.tabs.currentIndex() == w.settings_index  # the way to the settings

    w.tabs.setCurrentIndex(0)
    w.open_settings_button.click()
    assert w.tabs.currentIndex() == w.settings_index
    form = w.settings_form
    form.expediteur.setPlainText("Communauté d'agglomération du Boulonnais")
    form.ville.setText("Boulogne-sur-Mer")
    form.signataire.setText("Jean Martin")
    form.fonction.setText("Le Président")
    form.save_button.click()
    assert not w.preflight_box.isVisible()  # re-checked on save
    w.tabs.setCurrentIndex(0)
    w.generate_button.click()
    assert len(list((tmp_path / "lettres").glob("*.pdf"))) == 2  # the letter and the merged PDF


def test_a_refaire_shown_apart_and_generated_again(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    fake = FakeDialogs(folder=tmp_path)
    NotificationService(empty_db).save_settings(
        NotificationSettings(
            expediteur="Agglo", ville="Boulogne", signataire="J. Martin", fonction_signataire="P."
        )
    )
    w, did = open_window(qtbot, empty_db, fake)
    w.merged_check.setChecked(False)
    w.ask_generate()
    with empty_db.session() as s:  # « Modifier la décision » after the letter was generated
        n = s.query(Notification).one()
        n.etat = "a_refaire"
    w.reload()
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.grab().save(shot("c_notifications_a_refaire.png"))
    assert etats(w) == {did: "À refaire"}
    assert w.summary.text().startswith("à (re)générer : 1")
    color = w.model.index(0, w.model.column_index("etat")).data(0x0009)  # ForegroundRole
    assert QColor(color).name() == "#b3261e"
    w.select_dossiers([did])
    w.notified_button.click()
    assert etats(w) == {did: "À refaire"}  # not sent as it is
    w.ask_generate()
    assert etats(w) == {did: "À signer"}
