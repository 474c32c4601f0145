"""Excel habits on the dossiers list (issue 11): Ctrl+C copies rows with headers, tab-separated,
amounts as French numbers; « Exporter la liste affichée… » writes the filtered rows and visible
columns to an xlsx whose amounts are numbers in a euro format."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest

from instructeur.domain.statuts import Statut
from instructeur.storage.db import Database
from tests.ui.test_main_window import FakeDialogs, make_window
from tests.ui.test_views_batch import select_refs
from ui.list_export import EURO_FORMAT
from ui.models.dossiers import DossierFilters


class ExportDialogs(FakeDialogs):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.export_path = path

    def ask_export_path(self, *args: object) -> Path | None:
        return self.export_path


def test_ctrl_c_copies_the_selected_rows_with_headers(qtbot, db: Database) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, db)
    select_refs(window, ["2026-002", "2026-003"])
    window.table.setFocus()
    QGuiApplication.clipboard().clear()
    QTest.keySequence(window.table, QKeySequence(QKeySequence.StandardKey.Copy))
    lines = QGuiApplication.clipboard().text().split("\r\n")
    headers = lines[0].split("\t")
    assert headers[:3] == ["Référence", "Porteur", "Intitulé"]
    assert len([line for line in lines if line]) == 3  # headers + the two rows
    rows = {
        line.split("\t")[0]: dict(zip(headers, line.split("\t"), strict=True)) for line in lines[1:] if line
    }
    assert rows["2026-002"]["Porteur"] == "Élan Solidaire"
    assert rows["2026-002"]["Montant demandé"] == "12500,00"  # a number for a French Excel
    assert rows["2026-003"]["Montant demandé"] == "3000,00"


def test_export_of_the_displayed_list_is_an_xlsx_with_numbers(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "liste.xlsx"
    window = make_window(qtbot, db, ExportDialogs(target))
    filters = DossierFilters(statuts=frozenset({Statut.DEPOSE, Statut.EN_INSTRUCTION}))
    window.workspace.panel.set_filters(filters)  # the panel shows them, silently
    window.workspace._on_filters(filters)  # what the panel's signal does
    window.proxy.set_visible_columns(["reference", "porteur", "demande", "date_depot"])
    shown = window.proxy.rowCount()
    assert shown == 2
    assert window.workspace.list_export.ask_export() == target

    book = load_workbook(target)
    sheet = book["Dossiers"]
    assert [c.value for c in sheet[1]] == ["Référence", "Porteur", "Montant demandé", "Déposé le"]
    assert sheet.max_row == 1 + shown
    by_ref = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    assert set(by_ref) == {"2026-001", "2026-002"}
    amount = sheet.cell(by_ref["2026-002"], 3)
    assert amount.value == 12500 and amount.data_type == "n"
    assert amount.number_format == EURO_FORMAT
    assert sheet.cell(1, 1).font.bold
    filtres = book["Filtres"]
    assert "Déposé" in str(filtres["B1"].value) or "statut" in str(filtres["B1"].value).lower()
    assert filtres["B3"].value == 2
