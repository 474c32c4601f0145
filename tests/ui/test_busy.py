"""Never silent (issue 11): « Comités et ordre du jour » shows at once with a busy cursor and reads
its ordre du jour off the GUI thread; a progress bar with « Annuler » comes only after 2 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import ui.busy
import ui.workers
from instructeur.services.campagnes import CampagneService
from tests.ui.test_seance import Demo, FakeDialogs, make_demo
from ui.comite.preparation import PreparationWindow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    d = make_demo(tmp_path, points=None, dossiers=60)
    yield d
    d.db.close()


def test_the_agenda_is_read_in_the_background_with_a_busy_cursor(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ui.busy, "SYNC_LOADS", False)
    monkeypatch.setattr(ui.workers, "SYNC_JOBS", False)
    campagne = CampagneService(demo.db).get(demo.campagne_id)
    win = PreparationWindow(demo.db, campagne, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.show()
    assert win.cursor().shape() == Qt.CursorShape.BusyCursor
    assert "chargement" in win.agenda_title.text()
    jobs = ui.workers.running_jobs()
    assert len(jobs) == 1  # one read, not one per signal (the agenda used to be read twice)
    dialog = jobs[0].dialog
    assert dialog is not None and dialog.minimumDuration() == ui.busy.PROGRESS_AFTER_MS
    assert jobs[0].cancellable and not dialog.isVisible()
    qtbot.waitUntil(lambda: win.agenda_model.rowCount() > 0, timeout=10_000)
    assert win.cursor().shape() != Qt.CursorShape.BusyCursor
    assert "point" in win.agenda_title.text()
    assert win.open_seance_button.isEnabled()


def test_the_dashboard_reads_its_synthesis_under_a_busy_cursor(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QGuiApplication

    from ui.dashboard import Dashboard

    seen: list[object] = []
    real = Dashboard._reload

    def spy(self: Dashboard) -> None:
        cursor = QGuiApplication.overrideCursor()
        seen.append(cursor.shape() if cursor is not None else None)
        real(self)

    monkeypatch.setattr(Dashboard, "_reload", spy)
    dashboard = Dashboard(demo.db)
    qtbot.addWidget(dashboard)
    dashboard.set_campagne(demo.campagne_id)
    dashboard.show()
    assert seen == [Qt.CursorShape.WaitCursor]
    assert QGuiApplication.overrideCursor() is None  # given back once read
    assert dashboard.synthese is not None
