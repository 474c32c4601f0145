"""Excel habits on the dossiers list (issue 11): Ctrl+C copies the selected rows tab-separated with
their headers (visible columns, amounts as « 12500,00 » that a French Excel reads as numbers), and
« Exporter la liste affichée… » writes the rows as filtered and sorted, visible columns only, to an
xlsx file (amounts as numbers with a euro format, dates as dates, the filters on a second sheet)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from instructeur.domain.text import safe_filename
from instructeur.errors import UserError, system_error
from ui.models.table import Column, RowTableModel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["ListExportActions", "copy_text", "visible_columns", "write_xlsx"]

AMOUNT_KEYS = frozenset({"demande", "cout_total", "vote"})
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_FILTER = "Classeur Excel (*.xlsx)"
_FORMULA_START = ("=", "+", "-", "@")


def visible_columns(window: MainWindow) -> list[Column[Any]]:
    """The columns the list shows, in their order."""
    by_key = {c.key: c for c in window.model.columns}
    return [by_key[k] for k in window.proxy.visible_columns if k in by_key]


def _rows(window: MainWindow, proxy_rows: Sequence[int]) -> list[Any]:
    proxy = window.proxy
    return [proxy.index(r, 0).data(RowTableModel.RowRole) for r in proxy_rows]


def _number(column: Column[Any], row: Any) -> Decimal | int | float | None:
    """The cell as a number when it is one (amounts in euros, note, rang), else None."""
    value = column.getter(row)
    if value is None:
        return None
    if column.key in AMOUNT_KEYS:
        return Decimal(int(value)) / 100
    if column.key == "score":
        return float(value[0])
    if column.key == "rang":
        return int(value)
    return None


def _text_cell(column: Column[Any], row: Any) -> str:
    number = _number(column, row)
    if number is not None:
        text = f"{number:.2f}" if isinstance(number, Decimal) else str(number)
        return text.replace(".", ",")  # French Excel: « 12500,00 » is a number
    text = " ".join(column.display(row).split())  # no tab nor line break inside a cell
    if text.startswith(_FORMULA_START):
        text = "'" + text  # pasted as text, never as a formula
    return text


def copy_text(window: MainWindow, proxy_rows: Sequence[int]) -> str:
    """Header line then one line per row, tab-separated, visible columns (what Ctrl+C copies)."""
    columns = visible_columns(window)
    lines = ["\t".join(c.header for c in columns)]
    lines += ["\t".join(_text_cell(c, row) for c in columns) for row in _rows(window, proxy_rows)]
    return "\r\n".join(lines) + "\r\n"


def write_xlsx(window: MainWindow, path: Path, filters_text: str = "") -> int:
    """Every row the list shows, in its order; returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = visible_columns(window)
    rows = _rows(window, range(window.proxy.rowCount()))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dossiers"
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for n, column in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=n)
            number = _number(column, row)
            value = column.getter(row)
            if number is not None:
                cell.value = number
                if column.key in AMOUNT_KEYS:
                    cell.number_format = EURO_FORMAT
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            else:
                text = column.display(row)
                cell.value = text or None
                if text.startswith(_FORMULA_START):
                    cell.data_type = "s"  # text, never a formula
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width = max(
            10, min(60, (column.width or 100) // 7)
        )
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    info = book.create_sheet("Filtres")
    info.append(["Filtres appliqués", filters_text or "aucun"])
    search = window.search_edit.text().strip()
    info.append(["Recherche", search or "aucune"])
    info.append(["Dossiers", len(rows)])
    try:
        book.save(path)
    except OSError as exc:
        problem = system_error(exc)
        if problem is None:
            raise
        raise problem from exc
    return len(rows)


class ListExportActions(QObject):
    """Ctrl+C on the list and « Exporter la liste affichée… » in the Dossier menu."""

    def __init__(self, window: MainWindow, menu: QMenu | None) -> None:
        super().__init__(window)
        self._window = window
        self.copy_action = QAction("&Copier les lignes", window)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        window.table.addAction(self.copy_action)
        self.export_action = QAction("E&xporter la liste affichée…", window)
        self.export_action.setStatusTip(
            "Les dossiers affichés (filtres, tri, colonnes visibles) dans un classeur"
        )
        self.export_action.triggered.connect(self.ask_export)
        if menu is not None:
            menu.addAction(self.export_action)

    def copy_selection(self) -> str:
        w = self._window
        rows = sorted({ix.row() for ix in w.table.selectionModel().selectedRows()})
        if not rows and w.table.currentIndex().isValid():
            rows = [w.table.currentIndex().row()]
        if not rows:
            return ""
        text = copy_text(w, rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def ask_export(self) -> Path | None:
        from ui.filters import summary_text

        w = self._window
        campagne = w.current_campagne
        name = safe_filename(f"dossiers {campagne.annee}" if campagne else "dossiers") + ".xlsx"
        path = w._dialogs.ask_export_path(w, "Exporter la liste affichée", name, XLSX_FILTER)
        if path is None:
            return None
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        workspace = getattr(w, "workspace", None)
        filters = workspace.panel.filters() if workspace is not None else None
        try:
            n = write_xlsx(w, path, summary_text(filters) if filters is not None and filters.count else "")
        except UserError as exc:
            w._dialogs.error(w, "Exporter la liste affichée", exc.message)
            return None
        w.statusBar().showMessage(
            f"{n} dossier{'s' if n > 1 else ''} exporté{'s' if n > 1 else ''} : {path}", 8000
        )
        return path
