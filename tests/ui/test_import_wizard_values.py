"""The wizard's value step (unmatched values mapped with a combo of proposals, SIRET known under
another name), skipped when the file has nothing to map, its warnings, the « lignes valides »
choice, and a démarches-simplifiées export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QWidget, QWizard
from sqlalchemy import select

from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Dossier, Porteur
from tests.factories import World, build_world
from tests.imports.test_dossiers_import import messy_file, write_xlsx
from tests.imports.test_presets import ds_export
from tests.shots import shot
from tests.ui.test_import_wizard import FakeDialogs
from ui import workers
from ui.import_wizard import ImportWizard, dossiers_import, report_text

CHEMIN_VERT = "Chemin Vert - Beaurepaire et Marlborough"
HEADERS = ["N° dossier", "Structure", "SIRET", "Intitulé de l'action", "Coût total", "Montant demandé État",
           "Quartier(s)"]  # fmt: skip
_PARENTS: list[QWidget] = []


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "SYNC_JOBS", True)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "import.sqlite", backup_dir=tmp_path)
    yield database
    database.close()


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def wizard_on(
    qtbot, db: Database, world: World, path: Path, dialogs: FakeDialogs | None = None
) -> ImportWizard:
    parent = QWidget()
    qtbot.addWidget(parent)
    wizard = ImportWizard(db, world.campagne_id, parent, dialogs=dialogs or FakeDialogs())  # type: ignore[arg-type]
    _PARENTS.append(parent)  # the parent (and the wizard it owns) live until the test's teardown
    wizard.resize(1366, 768)
    wizard.show()
    wizard.file_page.load(path)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == ImportWizard.VALUES
    return wizard


def test_value_step_maps_values_and_chooses_new_porteur(
    qtbot, db: Database, world: World, tmp_path: Path
) -> None:
    rows = [
        [
            "M-1",
            "ELAN SOLIDAIRE ASSOCIATION",
            "732 829 320 00074",
            "Atelier",
            "1 000",
            "1 000",
            "Chemin Vert Sud",
        ],
        ["M-2", "Asso Beaurepaire", None, "Danse", "9 500", "5 500", "Beaurepaire"],
        ["M-3", "Asso Sud", None, "Chorale", "300", "300", "chemin vert sud; Damrémont"],
    ]
    path = write_xlsx(tmp_path / "valeurs.xlsx", rows, HEADERS)
    modele = tmp_path / "correspondances.xlsx"
    wizard = wizard_on(qtbot, db, world, path, FakeDialogs(modele))
    page = wizard.values_page
    assert [(u.field, u.value, u.rows) for u in page.unmatched] == [("quartiers", "Chemin Vert Sud", (4, 6))]
    combo = page.combo(0)
    assert combo.currentText() == CHEMIN_VERT  # the closest name, proposed first
    assert combo.itemData(0) == ""  # « laisser la ligne rejetée »
    assert {combo.itemText(n) for n in range(combo.count())} >= {"Damrémont", "Centre Ville"}
    assert [c.known_as for c in page.conflicts] == ["Élan Solidaire"]
    page.siret_combo(0).setCurrentIndex(1)  # nouveau porteur
    assert page.sirets.isVisible() and page.save_button.isEnabled()
    wizard.grab().save(shot("import_value_step.png"))
    assert wizard.button(QWizard.WizardButton.NextButton).isVisible()

    page.save_button.click()
    sheet = load_workbook(modele)["Correspondances"]
    assert [c.value for c in sheet[2]] == ["quartier", "Chemin Vert Sud", CHEMIN_VERT]

    wizard.next()
    assert wizard.currentId() == ImportWizard.PREVIEW
    preview = wizard.preview
    assert preview is not None and preview.ok, [str(p) for p in preview.rejected]
    preview_page = wizard.preview_page
    assert preview_page.tabs.tabText(3) == "Avertissements (2)"
    reasons = [w.reason for w in preview_page.warnings.rows]
    assert reasons[0].startswith("SIRET connu sous le nom « Élan Solidaire »")
    assert reasons[0].endswith("nouveau porteur créé sans ce SIRET")
    assert reasons[1].startswith("plan de financement déséquilibré")
    assert (
        "Avertissement : valeurs.xlsx, ligne 4, colonne « SIRET » : SIRET connu sous le nom"
        in report_text(preview)
    )
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentId() == ImportWizard.RESULT
    with db.session() as s:
        m1 = s.scalars(select(Dossier).where(Dossier.reference == "M-1")).one()
        assert [q.nom for q in m1.quartiers] == [CHEMIN_VERT]
        porteur = s.get(Porteur, m1.porteur_id)
        assert porteur is not None and (porteur.raison_sociale, porteur.siret) == (
            "ELAN SOLIDAIRE ASSOCIATION",
            None,
        )
        m3 = s.scalars(select(Dossier).where(Dossier.reference == "M-3")).one()
        assert sorted(q.nom for q in m3.quartiers) == [CHEMIN_VERT, "Damrémont"]


def test_partial_import_from_the_wizard(qtbot, db: Database, world: World, tmp_path: Path) -> None:
    wizard = wizard_on(qtbot, db, world, messy_file(tmp_path, "xlsx"))
    assert [u.value for u in wizard.values_page.unmatched] == ["Zorglub"]
    wizard.next()
    page = wizard.preview_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled() and page.partial.isVisible()
    page.partial.setChecked(True)
    assert commit.isEnabled()
    assert "dossiers-rejets.xlsx" in page.banner.text()
    assert page.tabs.tabText(3) == "Avertissements (3)"  # unbalanced plans of rows 4, 5 and 10
    wizard.grab().save(shot("import_preview_step.png"))
    commit.click()
    assert wizard.currentId() == ImportWizard.RESULT
    result = wizard.outcome
    assert result is not None and result.rejects_file == tmp_path / "dossiers-rejets.xlsx"
    assert "4 lignes rejetées écrites" in wizard.result_page.summary.text()
    ws = load_workbook(result.rejects_file).active
    assert [c.value for c in ws[1]][-1] == "Motif"
    assert ws.max_row == 5
    with db.session() as s:
        assert len(s.scalars(select(Dossier.id)).all()) == 3


def test_demarches_simplifiees_export_in_the_wizard(
    qtbot, db: Database, world: World, tmp_path: Path
) -> None:
    wizard = wizard_on(qtbot, db, world, ds_export(tmp_path / "export.xlsx"))
    assert (
        wizard.analysis is not None and wizard.analysis.announcement == "export démarches-simplifiées reconnu"
    )
    assert "Export démarches-simplifiées reconnu" in wizard.file_page.status.text()
    wizard.next()
    assert wizard.preview is not None and wizard.preview.ok
    assert wizard.preview_page.notes.text().startswith(
        "Export démarches-simplifiées reconnu : feuille « Etablissements »"
    )


CLEAN = [["C-1", "Asso Nord", None, "Atelier", "1 000", "1 000", "Damrémont"]]
UNMATCHED = [["C-1", "Asso Nord", None, "Atelier", "1 000", "1 000", "Chemin Vert Sud"]]


def counted_previews(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the wizard previews, one entry per preview it runs."""
    calls: list[Path] = []
    real = dossiers_import.preview

    def preview(db: Database, campagne_id: int, path: Path, *args: object, **kwargs: object) -> object:
        calls.append(path)
        return real(db, campagne_id, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dossiers_import, "preview", preview)
    return calls


