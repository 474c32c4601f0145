"""« Exporter… »: the tableau de programmation and the SCDL file, written through the dialog."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

import ui.workers
from instructeur.services.campagnes import CampagneService
from instructeur.storage.db import Database
from tests.exports import build_scenario
from tests.exports.test_opendata import _give_sirets
from ui.exports_dialog import PER_FINANCEUR, ExportsDialog


class FakeDialogs:
    def __init__(self, path: Path | None = None, folder: Path | None = None) -> None:
        self.path = path
        self.folder = folder
        self.asked: list[str] = []
        self.written: list[tuple[str, list[Path], Path]] = []
        self.errors: list[str] = []

    def ask_export_path(
        self, parent: object, title: str, suggested: str = "", filter: str = ""
    ) -> Path | None:
        self.asked.append(suggested)
        return self.path

    def ask_directory(self, parent: object, title: str, directory: str = "") -> Path | None:
        return self.folder

    def files_written(
        self, parent: object, title: str, message: str, paths: list[Path], folder: Path
    ) -> None:
        self.written.append((message, paths, folder))  # the real one offers « Ouvrir le dossier »

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ui.workers, "SYNC_JOBS", True)
    yield


def dialog(qtbot: QtBot, db: Database, fake: FakeDialogs, *, sirets: bool = True) -> ExportsDialog:
    scenario = build_scenario(db)
    if sirets:  # every financeur needs one for the SCDL's idAttribuant
        _give_sirets(db, scenario)
    campagne = next(c for c in CampagneService(db).all() if c.id == scenario.world.campagne_id)
    d = ExportsDialog(db, campagne, dialogs=fake)  # type: ignore[arg-type]
    qtbot.addWidget(d)
    return d


def test_programmation_through_the_dialog(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "programmation.xlsx"
    fake = FakeDialogs(path=target)
    d = dialog(qtbot, empty_db, fake)
    assert d.include_all  # a campagne in instruction: every recevable dossier by default
    d.definitif_radio.setChecked(True)
    d.comite_radio.setChecked(True)
    d.export_button.click()
    assert fake.errors == []
    assert fake.asked and fake.asked[0].endswith("Programmation_2026_definitif.xlsx")
    assert target.is_file() and d.written == [target]
    (message, paths, folder) = fake.written[0]
    assert paths == [target] and folder == tmp_path and "1 fichier écrit" in message
    wb = load_workbook(target)
    ws = wb["Programmation"]
    titles = " ".join(str(ws.cell(r, 1).value) for r in range(1, 5))
    assert "définitif" in titles
    refs = {ws.cell(r, 1).value for r in range(6, ws.max_row + 1)}
    assert {"26-000001", "26-000002", "26-000003"} <= refs and "26-000004" not in refs  # comité only


def test_one_financeur_and_one_file_per_financeur(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    fake = FakeDialogs(path=tmp_path / "epci", folder=tmp_path / "par-financeur")
    d = dialog(qtbot, empty_db, fake)
    d.select_financeur("EPCI")
    d.export_button.click()
    assert (tmp_path / "epci.xlsx").is_file()  # the extension is added
    titles = " ".join(
        str(load_workbook(tmp_path / "epci.xlsx")["Programmation"].cell(r, 1).value) for r in range(1, 5)
    )
    assert "Communauté d'agglomération" in titles
    d.select_financeur(PER_FINANCEUR)
    d.export_button.click()
    files = sorted(p.name for p in (tmp_path / "par-financeur").glob("*.xlsx"))
    assert files == [
        "Programmation_2026_CAF.xlsx",
        "Programmation_2026_EPCI.xlsx",
        "Programmation_2026_ETAT.xlsx",
    ]
    assert len(fake.written[-1][1]) == 3


def test_scdl_csv(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "subventions.csv"
    fake = FakeDialogs(path=target)
    d = dialog(qtbot, empty_db, fake)
    d.scdl_radio.setChecked(True)
    assert not d.options.isEnabled()
    d.export_button.click()
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["referenceDecision"] for r in rows} == {"26-000001", "26-000002"}
    assert fake.written and fake.errors == []


def test_scdl_refused_while_a_financeur_lacks_its_siret(
    qtbot: QtBot, empty_db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "subventions.csv"
    fake = FakeDialogs(path=target)
    d = dialog(qtbot, empty_db, fake, sirets=False)
    d.scdl_radio.setChecked(True)
    d.export_button.click()
    assert not target.exists() and fake.written == []
    assert len(fake.errors) == 1 and "financeur EPCI : SIRET manquant (idAttribuant)" in fake.errors[0]
    assert d.result_label.text().startswith("Échec")


def test_error_is_shown(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    fake = FakeDialogs(folder=blocker / "dessous")  # a folder inside a file: cannot be created
    d = dialog(qtbot, empty_db, fake)
    d.select_financeur(PER_FINANCEUR)
    d.export_button.click()
    assert fake.errors and fake.written == []
    assert d.export_button.isEnabled() and d.result_label.text().startswith("Échec")


def test_cancelled_choice_writes_nothing(qtbot: QtBot, empty_db: Database) -> None:
    fake = FakeDialogs(path=None)
    d = dialog(qtbot, empty_db, fake)
    d.export_button.click()
    assert fake.written == [] and d.job is None
