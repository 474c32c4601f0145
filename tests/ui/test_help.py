"""Aide (issue 11): the guide window shows GUIDE.md with its screenshots, F1 opens it at the section
of the active window, Aide › Raccourcis clavier lists the shortcuts read from the menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from instructeur.storage.db import Database
from tests.ui.test_guide_screenshots import SCREENS
from tests.ui.test_seance import FakeDialogs
from ui.help import WINDOW_ANCHORS, GuideWindow, ShortcutsDialog, guide_path, section_key
from ui.main_window import MainWindow


def image_names(guide: GuideWindow) -> list[str]:
    """The image names of the guide's document, in reading order."""
    names = []
    block = guide.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            it += 1
        block = block.next()
    return names


def activate(qtbot: QtBot, widget: QWidget) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def test_the_guide_window_shows_every_screenshot(qtbot: QtBot) -> None:
    assert guide_path().is_file()
    guide = GuideWindow()
    qtbot.addWidget(guide)
    guide.show()
    guide.show_section("dossiers-recus")
    guide.grab()  # laid out and painted: the images are loaded as the reader sees them
    names = image_names(guide)
    assert names == [f"guide/{name}.png" for name in SCREENS]
    document = guide.browser.document()
    for name in names:
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert isinstance(image, QImage) and not image.isNull(), name
        # the 1366-pixel screenshot reduced smoothly to the width it is shown at
        assert image.width() == round(GuideWindow.IMAGE_WIDTH * guide.devicePixelRatioF()), name


def test_every_window_anchor_is_a_section_of_the_guide(qtbot: QtBot) -> None:
    guide = GuideWindow()
    qtbot.addWidget(guide)
    anchors = {*WINDOW_ANCHORS.values(), "premier-lancement", "tableau-de-bord", "dossiers-recus"}
    missing = sorted(a for a in anchors if section_key(a) not in guide.sections)
    assert not missing, f"sections absentes du guide : {missing}"


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen
def test_f1_opens_the_guide_at_the_section_of_the_active_window(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.reporting.show_dashboard()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.help.guide
    assert guide is not None and guide.isVisible()
    assert guide.current_section == "tableau-de-bord"
    top = guide.browser.verticalScrollBar().value()
    assert top > 0  # scrolled past the table of contents

    window.reporting.show_list()
    window.table.selectRow(0)
    fiche = window.open_current_fiche()
    assert fiche is not None
    activate(qtbot, fiche)
    qtbot.keyClick(fiche, Qt.Key.Key_F1)  # the shortcut works in any window of the application
    assert window.help.guide is guide  # the same window, brought forward
    assert guide.current_section == "la-fiche-dun-dossier"
    assert guide.browser.verticalScrollBar().value() > top
    block = guide.browser.textCursor().block()
    assert block.text() == "La fiche d'un dossier" and block.blockFormat().headingLevel() == 3


def test_raccourcis_clavier_lists_the_shortcuts_of_the_menus(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    assert window.help.shortcuts_action in window.help_menu.actions()
    window.help.shortcuts_action.trigger()
    dialogs = [d for d in window.findChildren(ShortcutsDialog) if d.isVisible()]
    assert len(dialogs) == 1
    table = dialogs[0].table
    rows = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert ("Aide", "Guide d'utilisation", "F1") in rows
    by_action = {action: key for _menu, action, key in rows}
    assert by_action["Nouveau dossier"] == "Ctrl+N"
    assert by_action["Importer des dossiers"] == "Ctrl+I"
    assert all(key for _m, _a, key in rows)  # only actions that have a shortcut
    assert len(rows) >= 10
