"""Every top-level window and dialog fits a 1366×768 laptop screen (and a 1920×1080 one) with its
action buttons visible (issue 11).

How the screen is played: the test session's QApplication already exists (offscreen, one 800×800
screen), so its screens cannot change. `ui.screen_fit.available_geometry` is the one function that
asks Qt for the screen: it is patched here. A real virtual screen also works, for a separate
process: `-platform offscreen:configfile=screens.json` (or `QT_QPA_PLATFORM=offscreen:configfile=…`)
with `{"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}` (Qt 6 offscreen plugin); the screenshots of
the report were taken that way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

import ui.screen_fit as screen_fit
from tests.ui.test_seance import Demo, FakeDialogs, make_demo
from ui import workers
from ui.main_window import MainWindow
from ui.screen_fit import FitsScreen

# available geometry = the screen less a 40-pixel task bar
SCREENS = {"1366x768": QRect(0, 0, 1366, 728), "1920x1080": QRect(0, 0, 1920, 1040)}


class Dialogs(FakeDialogs):
    def ask_choice(self, parent: object, title: str, label: str, items: list[str], *a: Any, **k: Any) -> str:
        return items[0]


@pytest.fixture(autouse=True)
def _fitting() -> Iterator[None]:
    """Installed for these tests only: other tests keep Qt's own window sizes."""
    screen_fit.install(QApplication.instance())  # type: ignore[arg-type]
    yield
    screen_fit.uninstall(QApplication.instance())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    d = make_demo(tmp_path_factory.mktemp("fit"), points=None, dossiers=60)
    yield d
    d.db.close()


def _open_everything(w: MainWindow) -> None:
    """Every window and dialog a menu opens (modal questions answered by the fake dialogs)."""
    for kind in ("grille", "cotation", "evaluateurs", "matrix"):
        w.instruction.open(kind)
    w.comite.open_preparation()
    w.comite.open_scenarios()
    w.workspace.show_porteurs()
    w.reporting.open_exports()
    w.reporting.open_notifications()
    w.parametres.open_parametres()
    w.parametres.open_wizard()
    w.parametres.open_new_campagne()
    w.import_actions.open_wizard()
    w.import_actions.open_qpv_dialog()
    w.table.setCurrentIndex(w.proxy.index(0, 0))
    w.open_current_fiche()
    w._dialogs.confirms.append(True)  # « Ouvrir la séance ? »
    w.comite.open_seance(fullscreen=False)


def _action_buttons(window: QWidget) -> list[QPushButton]:
    """Buttons meant to be always reachable: not inside a scrolling area, shown."""
    out = []
    for b in window.findChildren(QPushButton):
        if not b.isVisibleTo(window) or b.window() is not window:
            continue
        parent = b.parentWidget()
        scrolled = False
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea):
                scrolled = True
            parent = parent.parentWidget()
        if not scrolled:
            out.append(b)
    return out


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_window_fits_the_screen_with_its_buttons_visible(
    qtbot: QtBot, demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, screen: str
) -> None:
    avail = SCREENS[screen]
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(avail))
    monkeypatch.setattr(workers, "SYNC_JOBS", True)
    w = MainWindow(demo.db, dialogs=Dialogs())  # type: ignore[arg-type]
    qtbot.addWidget(w)
    w.resize(1600, 1000)  # a geometry saved on a bigger screen
    w.move(200, 150)
    w.show()
    _open_everything(w)
    qtbot.wait(20)  # positions are clamped once Qt has placed the windows

    windows = [t for t in QApplication.topLevelWidgets() if t.isVisible() and t.isWindow()]
    names = {type(t).__name__ for t in windows}
    assert {
        "MainWindow",
        "GrilleEditor",
        "CotationSettingsWindow",
        "EvaluateursWindow",
        "MatrixWindow",
        "PreparationWindow",
        "ScenariosWindow",
        "SeanceWindow",
        "PorteursWindow",
        "ExportsDialog",
        "NotificationsWindow",
        "ParametresWindow",
        "NouveauContratWizard",
        "NouvelleCampagneDialog",
        "ImportWizard",
        "QpvImportDialog",
        "FicheDossier",
    } <= names
    problems = [f"{type(t).__name__}: not a FitsScreen" for t in windows if not isinstance(t, FitsScreen)]
    for t in windows:
        name = type(t).__name__
        frame = t.frameGeometry()
        if not avail.contains(frame):
            problems.append(f"{name}: frame {frame.getRect()} outside {avail.getRect()}")
            continue
        inside = QRect(QPoint(0, 0), t.size())
        for b in _action_buttons(t):
            rect = QRect(b.mapTo(t, QPoint(0, 0)), b.size())
            if not inside.contains(rect) or b.visibleRegion().isEmpty():
                problems.append(f"{name}: « {b.text()} » at {rect.getRect()} not within {t.size().toTuple()}")
        if os.environ.get("INSTRUCTEUR_FIT_SHOTS"):
            t.grab().save(str(Path(os.environ["INSTRUCTEUR_FIT_SHOTS"]) / f"{screen}_{name}.png"))
    assert not problems, "\n".join(problems)
    for t in windows:
        if t is not w:
            t.hide()


def test_a_window_that_grows_past_the_screen_gets_a_scroll_area(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

    class Dialog(FitsScreen, QDialog):
        pass

    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(0, 0, 1366, 728))
    dialog = Dialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    label = QLabel("x")
    layout.addWidget(label)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    layout.addWidget(buttons)
    dialog.show()
    label.setMinimumSize(1500, 900)  # content arrives: wider and taller than the screen
    qtbot.wait(20)
    assert dialog.frameGeometry().width() <= 1366 and dialog.frameGeometry().height() <= 728
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert QRect(QPoint(0, 0), dialog.size()).contains(QRect(ok.mapTo(dialog, QPoint(0, 0)), ok.size()))
    assert label.parentWidget() is not dialog  # moved into the scroll area, the buttons were not
    assert buttons.parentWidget() is dialog


def test_every_window_class_of_the_application_fits_the_screen() -> None:
    """Each dialog, main window and wizard class of ui/ has FitsScreen as a base (the fitting is
    done by that base class, not by an application-wide event filter)."""
    import importlib
    import inspect
    import pkgutil

    from PySide6.QtWidgets import QDialog, QMainWindow, QWizard

    import ui

    missing = []
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and issubclass(cls, (QDialog, QMainWindow, QWizard))
                and not issubclass(cls, FitsScreen)
            ):
                missing.append(f"{info.name}.{name}")
    assert not missing
    assert len([c for c in FitsScreen.__subclasses__() if c.__module__.startswith("ui.")]) >= 25


def test_a_window_is_given_its_size_hint_when_shown(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QMainWindow

    class Window(FitsScreen, QMainWindow):
        def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
            return QSize(1200, 700)

    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(0, 0, 1366, 728))
    window = Window()
    qtbot.addWidget(window)
    window.show()
    assert window.size().toTuple() == (1200, 700)  # not Qt's 2/3 of the screen
    screen_fit.uninstall()
    other = Window()
    qtbot.addWidget(other)
    other.show()
    assert other.size().toTuple() != (1200, 700)  # fitting is off outside the application
