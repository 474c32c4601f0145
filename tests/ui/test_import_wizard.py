"""The import wizard, the QPV dialog and the template action, driven with qtbot on the messy files of
tests/imports (jobs run synchronously here; tests/ui/test_workers.py covers the threaded path)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QWidget, QWizard
from sqlalchemy import select

from instructeur.imports.headers import propose_mapping
from instructeur.imports.reader import read_table
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Quartier
from tests.factories import World, build_world
from tests.imports.test_dossiers_import import counts, dossier, messy_file
from tests.imports.test_qpv_import import ROWS as QPV_ROWS
from tests.imports.test_qpv_import import write as write_qpv
from ui import workers
from ui.import_wizard import (
    IGNORE,
    UNKNOWN,
    ImportWizard,
    MappingModel,
    QpvImportDialog,
    change_model,
    created_model,
    problem_model,
    write_report,
)
from ui.main_window import MainWindow


class FakeDialogs:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.errors: list[str] = []

    def ask_open_path(self, *args: object) -> Path | None:
        return self.path

    ask_save_path = ask_export_path = ask_open_path

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, *args: object) -> None:
        pass


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


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def make_wizard(
    db: Database, world: World, parent: QWidget, dialogs: FakeDialogs | None = None
) -> ImportWizard:
    wizard = ImportWizard(db, world.campagne_id, parent, dialogs=dialogs or FakeDialogs())  # type: ignore[arg-type]
    wizard.show()
    return wizard


def to_preview(wizard: ImportWizard, path: Path, *, values_step: bool = False) -> None:
    """File → mapping → (values, only when the file has something to map) → preview."""
    wizard.file_page.load(path)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == ImportWizard.MAPPING
    wizard.next()
    if values_step:
        assert wizard.currentId() == ImportWizard.VALUES
        wizard.next()
    assert wizard.currentId() == ImportWizard.PREVIEW
    assert wizard.hasVisitedPage(ImportWizard.VALUES) == values_step


def import_button(wizard: ImportWizard):
    return wizard.button(QWizard.WizardButton.CommitButton)


def test_file_page_shows_detected_header_row(
    qtbot, db: Database, world: World, parent, tmp_path: Path
) -> None:
    wizard = make_wizard(db, world, parent)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.file_page.load(messy_file(tmp_path, "xlsx"))
    status = wizard.file_page.status.text()
    assert "En-têtes trouvés ligne 3" in status and "9 colonnes reconnues sur 10" in status
    preview = wizard.file_page.preview
    assert preview.verticalHeaderItem(1).text() == "3"  # the empty row 2 is not read
    assert preview.item(1, 0).text() == "N° dossier" and preview.item(1, 0).font().bold()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_unreadable_file_is_explained(qtbot, db: Database, world: World, parent, tmp_path: Path) -> None:
    bad = tmp_path / "ancien.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    wizard = make_wizard(db, world, parent)
    wizard.file_page.load(bad)
    assert wizard.file_page.status.isVisibleTo(wizard)
    assert ".xlsx" in wizard.file_page.status.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_mapping_page_shows_proposal_and_combo_changes_mapping(
    qtbot, db: Database, world: World, parent, tmp_path: Path
) -> None:
    wizard = make_wizard(db, world, parent)
    wizard.file_page.load(messy_file(tmp_path, "xlsx"))
    wizard.next()
    page = wizard.mapping_page
    model = page.model
    assert model.rowCount() == 10
    assert [model.key_at(r) for r in range(10)] == [
        "reference", "raison_sociale", "siret", "intitule", "cout_total_cents",
        "demande:ETAT", "demande:EPCI", "quartiers", "date_debut", IGNORE,
    ]  # fmt: skip
    assert model.index(2, 1).data() == "SIRET"
    assert model.index(2, 3).data() == "SIRET"
    assert model.index(5, 3).data() == "Montant demandé État — Préfecture du Pas-de-Calais"
    assert model.index(0, 2).data() == "26-001 · 26-002 · 26-003"
    assert page.combo(2).currentText() == "SIRET"
    assert page.combo(9).currentText() == "— ignorer —"

    # « Suivi interne » → Observations, through its combo.
    combo = page.combo(9)
    combo.setCurrentIndex(combo.findData("observations"))
    assert model.mapping().columns["observations"] == 9
    assert 9 not in model.mapping().unrecognised
    # Taking a field already used frees the other column.
    combo = page.combo(3)
    combo.setCurrentIndex(combo.findData("observations"))
    assert model.key_at(9) == IGNORE and model.mapping().columns["observations"] == 3
    assert "colonne J" in page.note.text()
    assert page.combo(9).currentText() == "— ignorer —"
    assert "Intitulé de l'action" in page.missing.text()
    # Without a N° dossier column, « Suivant » is disabled.
    page.combo(0).setCurrentIndex(0)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.reset()
    assert model.key_at(0) == "reference" and model.key_at(3) == "intitule"
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_unknown_amount_column_is_highlighted(
    qtbot, db: Database, world: World, parent, tmp_path: Path
) -> None:
    from tests.imports.test_dossiers_import import write_xlsx

    headers = ["N° dossier", "Structure", "Intitulé", "Montant demandé Région"]
    path = write_xlsx(tmp_path / "region.xlsx", [["R-1", "Asso", "Action", "1 000"]], headers)
    wizard = make_wizard(db, world, parent)
    wizard.file_page.load(path)
    wizard.next()
    page = wizard.mapping_page
    assert page.model.key_at(3) == UNKNOWN
    assert page.model.index(3, 1).data(8) is not None  # BackgroundRole
    assert "Montant demandé Région" in page.legend.text()
    wizard.next()
    assert [p.row for p in wizard.preview.rejected] == [4]  # the money is not lost silently
    wizard.back()
    page.combo(3).setCurrentIndex(page.combo(3).findData(IGNORE))
    assert page.legend.isHidden()
    wizard.next()
    assert wizard.preview.ok


def test_messy_file_preview_lists_rejections_and_import_is_disabled(
    qtbot, db: Database, world: World, parent, tmp_path: Path
) -> None:
    report = tmp_path / "rapport.csv"
    dialogs = FakeDialogs(report)
    before = counts(db)
    wizard = make_wizard(db, world, parent, dialogs)
    to_preview(wizard, messy_file(tmp_path, "xlsx"), values_step=True)  # « Zorglub »
    page = wizard.preview_page
    problems = [(p.row, p.column) for p in page.problems.rows]
    assert problems == [(6, "SIRET"), (7, "Montant demandé État"), (8, "Quartier(s)"), (9, "N° dossier")]
    assert page.problems.index(0, 1).data() == "6"
    assert page.problems.index(0, 3).data().startswith("SIRET invalide")
    assert page.figures["rejected"].value.text() == "4"
    assert page.figures["create"].value.text() == "3"
    assert not import_button(wizard).isEnabled()
    assert "rien ne sera importé tant que le fichier n'est pas corrigé" in page.banner.text()
    assert "11" in page.notes.text() and "Suivi interne" in page.notes.text()
    assert page.tabs.tabText(0) == "Lignes rejetées (4)"
    assert page.tabs.currentWidget() is page.problems_view

    page.report_button.click()
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Fichier;Ligne;Colonne;Motif"
    assert lines[1].startswith("dossiers.xlsx;6;SIRET;SIRET invalide")
    assert len(lines) == 5
    assert counts(db) == before  # nothing written


def test_fixed_file_imports_and_main_window_shows_dossiers(
    qtbot, db: Database, world: World, tmp_path: Path
) -> None:
    dialogs = FakeDialogs()
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    assert window.model.rowCount() == 0
    assert window.import_actions.dossiers_action.shortcut().toString() == "Ctrl+I"
    wizard = window.import_actions.open_wizard()
    assert wizard is not None and wizard.parent() is window
    path = messy_file(tmp_path, "xlsx", fixed=True)
    wizard.file_page.load(path)
    wizard.next()
    combo = wizard.mapping_page.combo(9)  # « Suivi interne » → Observations: the mapping chosen is used
    combo.setCurrentIndex(combo.findData("observations"))
    wizard.next()  # nothing to map: straight to the preview, without the values step
    assert wizard.currentId() == ImportWizard.PREVIEW and not wizard.hasVisitedPage(ImportWizard.VALUES)
    assert wizard.preview.ok
    assert wizard.preview_page.figures["create"].value.text() == "7"
    assert import_button(wizard).isEnabled()
    with qtbot.waitSignal(wizard.imported):
        import_button(wizard).click()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT)
    assert wizard.result_page.summary.text().startswith("7 dossiers créés, 0 mis à jour, 0 inchangé")
    references = [window.model.row_at(r).reference for r in range(window.model.rowCount())]
    assert sorted(references) == [f"26-00{n}" for n in range(1, 8)]
    assert dossier(db, "26-001").observations == "vu"
    assert "Import terminé" in window.statusBar().currentMessage()

    # The same file again: everything « inchangé », nothing written.
    wizard.close()
    qtbot.waitUntil(
        lambda: window.import_actions.wizard is None or not window.import_actions.wizard.isVisible()
    )
    again = window.import_actions.open_wizard()
    assert again is not None and again is not wizard
    to_preview(again, path)
    assert again.preview_page.figures["unchanged"].value.text() == "7"
    assert again.preview_page.figures["create"].value.text() == "0"
    assert "0 dossier à créer, 0 à mettre à jour, 7 inchangés" in again.preview_page.banner.text()
    again.close()


def test_reimport_with_change_lists_diffs(qtbot, db: Database, world: World, parent, tmp_path: Path) -> None:
    from tests.imports.test_dossiers_import import messy_rows, write_xlsx

    wizard = make_wizard(db, world, parent)
    to_preview(wizard, messy_file(tmp_path, "xlsx", fixed=True))
    import_button(wizard).click()
    assert wizard.currentId() == ImportWizard.RESULT
    rows = messy_rows(fixed=True)
    rows[1][5] = "6 000"
    second = make_wizard(db, world, parent)
    to_preview(second, write_xlsx(tmp_path / "v2.xlsx", rows))
    changes = second.preview_page.changes
    assert [(c.reference, c.champ, c.avant, c.apres) for c in changes.rows] == [
        ("26-002", "Montant demandé État", "5\u00a0000,00\u00a0€", "6\u00a0000,00\u00a0€")
    ]
    assert second.preview_page.tabs.currentWidget() is second.preview_page.changes_view
    import_button(second).click()
    assert "référence 26-002" in second.result_page.summary.text()


def test_mapping_model_and_preview_models_pass_qtmodeltester(
    qtmodeltester, db: Database, world: World, tmp_path: Path
) -> None:
    from instructeur.imports import dossiers as imp
    from ui.import_wizard import Analysis, change_rows

    path = messy_file(tmp_path, "xlsx")
    financeurs = tuple(imp.campagne_financeurs(db, world.campagne_id))
    table = read_table(path)
    model = MappingModel()
    model.load(Analysis(path, table, financeurs, propose_mapping(table, financeurs)))
    qtmodeltester.check(model)
    preview = imp.preview(db, world.campagne_id, path)
    for m, rows in (
        (problem_model(), preview.rejected),
        (change_model(), change_rows(preview)),
        (created_model(), preview.to_create),
    ):
        m.set_rows(list(rows))
        qtmodeltester.check(m)


def test_text_report(db: Database, world: World, tmp_path: Path) -> None:
    from instructeur.imports import dossiers as imp

    preview = imp.preview(db, world.campagne_id, messy_file(tmp_path, "csv"))
    text = write_report(tmp_path / "rapport.txt", preview).read_text(encoding="utf-8")
    assert "4 lignes rejetées : rien ne sera importé" in text
    assert "dossiers.csv, ligne 7, colonne « Montant demandé État » : montant négatif" in text


def test_template_action_writes_readable_xlsx(qtbot, db: Database, world: World, tmp_path: Path) -> None:
    target = tmp_path / "modele"
    window = MainWindow(db, dialogs=FakeDialogs(target))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    assert window.import_actions.template_action.text() == "Enregistrer un &modèle d'import…"
    written = window.import_actions.save_template()
    assert written == tmp_path / "modele.xlsx"
    wb = load_workbook(written)
    assert wb.sheetnames == ["Dossiers", "Aide", "Correspondances"]
    headers = [c.value for c in wb["Dossiers"][1]]
    assert headers[0] == "N° dossier"
    assert any(h and h.startswith("Montant demandé") and "CAF" in h for h in headers)


def test_file_menu_order(qtbot, db: Database, world: World) -> None:
    window = MainWindow(db, dialogs=FakeDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    fichier = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in fichier.actions() if not a.isSeparator()]
    start = texts.index("&Ouvrir une base…")
    assert texts[start + 1 : start + 4] == [
        "&Importer des dossiers…",
        "Importer la &liste officielle des QPV…",
        "Enregistrer un &modèle d'import…",
    ]


def test_qpv_dialog_dry_run_then_import(qtbot, db: Database, world: World, parent, tmp_path: Path) -> None:
    imported: list[object] = []
    dialog = QpvImportDialog(db, world.contrat_id, parent, dialogs=FakeDialogs())  # type: ignore[arg-type]
    dialog.imported.connect(imported.append)
    dialog.show()
    assert not dialog.import_button.isEnabled()
    dialog.load(write_qpv(tmp_path / "qpv.csv", QPV_ROWS))
    assert "4 QPV mis à jour (codes renseignés), 1 créé, 0 ignoré" in dialog.summary.text()
    items = [dialog.details.item(n).text() for n in range(dialog.details.count())]
    assert "Créé : La Tour d'Outreau : QN06217E" in items
    assert any(i.startswith("Mis à jour : Damrémont") for i in items)
    assert _code(db, "Damrémont") is None  # dry run: nothing written
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert _code(db, "Damrémont") == "QN06213A"
    assert "Import terminé" in dialog.summary.text()
    assert len(imported) == 1 and not dialog.import_button.isEnabled()


def test_qpv_dialog_rejected_file(qtbot, db: Database, world: World, parent, tmp_path: Path) -> None:
    dialog = QpvImportDialog(db, world.contrat_id, parent, dialogs=FakeDialogs())  # type: ignore[arg-type]
    bad = tmp_path / "bad.csv"
    bad.write_text("nom;commune\nA;B\n", encoding="utf-8")
    dialog.load(bad)
    assert "rien n'a été importé" in dialog.summary.text()
    assert dialog.details.count() == 1 and "introuvables" in dialog.details.item(0).text()
    assert not dialog.import_button.isEnabled()


def _code(db: Database, nom: str) -> str | None:
    with db.session() as s:
        return s.scalars(select(Quartier.code).where(Quartier.nom == nom)).one()