def test_clean_file_skips_the_values_step(
    qtbot, db: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previews = counted_previews(monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    wizard = ImportWizard(db, world.campagne_id, parent, dialogs=FakeDialogs())  # type: ignore[arg-type]
    _PARENTS.append(parent)
    wizard.show()
    wizard.file_page.load(write_xlsx(tmp_path / "propre.xlsx", CLEAN, HEADERS))
    wizard.next()
    assert wizard.currentId() == ImportWizard.MAPPING
    wizard.next()
    assert wizard.currentId() == ImportWizard.PREVIEW  # straight from the mapping to the preview
    assert not wizard.hasVisitedPage(ImportWizard.VALUES)
    assert wizard.preview is not None and wizard.preview.ok and len(previews) == 1  # made once
    assert wizard.preview_page.figures["create"].value.text() == "1"
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()

    wizard.back()
    assert wizard.currentId() == ImportWizard.MAPPING  # « Précédent » skips it too
    wizard.next()
    assert wizard.currentId() == ImportWizard.PREVIEW and len(previews) == 2
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentId() == ImportWizard.RESULT
    with db.session() as s:
        assert s.scalars(select(Dossier.reference)).all() == ["C-1"]


def test_unmatched_quartier_shows_the_values_step(
    qtbot, db: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previews = counted_previews(monkeypatch)
    wizard = wizard_on(qtbot, db, world, write_xlsx(tmp_path / "sud.xlsx", UNMATCHED, HEADERS))
    assert [(u.field, u.value) for u in wizard.values_page.unmatched] == [("quartiers", "Chemin Vert Sud")]
    assert len(previews) == 1  # the one made when leaving the mapping page, not run again
    assert wizard.values_page.combo(0).currentText() == CHEMIN_VERT
    wizard.next()
    assert wizard.currentId() == ImportWizard.PREVIEW
    assert len(previews) == 2  # again, with the correspondence chosen
    assert wizard.preview is not None and wizard.preview.ok
    wizard.back()
    assert wizard.currentId() == ImportWizard.VALUES


@pytest.mark.parametrize(("rows", "page"), [(CLEAN, ImportWizard.PREVIEW), (UNMATCHED, ImportWizard.VALUES)])
def test_threaded_preview_then_the_right_page(
    qtbot, db: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list, page: int
) -> None:
    monkeypatch.setattr(workers, "SYNC_JOBS", False)
    parent = QWidget()
    qtbot.addWidget(parent)
    wizard = ImportWizard(db, world.campagne_id, parent, dialogs=FakeDialogs())  # type: ignore[arg-type]
    _PARENTS.append(parent)
    wizard.show()
    wizard.file_page.load(write_xlsx(tmp_path / "f.xlsx", rows, HEADERS))
    qtbot.waitUntil(lambda: wizard.analysis is not None and not wizard.busy, timeout=20_000)
    wizard.next()
    assert wizard.currentId() == ImportWizard.MAPPING
    wizard.next()  # starts the preview: the page waits for it, « Suivant » greyed meanwhile
    assert wizard.currentId() == ImportWizard.MAPPING
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.waitUntil(lambda: wizard.currentId() == page, timeout=20_000)
    assert wizard.hasVisitedPage(ImportWizard.VALUES) == (page == ImportWizard.VALUES)
    qtbot.waitUntil(lambda: not workers.running_jobs(), timeout=20_000)
