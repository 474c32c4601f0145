"""Keyboard and screen readers (DESIGN.md §7, issue 11): every entry of every menu of the main
window has its own access key within its menu, and every input widget of the main windows has an
accessible name (set, or given by its buddy label: what a screen reader actually reads)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QWidget,
)

from instructeur.demo import create_demo
from instructeur.storage.db import Database, open_database
from ui.dialogs import Dialogs
from ui.main_window import MainWindow


class QuietDialogs(Dialogs):
    """Says yes to questions, keeps messages: no modal dialog in a test."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def confirm(self, parent: object, title: str, message: str, ok: str = "Confirmer") -> bool:  # type: ignore[override]
        return True

    def error(self, parent: object, title: str, message: str) -> None:  # type: ignore[override]
        self.messages.append(message)

    def info(self, parent: object, title: str, message: str) -> None:  # type: ignore[override]
        self.messages.append(message)

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:  # type: ignore[override]
        return "discard"

INPUTS = (
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,
    QCheckBox,
    QRadioButton,
)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("a11y") / "demo.sqlite"
    create_demo(path, dossiers=24, seed=11)
    return path


@pytest.fixture
def window(qtbot, demo_path: Path, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_path.read_bytes())
    db: Database = open_database(copy)
    win = MainWindow(db, dialogs=QuietDialogs())
    qtbot.addWidget(win)
    win.resize(1366, 740)
    win.show()
    yield win
    win.close_work_windows()
    db.close()


def access_key(text: str) -> str | None:
    m = re.search(r"&(.)", text.replace("&&", ""))
    return m.group(1).casefold() if m else None


def menu_problems(menu: QMenu, name: str) -> list[str]:
    menu.aboutToShow.emit()  # menus completed when shown (Campagne) get all their entries
    problems = []
    entries = [a for a in menu.actions() if not a.isSeparator() and a.isVisible()]
    keys = Counter(access_key(a.text()) for a in entries)
    for action in entries:
        key = access_key(action.text())
        if key is None and action.isEnabled():
            problems.append(f"{name} › {action.text()} : sans touche d'accès")
        elif key is not None and keys[key] > 1:
            problems.append(f"{name} › {action.text()} : « {key} » utilisée {keys[key]} fois")
        if isinstance(action.menu(), QMenu):
            problems += menu_problems(action.menu(), f"{name} › {action.text()}")
    return problems


def test_every_menu_entry_has_its_own_access_key(window: MainWindow) -> None:
    tops = [a for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    top_keys = Counter(access_key(a.text()) for a in tops)
    assert all(k is not None and top_keys[k] == 1 for k in top_keys), [a.text() for a in tops]
    problems = [p for top in tops for p in menu_problems(top.menu(), top.text())]
    assert problems == []
    texts = [a.text() for a in window.campagne_menu.actions()]
    assert texts[0].startswith("&1 ")  # the campagnes: the digit of their Ctrl+1…9 shortcut
    assert "No&tifications…" in texts and "Nouvelle ca&mpagne…" in texts  # n and v were taken twice


def unnamed_inputs(top: QWidget) -> list[str]:
    out = []
    for w in top.findChildren(QWidget):
        if not isinstance(w, INPUTS) or isinstance(w, QHeaderView):
            continue
        if isinstance(w.parent(), (QComboBox, QAbstractSpinBox)) or isinstance(w.window(), QMenu):
            continue  # a combo's or spin box's own line edit
        if w.window().metaObject().className() == "QComboBoxPrivateContainer":
            continue  # a combo's popup list: the combo carries the name
        iface = QAccessible.queryAccessibleInterface(w)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        if not name.strip():
            out.append(
                f"{type(top).__name__}: {type(w).__name__} {w.objectName()!r} in {type(w.parent()).__name__}"
            )
    return out


def test_every_input_of_the_main_windows_has_an_accessible_name(qtbot, window: MainWindow) -> None:
    checked: list[QWidget] = [window]
    window.reporting.show_dashboard()
    QApplication.processEvents()
    assert unnamed_inputs(window) == []
    window.reporting.show_list()
    window.table.selectRow(0)
    fiche = window.open_current_fiche()
    assert fiche is not None
    parametres = window.parametres.open_parametres()
    assert parametres is not None
    for n in range(parametres.tabs.count()):
        parametres.tabs.setCurrentIndex(n)  # tabs build their widgets when shown
    notifications = window.reporting.open_notifications()
    seance = window.comite.open_seance(fullscreen=False)
    wizard = window.import_actions.open_wizard()
    checked += [w for w in (fiche, parametres, notifications, seance, wizard) if w is not None]
    assert len(checked) == 6  # every window of the scope was opened (a comité exists in the demo)
    QApplication.processEvents()
    problems = [p for w in checked for p in unnamed_inputs(w)]
    assert problems == []
