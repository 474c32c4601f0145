"""The main window painted from the first-paint reading (issue 12), then completed once the base
is open: same header, campagnes and rows as a window opened the usual way, and nothing missing
afterwards (filter choices, search, scores, saved views, the base in the status bar)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableView

from instructeur.demo import create_demo
from instructeur.services.first_paint import read_first_paint
from instructeur.storage.db import open_database
from ui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("first_paint_window") / "demo.sqlite"
    create_demo(path, dossiers=80, seed=5)
    return path


def _cells(window: MainWindow) -> list[list[str]]:
    proxy = window.proxy
    return [
        [str(proxy.index(r, c).data() or "") for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


def _choices(window: MainWindow) -> int:
    panel = window.workspace.panel
    return panel.quartier_combo.count() + panel.objectif_combo.count() + panel.financeur_combo.count()


def test_first_paint_then_opening_gives_the_usual_window(qtbot, demo: Path) -> None:
    usual_db = open_database(demo)
    usual = MainWindow(usual_db)
    qtbot.addWidget(usual)
    qtbot.waitUntil(lambda: any(r.score is not None for r in usual.model.row_list()))

    first = read_first_paint(demo)
    assert first is not None
    window = MainWindow(None, first_paint=first)
    qtbot.addWidget(window)
    opened: list[bool] = []
    window.after_first_paint(lambda: opened.append(True))
    # Painted from the reading: header, campagnes and rows as the usual window, no base yet.
    assert window.open_db is None
    assert window.contrat_label.text() == usual.contrat_label.text()
    assert window.campagne_label.text() == usual.campagne_label.text()
    assert window.total_figure.value.text() == usual.total_figure.value.text()
    assert window.campagne_combo.count() == usual.campagne_combo.count() > 0
    assert window.db_label.toolTip() == usual.db_label.toolTip()
    assert window.model.rowCount() == usual.model.rowCount() > 0
    assert all(r.score is None for r in window.model.row_list())  # the scores come with the base
    assert _choices(window) < _choices(usual)  # so do the filter choices

    window.show()
    qtbot.waitUntil(lambda: opened == [True])  # after the window's first paint
    assert window.findChild(QTableView).viewport().isVisible()

    db = open_database(demo)
    try:
        window.finish_opening(db)
        assert window.open_db is db
        qtbot.waitUntil(lambda: _cells(window) == _cells(usual))  # scores and ranks included
        assert _choices(window) == _choices(usual)
        window.search_edit.setText(usual.model.row_list()[0].reference)
        assert window.proxy.rowCount() == 1
    finally:
        window.close()
        usual.close()
        db.close()
        usual_db.close()


def test_asking_for_the_base_before_the_queued_opening_opens_it(qtbot, demo: Path) -> None:
    first = read_first_paint(demo)
    assert first is not None
    window = MainWindow(None, first_paint=first)
    qtbot.addWidget(window)
    opened: list[object] = []

    def opener() -> None:
        db = open_database(demo)
        opened.append(db)
        window.finish_opening(db)

    window.open_after_first_paint(opener)
    try:
        assert window.db is opened[0]  # before any paint: opened on demand, once
        window.show()
        qtbot.wait(50)  # the queued opening finds it done
        assert len(opened) == 1 and window.workspace.panel.quartier_combo.count() > 1
    finally:
        window.close()
        window.db.close()
