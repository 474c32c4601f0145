"""The screenshots of the user guide (docs/GUIDE.md, issue 11), taken by the tests themselves.

Each screen is the real window on a small demo base, opened the way its menu opens it, at 1366×768
(the main window, the comité), 1366 wide but shorter (the matrix and the letters: a few rows) or at
its natural size (Paramètres, the fiche), saved with `QWidget.grab()`. By default the PNGs go to a
temporary folder and are only checked (present, not blank, a sane size); to refresh the guide's
pictures:

    INSTRUCTEUR_GUIDE_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen \
        .venv/bin/python -m pytest tests/ui/test_guide_screenshots.py

writes them into `docs/guide/`, where GUIDE.md (and the in-app guide, Aide › Guide) finds them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from instructeur.demo import DEMO_USER, create_demo
from instructeur.services.comites import ComiteService
from instructeur.storage.db import Database, open_database
from tests.ui.conftest import build_database
from tests.ui.test_seance import FakeDialogs
from ui import workers
from ui.main_window import MainWindow

GUIDE_DIR = Path(__file__).resolve().parents[2] / "docs" / "guide"
SCREEN = (1366, 768)
SCREENS = (
    "premier-lancement",
    "tableau-de-bord",
    "parametres",
    "dossiers",
    "fiche",
    "notation",
    "comite",
    "lettres",
)


@dataclass
class GuideBase:
    db: Database
    comite_id: int


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuideBase]:
    """A 60-dossier demo base whose comité has every instruit dossier on its agenda."""
    path = tmp_path_factory.mktemp("guide") / "demonstration.sqlite"
    summary = create_demo(path, dossiers=60)
    db = open_database(path)
    svc = ComiteService(db, user=DEMO_USER)
    svc.add_points(summary.comite_id, svc.eligible_dossiers(summary.comite_id))
    yield GuideBase(db, summary.comite_id)
    db.close()


def decide_the_agenda(base: GuideBase) -> None:
    """The séance held: each point retenu at the proposed amounts, but one refusé and one ajourné,
    so that the letters are of the three kinds."""
    svc = ComiteService(base.db, user=DEMO_USER)
    svc.open_seance(base.comite_id)
    for n, point in enumerate(svc.agenda(base.comite_id)):
        if n == 1:
            svc.decide(
                point.id, point.version, "refuse", {}, None, "Action hors des priorités du contrat de ville"
            )
        elif n == 4:
            svc.decide(point.id, point.version, "ajourne", {}, None, "Budget à préciser")
        else:
            votes = {m.financeur_id: m.propose_cents or m.demande_cents for m in point.montants}
            svc.decide(point.id, point.version, "retenu", votes, None, None)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """docs/guide/ when INSTRUCTEUR_GUIDE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("INSTRUCTEUR_GUIDE_SCREENSHOTS") == "1":
        GUIDE_DIR.mkdir(parents=True, exist_ok=True)
        return GUIDE_DIR
    return tmp_path


def distinct_colours(image: QImage, step: int = 3) -> int:
    """The number of distinct pixel values on a grid of every `step`-th pixel (enough to tell a
    painted window from a blank one)."""
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def check_png(path: Path) -> None:
    assert path.is_file(), f"{path.name} was not written"
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is not a readable PNG"
    assert 600 <= image.width() <= SCREEN[0] and 400 <= image.height() <= SCREEN[1], (
        f"{path.name}: {image.width()}×{image.height()}"
    )
    assert distinct_colours(image) > 50, f"{path.name} looks blank"


def settle(qtbot: QtBot) -> None:
    """Let Qt lay out and paint what was just shown (offscreen: no real expose to wait for)."""
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(30)


def save(
    qtbot: QtBot, widget: QWidget | None, folder: Path, name: str, size: tuple[int, int] | None = SCREEN
) -> None:
    """Show `widget` at `size` (None: its natural size), then write `folder/name.png`."""
    assert widget is not None, f"{name}: the window did not open"
    if size is not None:
        widget.resize(*size)
    widget.show()
    settle(qtbot)
    # quality 0: the strongest zlib compression (lossless, the PNGs are committed)
    assert widget.grab().save(str(folder / f"{name}.png"), "PNG", 0), f"{name}.png could not be written"


def main_window(qtbot: QtBot, db: Database) -> MainWindow:
    """The main window at 1366×768; its status bar names the base by its file name only (the
    temporary folder of the test would mean nothing to the reader)."""
    window = MainWindow(db, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(*SCREEN)
    window.show()
    settle(qtbot)
    assert db.path is not None
    window.db_label.setText(db.path.name)
    return window


def shoot_first_run(qtbot: QtBot, folder: Path, tmp_path: Path) -> None:
    """An empty base: « Créer mon contrat », « Ouvrir la démonstration », « Ouvrir une base existante »."""
    db = build_database(tmp_path / "instructeur.sqlite", with_data=False)
    try:
        window = main_window(qtbot, db)
        assert window.current_campagne is None
        for name in ("createContratButton", "demoButton", "openBaseButton"):
            button = window.findChild(QPushButton, name)
            assert button is not None and button.isVisible(), name
        save(qtbot, window, folder, "premier-lancement")
        window.close()
    finally:
        db.close()


def shoot_main_window(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    window.reporting.show_dashboard()
    save(qtbot, window, folder, "tableau-de-bord")
    window.reporting.show_list()
    window.table.selectRow(3)
    save(qtbot, window, folder, "dossiers")


def shoot_windows(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """The windows the guide shows, each opened the way its menu opens it."""
    save(qtbot, window.parametres.open_parametres("campagne"), folder, "parametres", size=None)
    window.table.selectRow(3)
    fiche = window.open_current_fiche()
    assert fiche is not None
    fiche.tabs.setCurrentWidget(fiche.financement)
    save(qtbot, fiche, folder, "fiche", size=None)
    # one évaluateur's grid holds a few dossiers: no need for the screen's height
    save(qtbot, window.instruction.open("matrix"), folder, "notation", size=(SCREEN[0], 420))
    preparation = window.comite.open_preparation()
    assert preparation is not None
    preparation.tabs.setCurrentIndex(1)  # Ordre du jour
    save(qtbot, preparation, folder, "comite")


def shoot_letters(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """After the séance: the letters to generate, attribution, refus and ajournement."""
    save(qtbot, window.reporting.open_notifications(), folder, "lettres", size=(SCREEN[0], 500))


def test_guide_screenshots(
    qtbot: QtBot, base: GuideBase, shots: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SYNC_JOBS", True)
    shoot_first_run(qtbot, shots, tmp_path)
    window = main_window(qtbot, base.db)
    shoot_main_window(qtbot, window, shots)
    shoot_windows(qtbot, window, shots)
    decide_the_agenda(base)
    window.reload()
    shoot_letters(qtbot, window, shots)
    for name in SCREENS:
        check_png(shots / f"{name}.png")


def test_guide_references_exactly_these_screenshots() -> None:
    """GUIDE.md shows each screenshot the test takes, and no other picture."""
    text = (GUIDE_DIR.parent / "GUIDE.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(pictures) == sorted(f"guide/{name}.png" for name in SCREENS)
