"""Importing from spreadsheets in the GUI: the dossiers wizard, the official QPV list, the template.

* `ImportWizard`: 1) choose a .xlsx / .csv (button or drag-and-drop), see the detected header
  row; 2) check and correct the column → field mapping (proposed by `propose_mapping`); 3) preview:
  what would be created / updated (with the diffs) / left unchanged, the rejected rows with their
  Excel row number, column and reason — « Importer » stays disabled while a row is rejected
  (all or nothing); 4) the summary. Reading, preview and import run through `ui.workers.run_job`.
* `QpvImportDialog`: the ANCT file, a dry run listing what would change, then « Importer ».
* `save_import_template`: writes the .xlsx template with the recognised headers.
* `ImportActions`: the three « Fichier » menu items of the main window.

The services are in `instructeur.imports` (Qt-free); this module only shows their results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from instructeur.errors import UserError
from instructeur.imports import dossiers as dossiers_import
from instructeur.imports.dossiers import ImportPreview, ImportRejected, ImportResult, PlannedDossier
from instructeur.imports.headers import DEMANDE_PREFIX, FIELDS, Mapping, is_totals_row, propose_mapping
from instructeur.imports.qpv import QpvImportRejected, QpvImportResult, import_qpv
from instructeur.imports.reader import Table, column_letter, read_table
from instructeur.imports.values import RowProblem, text_of
from instructeur.services.contrats import FinanceurRow
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel
from ui.workers import Progress, run_job

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from instructeur.services.campagnes import CampagneRow

__all__ = [
    "ImportActions",
    "ImportWizard",
    "MappingModel",
    "QpvImportDialog",
    "field_choices",
    "report_text",
    "save_import_template",
    "write_report",
]

TABLE_FILTER = "Tableaux (*.xlsx *.csv);;Classeurs Excel (*.xlsx);;Fichiers CSV (*.csv)"
REPORT_FILTER = "Fichier CSV (*.csv);;Texte (*.txt)"
TEMPLATE_FILTER = "Classeur Excel (*.xlsx)"
ACCEPTED_SUFFIXES = (".xlsx", ".csv")
IGNORE = ""  # mapping choice: the column is not imported
UNKNOWN = "?montant"  # an amount for a financeur the contrat lacks: a value there rejects the row
SAMPLE_ROWS = 3
FILE_PREVIEW_ROWS = 12

UNKNOWN_BACKGROUND = QColor("#fde7c8")
HEADER_BACKGROUND = QColor("#dbe8f7")
IGNORED_FOREGROUND = QColor("#6b6b6b")

_STYLE = """
QLabel#banner { padding: 8px 10px; border-radius: 4px; }
QLabel#banner[state="rejected"] { background: #fbe3e3; color: #7a1010; border: 1px solid #e3a5a5; }
QLabel#banner[state="ok"] { background: #e2f3e4; color: #1b4d1f; border: 1px solid #a9d4ae; }
QLabel#banner[state="error"] { background: #fbe3e3; color: #7a1010; border: 1px solid #e3a5a5; }
QLabel#figureValue { font-size: 16pt; font-weight: 600; }
QLabel#figureCaption { color: palette(placeholder-text); }
QFrame#figure { border: 1px solid palette(midlight); border-radius: 4px; }
QLabel#dropHint { color: palette(placeholder-text); }
"""


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n <= 1 else (plural or singular + 's')}"


# --- Pure helpers (no widget) ------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """What the first page read: the table, the contrat's financeurs, the proposed mapping."""

    path: Path
    table: Table
    financeurs: tuple[FinanceurRow, ...]
    mapping: Mapping

    @property
    def data_rows(self) -> int:
        return sum(1 for row in self.table.rows if row.number > self.mapping.header_row)


def analyse(db: Database, campagne_id: int, path: Path, progress: Progress) -> Analysis:
    """Job: read the file and propose the mapping (runs in a worker thread: data in, data out)."""
    progress.update(0, 0, f"Lecture de « {path.name} »…")
    financeurs = tuple(dossiers_import.campagne_financeurs(db, campagne_id))
    table = read_table(path)
    progress.check()
    return Analysis(path, table, financeurs, propose_mapping(table, financeurs))


def field_choices(financeurs: Sequence[FinanceurRow]) -> list[tuple[str, str]]:
    """(key, label) of every target a column can get: ignore, the fields, one amount per financeur
    (right after « Coût total », as in the template)."""
    out = [(IGNORE, "— ignorer —")]
    for spec in FIELDS:
        out.append((spec.key, f"{spec.label} (obligatoire)" if spec.key == "reference" else spec.label))
        if spec.key == "cout_total_cents":
            out.extend((DEMANDE_PREFIX + f.code, f"Montant demandé {f.nom}") for f in financeurs)
    return out


def sample_values(table: Table, mapping: Mapping, column: int, count: int = SAMPLE_ROWS) -> tuple[str, ...]:
    """The column's values on the first `count` data rows (below the header row, totals skipped)."""
    out: list[str] = []
    for row in table.rows:
        if row.number <= mapping.header_row or is_totals_row(row, mapping):
            continue
        out.append(text_of(row.get(column)))
        if len(out) == count:
            break
    return tuple(out)


def planned_counts(preview: ImportPreview) -> str:
    """« 7 dossiers à créer, 1 à mettre à jour, 6 inchangés »."""
    return (
        f"{_plural(len(preview.to_create), 'dossier à créer', 'dossiers à créer')}, "
        f"{len(preview.to_update)} à mettre à jour, {_plural(len(preview.unchanged), 'inchangé')}"
    )


def done_counts(preview: ImportPreview) -> str:
    """« 7 dossiers créés, 1 mis à jour, 6 inchangés » (the summary without the diffs)."""
    return (
        f"{_plural(len(preview.to_create), 'dossier créé', 'dossiers créés')}, "
        f"{len(preview.to_update)} mis à jour, {_plural(len(preview.unchanged), 'inchangé')}"
    )


def report_text(preview: ImportPreview) -> str:
    """The problems (and planned changes) as plain text, one line each, for « Enregistrer le rapport… »."""
    lines = [f"Import de « {preview.file} »"]
    if preview.rejected:
        rows = len(preview.rejected_rows)
        lines.append(
            f"{_plural(rows, 'ligne rejetée', 'lignes rejetées')} : rien ne sera importé tant que le "
            "fichier n'est pas corrigé."
        )
        lines.append("")
        lines.extend(str(p) for p in preview.rejected)
    else:
        lines.append(f"Aucune ligne rejetée : {planned_counts(preview)}.")
    if preview.to_update:
        lines.append("")
        lines.extend(f"Mise à jour ligne {u.row} : {u.describe_changes()}" for u in preview.to_update)
    if preview.totals_rows:
        lines.append("")
        lines.extend(f"Ligne {n} ignorée (ligne de total)" for n in preview.totals_rows)
    if preview.unrecognised:
        lines.append("Colonnes ignorées : " + ", ".join(f"« {h} »" for h in preview.unrecognised))
    return "\n".join(lines) + "\n"


def write_report(path: Path, preview: ImportPreview) -> Path:
    """.csv: one row per problem (Fichier;Ligne;Colonne;Motif), UTF-8 with BOM for Excel; else text."""
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(["Fichier", "Ligne", "Colonne", "Motif"])
        for p in preview.rejected:
            writer.writerow([p.file, p.row, p.column or "", p.reason])
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    else:
        path.write_text(report_text(preview), encoding="utf-8")
    return path


# --- Mapping model and its combo delegate ------------------------------------------------------


@dataclass
class _MappingRow:
    column: int
    header: str
    samples: tuple[str, ...]
    key: str
    unknown_amount: bool  # proposed as an amount for a financeur the contrat lacks


class MappingModel(QAbstractTableModel):
    """One row per column of the file: letter, header, sample values, and the field it feeds
    (editable: EditRole is the field key, DisplayRole its French label)."""

    HEADERS = ("Col.", "En-tête du fichier", "Exemples (3 premières lignes)", "Champ importé")
    FIELD_COLUMN = 3
    KeyRole = Qt.ItemDataRole.UserRole

    moved = Signal(str)  # a field taken from another column: the message to show

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_MappingRow] = []
        self._base = Mapping(header_row=0, headers=())
        self.choices: list[tuple[str, str]] = field_choices(())
        self._labels = dict(self.choices)

    def load(self, analysis: Analysis) -> None:
        self.beginResetModel()
        try:
            mapping = analysis.mapping
            self._base = mapping
            self.choices = field_choices(analysis.financeurs)
            self._labels = dict(self.choices)
            by_column = {column: key for key, column in mapping.columns.items()}
            self._rows = [
                _MappingRow(
                    column,
                    mapping.header(column),
                    sample_values(analysis.table, mapping, column),
                    UNKNOWN if column in mapping.unknown_amounts else by_column.get(column, IGNORE),
                    column in mapping.unknown_amounts,
                )
                for column in range(len(mapping.headers))
            ]
        finally:
            self.endResetModel()

    def key_at(self, row: int) -> str:
        return self._rows[row].key

    def row_of_column(self, column: int) -> int:
        return next(n for n, r in enumerate(self._rows) if r.column == column)

    def choices_for(self, row: int) -> list[tuple[str, str]]:
        if 0 <= row < len(self._rows) and self._rows[row].unknown_amount:
            return [*self.choices[:1], (UNKNOWN, "⚠ financeur à préciser"), *self.choices[1:]]
        return self.choices

    def label(self, key: str) -> str:
        return "⚠ financeur à préciser" if key == UNKNOWN else self._labels.get(key, key)

    def mapping(self) -> Mapping:
        """The mapping to import with, as chosen in the table."""
        columns = {r.key: r.column for r in self._rows if r.key not in (IGNORE, UNKNOWN)}
        unrecognised = tuple(r.column for r in self._rows if r.key == IGNORE and self._base.headers[r.column])
        unknown = tuple(r.column for r in self._rows if r.key == UNKNOWN)
        return replace(self._base, columns=columns, unrecognised=unrecognised, unknown_amounts=unknown)

    def missing_required(self) -> list[str]:
        mapped = {r.key for r in self._rows}
        return [spec.label for spec in FIELDS if spec.required and spec.key not in mapped]

    # --- QAbstractItemModel -------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return column_letter(row.column)
            if col == 1:
                return row.header
            if col == 2:
                return " · ".join(s or "(vide)" for s in row.samples)
            if col == self.FIELD_COLUMN:
                return self.label(row.key)
            return None
        if role in (Qt.ItemDataRole.EditRole, self.KeyRole):
            return row.key if col == self.FIELD_COLUMN else self.data(index)
        if role == Qt.ItemDataRole.BackgroundRole and row.key == UNKNOWN:
            return UNKNOWN_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and row.key == IGNORE and col != self.FIELD_COLUMN:
            return IGNORED_FOREGROUND
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.key == UNKNOWN:
                return (
                    "Cette colonne ressemble à un montant demandé, mais aucun financeur du contrat ne "
                    "correspond : une ligne qui y porte un montant sera rejetée. Choisissez le "
                    "financeur, ou « — ignorer — »."
                )
            if col == 2:
                return "\n".join(s or "(vide)" for s in row.samples) or None
            return self.data(index) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.FIELD_COLUMN:
            return False
        key = str(value or "")
        if key not in self._labels and key != UNKNOWN:
            return False
        row = self._rows[index.row()]
        if row.key == key:
            return False
        row.key = key
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.FIELD_COLUMN))
        if key not in (IGNORE, UNKNOWN):  # a field takes one column: the previous one lets it go
            for n, other in enumerate(self._rows):
                if other is not row and other.key == key:
                    other.key = IGNORE
                    self.dataChanged.emit(self.index(n, 0), self.index(n, self.FIELD_COLUMN))
                    self.moved.emit(
                        f"« {self.label(key)} » venait de la colonne {column_letter(other.column)} "
                        f"(« {other.header} ») : cette colonne est maintenant ignorée."
                    )
        return True

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.FIELD_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return section + 1 if 0 <= section < len(self._rows) else None


class FieldDelegate(QStyledItemDelegate):
    """A combo per row of the « Champ importé » column; a choice is committed at once."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        model = index.model()
        assert isinstance(model, MappingModel)
        combo = QComboBox(parent)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        combo.setMaxVisibleItems(20)
        for key, label in model.choices_for(index.row()):
            combo.addItem(label, key)
        header = model.index(index.row(), 1).data()
        combo.setAccessibleName(f"Champ de la colonne « {header} »")
        combo.currentIndexChanged.connect(lambda _n, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        n = editor.findData(index.data(Qt.ItemDataRole.EditRole))
        if n >= 0 and n != editor.currentIndex():
            editor.blockSignals(True)
            editor.setCurrentIndex(n)
            editor.blockSignals(False)

    def setModelData(
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


# --- Small widgets -------------------------------------------------------------------------------


def _banner(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("banner")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _set_banner(label: QLabel, state: str, text: str) -> None:
    label.setProperty("state", state)
    label.setText(text)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


class _Figure(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.value = QLabel("—")
        self.value.setObjectName("figureValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("figureCaption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.value.setAccessibleName(caption)

    def set_value(self, n: int) -> None:
        self.value.setText(str(n))
        self.value.setAccessibleDescription(f"{n} {self.caption.text()}")


def _table_view(name: str, model: QAbstractTableModel, parent: QWidget | None = None) -> QTableView:
    """A read-only grid; a `RowTableModel`'s preferred column widths are applied (the last one stretches)."""
    view = QTableView(parent)
    view.setAccessibleName(name)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setStretchLastSection(True)
    if isinstance(model, RowTableModel):
        for n, column in enumerate(model.columns):
            if column.width:
                view.setColumnWidth(n, column.width)
    return view


# --- Row models of the preview page (the project's RowTableModel template) ---------------------


@dataclass(frozen=True)
class ChangeRow:
    reference: str
    row: int
    champ: str
    avant: str
    apres: str


def problem_model(parent: QObject | None = None) -> RowTableModel[RowProblem]:
    return RowTableModel(
        [
            Column("fichier", "Fichier", lambda p: p.file, width=130),
            Column("ligne", "Ligne", lambda p: p.row, alignment=ALIGN_RIGHT, width=60),
            Column("colonne", "Colonne", lambda p: p.column or "(ligne entière)", width=190),
            Column("motif", "Motif", lambda p: p.reason, stretch=1),
        ],
        parent,
    )


def change_model(parent: QObject | None = None) -> RowTableModel[ChangeRow]:
    return RowTableModel(
        [
            Column("reference", "Référence", lambda c: c.reference, width=100),
            Column("ligne", "Ligne", lambda c: c.row, alignment=ALIGN_RIGHT, width=60),
            Column("champ", "Champ", lambda c: c.champ, width=190),
            Column("avant", "Avant", lambda c: c.avant, width=160),
            Column("apres", "Après", lambda c: c.apres, stretch=1),
        ],
        parent,
    )


def created_model(parent: QObject | None = None) -> RowTableModel[PlannedDossier]:
    return RowTableModel(
        [
            Column("reference", "Référence", lambda d: d.reference, width=100),
            Column("ligne", "Ligne", lambda d: d.row, alignment=ALIGN_RIGHT, width=60),
            Column("porteur", "Porteur", lambda d: d.porteur, width=200),
            Column("intitule", "Intitulé", lambda d: d.intitule, stretch=1),
        ],
        parent,
    )


def change_rows(preview: ImportPreview) -> list[ChangeRow]:
    return [
        ChangeRow(u.reference, u.row, c.label, c.old, c.new) for u in preview.to_update for c in u.changes
    ]


# --- The wizard ---------------------------------------------------------------------------------


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Fichier à importer")
        self.setSubTitle(
            "Un tableau .xlsx ou .csv, une ligne par dossier. La ligne d'en-têtes est trouvée "
            "automatiquement, même sous des lignes de titre."
        )
        self.setAcceptDrops(True)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Fichier à importer")
        self.path_edit.setPlaceholderText("Chemin du fichier .xlsx ou .csv")
        self.path_edit.returnPressed.connect(self._on_path_entered)
        self.browse_button = QPushButton("&Parcourir…")
        self.browse_button.setAccessibleName("Choisir le fichier à importer")
        self.browse_button.clicked.connect(self.browse)
        caption = QLabel("&Fichier :")
        caption.setBuddy(self.path_edit)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.drop_hint = QLabel("Vous pouvez aussi déposer le fichier ici.")
        self.drop_hint.setObjectName("dropHint")
        self.status = _banner("Ligne d'en-têtes détectée")
        self.preview = QTableWidget()
        self.preview.setAccessibleName("Premières lignes du fichier")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setWordWrap(False)
        self.preview.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.preview.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)

    def isComplete(self) -> bool:
        analysis = self._wizard.analysis
        return analysis is not None and analysis.mapping.header_row > 0 and not self._wizard.busy

    def browse(self) -> None:
        current = self.path_edit.text().strip()
        start = str(Path(current).parent) if current else ""
        path = self._wizard.dialogs.ask_open_path(self, "Choisir le fichier à importer", start, TABLE_FILTER)
        if path is not None:
            self.load(path)

    def _on_path_entered(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.load(Path(text))

    def load(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        self._wizard.analyse(path)

    def show_error(self, message: str) -> None:
        _set_banner(self.status, "error", message)
        self.preview.hide()

    def show_analysis(self, analysis: Analysis) -> None:
        mapping = analysis.mapping
        if mapping.header_row == 0:
            self.show_error(
                "Aucune ligne d'en-têtes reconnue dans les 30 premières lignes : vérifiez qu'il s'agit "
                "bien du tableau des dossiers (« N° dossier », « Structure », « Intitulé »…)."
            )
            return
        recognised = len(mapping.columns)
        _set_banner(
            self.status,
            "ok",
            f"En-têtes trouvés ligne {mapping.header_row} : {_plural(recognised, 'colonne reconnue', 'colonnes reconnues')}"
            f" sur {len([h for h in mapping.headers if h])}, "
            f"{_plural(analysis.data_rows, 'ligne')} en dessous. Cliquez « Suivant » pour vérifier les colonnes.",
        )
        rows = analysis.table.rows[:FILE_PREVIEW_ROWS]
        width = max((len(r.cells) for r in rows), default=0)
        self.preview.clear()
        self.preview.setRowCount(len(rows))
        self.preview.setColumnCount(width)
        self.preview.setHorizontalHeaderLabels([column_letter(c) for c in range(width)])
        self.preview.setVerticalHeaderLabels([str(r.number) for r in rows])
        bold = QFont(self.font())
        bold.setBold(True)
        for n, row in enumerate(rows):
            for c in range(width):
                item = QTableWidgetItem(text_of(row.get(c)))
                if row.number == mapping.header_row:
                    item.setBackground(HEADER_BACKGROUND)
                    item.setFont(bold)
                    item.setToolTip("Ligne d'en-têtes détectée")
                self.preview.setItem(n, c, item)
        self.preview.resizeColumnsToContents()
        for c in range(width):
            self.preview.setColumnWidth(c, min(self.preview.columnWidth(c), 220))
        self.preview.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            self.load(path)


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in ACCEPTED_SUFFIXES else None


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._loaded: Analysis | None = None
        self.setTitle("Colonnes du fichier")
        self.setSubTitle(
            "Chaque colonne du fichier alimente un champ du dossier. Vérifiez la proposition et "
            "corrigez-la au besoin ; « — ignorer — » laisse la colonne de côté."
        )
        self.model = MappingModel(self)
        self.model.dataChanged.connect(self._on_changed)
        self.model.modelReset.connect(self._on_changed)
        self.model.moved.connect(self._show_note)
        self.delegate = FieldDelegate(self)
        self.view = _table_view("Correspondance des colonnes", self.model)
        self.view.setItemDelegateForColumn(MappingModel.FIELD_COLUMN, self.delegate)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.legend = _banner("Colonnes à préciser")
        self.missing = _banner("Champs obligatoires manquants")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Dernière modification")
        self.reset_button = QPushButton("&Rétablir la proposition")
        self.reset_button.setToolTip("Revenir aux colonnes reconnues automatiquement")
        self.reset_button.clicked.connect(self.reset)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.missing)
        layout.addLayout(bottom)

    def initializePage(self) -> None:
        analysis = self._wizard.analysis
        if analysis is not None and analysis is not self._loaded:
            self._loaded = analysis
            self.reset()

    def reset(self) -> None:
        if self._loaded is None:
            return
        self.model.load(self._loaded)
        for row in range(self.model.rowCount()):
            self.view.openPersistentEditor(self.model.index(row, MappingModel.FIELD_COLUMN))
        self.note.clear()
        self._fit_columns()

    def _fit_columns(self) -> None:
        self.view.resizeColumnToContents(0)
        self.view.setColumnWidth(1, min(max(self.view.sizeHintForColumn(1) + 16, 160), 260))
        self.view.setColumnWidth(2, 300)
        self.view.setColumnWidth(MappingModel.FIELD_COLUMN, 280)

    def combo(self, column: int) -> QComboBox:
        """The combo of a file column (0-based), for tests and keyboard focus."""
        index = self.model.index(self.model.row_of_column(column), MappingModel.FIELD_COLUMN)
        widget = self.view.indexWidget(index)
        assert isinstance(widget, QComboBox)
        return widget

    def _show_note(self, text: str) -> None:
        self.note.setText(text)

    def _on_changed(self, *_args: object) -> None:
        unknown = [
            f"« {self.model.index(r, 1).data()} »"
            for r in range(self.model.rowCount())
            if self.model.key_at(r) == UNKNOWN
        ]
        _set_banner(
            self.legend,
            "error",
            (
                f"En orange, {', '.join(unknown)} : un montant demandé à un financeur que le contrat n'a "
                "pas. Une ligne qui y porte un montant sera rejetée : choisissez le financeur, ou "
                "« — ignorer — »."
            )
            if unknown
            else "",
        )
        missing = self.model.missing_required()
        text = ""
        if "N° dossier" in missing:
            text = (
                "Choisissez la colonne du « N° dossier » : elle est obligatoire (elle retrouve les dossiers)."
            )
        elif missing:
            text = (
                f"Sans colonne {' ni '.join(f'« {m} »' for m in missing)}, aucun dossier nouveau ne peut "
                "être créé : seuls les dossiers existants seront mis à jour."
            )
        _set_banner(self.missing, "error", text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return "reference" in self.model.mapping().columns

    def validatePage(self) -> bool:
        self._wizard.mapping = self.model.mapping()
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Aperçu de l'import")
        self.setSubTitle(
            "Rien n'est encore écrit. Vérifiez ce que l'import va faire, puis cliquez « Importer »."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Importer")
        self.banner = _banner("Résultat de l'aperçu")
        self.figures = {
            "create": _Figure("à créer"),
            "update": _Figure("à mettre à jour"),
            "unchanged": _Figure("inchangés"),
            "rejected": _Figure("lignes rejetées"),
            "porteurs": _Figure("porteurs nouveaux"),
        }
        figures = QHBoxLayout()
        for figure in self.figures.values():
            figures.addWidget(figure)
        figures.addStretch(1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Remarques sur le fichier")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = problem_model(self)
        self.changes = change_model(self)
        self.created = created_model(self)
        self.problems_view = _table_view("Lignes rejetées", self.problems)
        self.changes_view = _table_view("Mises à jour prévues", self.changes)
        self.created_view = _table_view("Dossiers à créer", self.created)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Détail de l'aperçu")
        self.tabs.addTab(self.problems_view, "Lignes rejetées")
        self.tabs.addTab(self.changes_view, "Mises à jour")
        self.tabs.addTab(self.created_view, "Créations")
        self.report_button = QPushButton("&Enregistrer le rapport…")
        self.report_button.setToolTip("Les problèmes et les changements, en .csv ou en texte")
        self.report_button.clicked.connect(self.save_report)
        self.reread_button = QPushButton("Re&lire le fichier")
        self.reread_button.setToolTip("Après avoir corrigé et enregistré le fichier, refaire l'aperçu")
        self.reread_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(figures)
        layout.addWidget(self.notes)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        self.refresh()

    def cleanupPage(self) -> None:  # « Précédent »: the preview no longer holds
        self._wizard.preview = None

    def refresh(self) -> None:
        self._wizard.run_preview()

    def show_preview(self, preview: ImportPreview | None) -> None:
        self.problems.set_rows(list(preview.rejected) if preview else [])
        self.changes.set_rows(change_rows(preview) if preview else [])
        self.created.set_rows(list(preview.to_create) if preview else [])
        self.report_button.setEnabled(preview is not None)
        if preview is None:
            for figure in self.figures.values():
                figure.value.setText("—")
            _set_banner(self.banner, "ok", "")
            self.notes.clear()
            self.completeChanged.emit()
            return
        rejected_rows = len(preview.rejected_rows)
        for key, n in (
            ("create", len(preview.to_create)),
            ("update", len(preview.to_update)),
            ("unchanged", len(preview.unchanged)),
            ("rejected", rejected_rows),
            ("porteurs", len(preview.porteurs_to_create)),
        ):
            self.figures[key].set_value(n)
        if preview.rejected:
            _set_banner(
                self.banner,
                "rejected",
                f"<b>{_plural(rejected_rows, 'ligne rejetée', 'lignes rejetées')}</b> : rien ne sera "
                "importé tant que le fichier n'est pas corrigé (l'import est tout ou rien). Corrigez les "
                "lignes listées ci-dessous, enregistrez le fichier, puis cliquez « Relire le fichier ».",
            )
            self.tabs.setCurrentWidget(self.problems_view)
        else:
            _set_banner(
                self.banner,
                "ok",
                f"Aucune ligne rejetée. « Importer » va enregistrer : {planned_counts(preview)}.",
            )
            self.tabs.setCurrentWidget(self.changes_view if preview.to_update else self.created_view)
        self.tabs.setTabText(0, f"Lignes rejetées ({len(preview.rejected)})")
        self.tabs.setTabText(1, f"Mises à jour ({len(self.changes.rows)})")
        self.tabs.setTabText(2, f"Créations ({len(preview.to_create)})")
        notes = []
        if preview.totals_rows:
            numbers = ", ".join(str(n) for n in preview.totals_rows)
            several = len(preview.totals_rows) > 1
            notes.append(
                f"Ligne{'s' if several else ''} {numbers} ignorée{'s' if several else ''} : "
                f"ligne{'s' if several else ''} de total."
            )
        if preview.unrecognised:
            notes.append("Colonnes ignorées : " + ", ".join(f"« {h} »" for h in preview.unrecognised) + ".")
        if preview.porteurs_to_create:
            notes.append("Porteurs nouveaux : " + ", ".join(preview.porteurs_to_create) + ".")
        self.notes.setText(" ".join(notes))
        self.notes.setVisible(bool(notes))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        preview = self._wizard.preview
        return preview is not None and preview.ok and not self._wizard.busy

    def validatePage(self) -> bool:
        if self._wizard.outcome is not None:
            return True
        self._wizard.run_apply()
        return self._wizard.outcome is not None  # synchronous jobs (tests) are already done

    def save_report(self) -> None:
        preview = self._wizard.preview
        if preview is None:
            return
        suggested = (
            self._wizard.analysis.path.with_name(f"{Path(preview.file).stem}-rapport-import.csv")
            if self._wizard.analysis
            else Path(f"{preview.file}-rapport.csv")
        )
        path = self._wizard.dialogs.ask_export_path(
            self, "Enregistrer le rapport", str(suggested), REPORT_FILTER
        )
        if path is None:
            return
        if path.suffix.lower() not in (".csv", ".txt"):
            path = path.with_suffix(".csv")
        try:
            write_report(path, preview)
        except OSError as exc:
            self._wizard.dialogs.error(
                self, "Rapport", f"Impossible d'écrire « {path} » : {exc.strerror or exc}"
            )
            return
        self.notes.setText(f"Rapport enregistré : {path}")
        self.notes.show()


class ResultPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Import terminé")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Résultat de l'import")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-size: 11pt;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def show_result(self, result: ImportResult) -> None:
        porteurs = result.porteurs_created
        text = f"{result.preview.summary(details=10)}."
        if porteurs:
            text += f"\n{_plural(porteurs, 'porteur créé', 'porteurs créés')}."
        text += "\n\nLa liste des dossiers de la campagne est à jour ; l'historique de chaque dossier garde la trace de l'import."
        self.summary.setText(text)


class ImportWizard(QWizard):
    """Import dossiers into a campagne (non-modal: show() it; `imported` fires after a success)."""

    FILE, MAPPING, PREVIEW, RESULT = range(4)
    imported = Signal(object)  # ImportResult

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        parent: QWidget,
        *,
        dialogs: Dialogs | None = None,
        campagne_label: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.campagne_id = campagne_id
        self.dialogs = dialogs or Dialogs()
        self.analysis: Analysis | None = None
        self.mapping: Mapping | None = None
        self.preview: ImportPreview | None = None
        self.outcome: ImportResult | None = None
        self.busy = False
        self.setWindowTitle(f"Importer des dossiers{f' — {campagne_label}' if campagne_label else ''}")
        self.setAccessibleName("Assistant d'import des dossiers")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setStyleSheet(_STYLE)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage()
        self.setPage(self.FILE, self.file_page)
        self.setPage(self.MAPPING, self.mapping_page)
        self.setPage(self.PREVIEW, self.preview_page)
        self.setPage(self.RESULT, self.result_page)
        self.resize(1100, 720)

    # --- jobs -----------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        page = self.currentPage()
        if page is not None:
            page.completeChanged.emit()

    def analyse(self, path: Path) -> None:
        self.analysis = None
        self.preview = None
        self._set_busy(True)
        db, campagne_id = self.db, self.campagne_id
        run_job(
            self,
            "Lecture du fichier",
            lambda progress: analyse(db, campagne_id, path, progress),
            self._on_analysed,
            self._on_analysis_failed,
            on_cancel=lambda: self._set_busy(False),
            dialogs=self.dialogs,
        )

    def _on_analysed(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.file_page.show_analysis(analysis)
        self._set_busy(False)

    def _on_analysis_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, UserError):
            raise exc
        self.file_page.show_error(exc.message)

    def run_preview(self) -> None:
        if self.analysis is None:
            return
        self.preview = None
        self.preview_page.show_preview(None)
        self._set_busy(True)
        db, campagne_id, path = self.db, self.campagne_id, self.analysis.path
        mapping = self.mapping or self.mapping_page.model.mapping()

        def job(progress: Progress) -> ImportPreview:
            progress.update(0, 0, f"Aperçu de l'import de « {path.name} »…")
            return dossiers_import.preview(db, campagne_id, path, mapping)

        run_job(
            self,
            "Aperçu de l'import",
            job,
            self._on_previewed,
            self._on_preview_failed,
            on_cancel=lambda: self._set_busy(False),
            dialogs=self.dialogs,
        )

    def _on_previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.busy = False
        self.preview_page.show_preview(preview)

    def _on_preview_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, UserError):
            raise exc
        _set_banner(self.preview_page.banner, "error", f"Aperçu impossible : {exc.message}")

    def run_apply(self) -> None:
        if self.analysis is None or self.preview is None or not self.preview.ok or self.busy:
            return
        self._set_busy(True)
        db, campagne_id, path = self.db, self.campagne_id, self.analysis.path
        mapping = self.preview.mapping

        def job(progress: Progress) -> ImportResult:
            progress.update(0, 0, f"Import de « {path.name} » (tout ou rien)…")
            return dossiers_import.apply(db, campagne_id, path, mapping)

        # Not cancellable: the import is one transaction, written at once or not at all.
        run_job(
            self,
            "Import des dossiers",
            job,
            self._on_applied,
            self._on_apply_failed,
            False,
            dialogs=self.dialogs,
        )

    def _on_applied(self, result: ImportResult) -> None:
        self.outcome = result
        self.busy = False
        self.result_page.show_result(result)
        self.imported.emit(result)
        if self.currentId() == self.PREVIEW:
            QTimer.singleShot(0, self.next)

    def _on_apply_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ImportRejected):  # the file changed since the preview
            self.dialogs.error(self, "Import refusé", f"{exc.message}. Le fichier a changé depuis l'aperçu.")
            self.run_preview()
            return
        if not isinstance(exc, UserError):
            raise exc
        self.dialogs.error(self, "Import impossible", exc.message)


# --- QPV list ------------------------------------------------------------------------------------


class QpvImportDialog(QDialog):
    """The official QPV list (ANCT): dry run first, then « Importer »."""

    imported = Signal(object)  # QpvImportResult

    def __init__(
        self,
        db: Database,
        contrat_id: int | None,
        parent: QWidget,
        *,
        dialogs: Dialogs | None = None,
        contrat_label: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.contrat_id = contrat_id
        self.dialogs = dialogs or Dialogs()
        self.path: Path | None = None
        self.dry_run: QpvImportResult | None = None
        self.outcome: QpvImportResult | None = None
        self.setWindowTitle("Importer la liste officielle des QPV")
        self.setAccessibleName("Import de la liste officielle des QPV")
        self.setStyleSheet(_STYLE)
        intro = QLabel(
            "Le fichier de l'ANCT (une ligne par QPV et par commune : code_qp, lib_qp, insee_com, "
            "lib_com, siren_epci…), en .csv ou .xlsx. Les codes officiels sont renseignés dans les "
            f"quartiers du contrat{f' « {contrat_label} »' if contrat_label else ''} ; rien n'est écrit "
            "avant « Importer »."
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Fichier des QPV")
        self.path_edit.setPlaceholderText("Chemin du fichier officiel")
        self.path_edit.returnPressed.connect(lambda: self.load(Path(self.path_edit.text().strip())))
        caption = QLabel("&Fichier :")
        caption.setBuddy(self.path_edit)
        browse = QPushButton("&Parcourir…")
        browse.setAccessibleName("Choisir le fichier des QPV")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.summary = _banner("Résumé de l'import des QPV")
        self.details = QListWidget()
        self.details.setAccessibleName("Détail par quartier")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = self.buttons.addButton("&Importer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 480)

    def browse(self) -> None:
        path = self.dialogs.ask_open_path(self, "Choisir la liste officielle des QPV", "", TABLE_FILTER)
        if path is not None:
            self.load(path)

    def load(self, path: Path) -> None:
        """Dry run on `path`: what the import would change."""
        self.path = path
        self.path_edit.setText(str(path))
        self.dry_run = None
        self.outcome = None
        self.import_button.setEnabled(False)
        self._run(dry_run=True)

    def run_import(self) -> None:
        if self.path is not None and self.dry_run is not None and self.outcome is None:
            self.import_button.setEnabled(False)
            self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        db, path, contrat_id = self.db, self.path, self.contrat_id
        assert path is not None

        def job(progress: Progress) -> QpvImportResult:
            progress.update(0, 0, f"Lecture de « {path.name} »…")
            return import_qpv(db, path, contrat_id, dry_run=dry_run)

        run_job(
            self,
            "Aperçu de la liste des QPV" if dry_run else "Import de la liste des QPV",
            job,
            self._on_done,
            self._on_error,
            cancellable=dry_run,
            dialogs=self.dialogs,
        )

    def _on_done(self, result: QpvImportResult) -> None:
        if result.dry_run:
            self.dry_run = result
            text = f"{result.contrat} : {result.summary()} — rien n'est encore écrit."
            _set_banner(self.summary, "ok", text)
            self.import_button.setEnabled(True)
        else:
            self.outcome = result
            _set_banner(self.summary, "ok", f"Import terminé. {result.contrat} : {result.summary()}.")
            self.imported.emit(result)
        self.details.clear()
        for label, items in (
            ("Mis à jour", result.updated),
            ("Créé", result.created),
            ("Ignoré", result.ignored),
            ("Déjà à jour", result.unchanged),
            ("Commune ajoutée", result.communes_created),
        ):
            for item in items:
                self.details.addItem(f"{label} : {item}")
        if result.rows_outside:
            self.details.addItem(f"{_plural(result.rows_outside, 'ligne')} d'autres territoires ignorée(s)")

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, QpvImportRejected):
            _set_banner(self.summary, "error", f"{exc.message}. Corrigez le fichier puis rechargez-le.")
            self.details.clear()
            self.details.addItems([str(p) for p in exc.problems])
            return
        if not isinstance(exc, UserError):
            raise exc
        _set_banner(self.summary, "error", exc.message)
        self.details.clear()


# --- Template ----------------------------------------------------------------------------------


def save_import_template(
    parent: QWidget, db: Database | None, campagne_id: int | None, dialogs: Dialogs
) -> Path | None:
    """Ask where, then write the .xlsx template (one amount column per financeur of the campagne)."""
    from instructeur.imports.template import write_template

    path = dialogs.ask_export_path(
        parent, "Enregistrer un modèle d'import", "modele-import-dossiers.xlsx", TEMPLATE_FILTER
    )
    if path is None:
        return None
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    try:
        financeurs = (
            dossiers_import.campagne_financeurs(db, campagne_id) if db is not None and campagne_id else []
        )
        return write_template(path, financeurs)
    except UserError as exc:
        dialogs.error(parent, "Modèle d'import", exc.message)
    except OSError as exc:
        dialogs.error(
            parent,
            "Modèle d'import",
            f"Impossible d'écrire « {path} » : {exc.strerror or exc} (fichier ouvert ?)",
        )
    return None


# --- Menu actions of the main window -----------------------------------------------------------


class _Window(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def current_campagne(self) -> CampagneRow | None: ...

    def reload(self) -> None: ...

    def statusBar(self) -> QStatusBar: ...


class ImportActions(QObject):
    """« Importer des dossiers… » (Ctrl+I), « Importer la liste officielle des QPV… », « Enregistrer
    un modèle d'import… », inserted in `menu` before `before`; the list reloads after an import."""

    def __init__(self, window: QWidget, menu: QMenu, dialogs: Dialogs, before: QAction | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._dialogs = dialogs
        self.wizard: ImportWizard | None = None
        self.dossiers_action = QAction("&Importer des dossiers…", window)
        self.dossiers_action.setShortcut(QKeySequence("Ctrl+I"))
        self.dossiers_action.setStatusTip("Importer des dossiers d'un tableau .xlsx ou .csv dans la campagne")
        self.dossiers_action.triggered.connect(self.open_wizard)
        self.qpv_action = QAction("Importer la liste officielle des &QPV…", window)
        self.qpv_action.triggered.connect(self.open_qpv_dialog)
        self.template_action = QAction("Enregistrer un &modèle d'import…", window)
        self.template_action.triggered.connect(self.save_template)
        actions = [self.dossiers_action, self.qpv_action, self.template_action]
        separators = []
        for _ in range(2):
            separators.append(QAction(window))
            separators[-1].setSeparator(True)
        group = [separators[0], *actions, separators[1]]
        if before is not None:
            menu.insertActions(before, group)
        else:
            menu.addActions(group)
        window.addAction(self.dossiers_action)  # the shortcut works without the menu bar

    @property
    def _win(self) -> _Window:
        return self._window  # type: ignore[return-value]

    def open_wizard(self) -> ImportWizard | None:
        campagne = self._win.current_campagne
        if campagne is None:
            self._dialogs.error(
                self._window, "Importer des dossiers", "Aucune campagne : créez d'abord une campagne."
            )
            return None
        if self.wizard is not None and self.wizard.isVisible() and self.wizard.campagne_id == campagne.id:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        label = (
            f"{campagne.libelle}"
            if str(campagne.annee) in campagne.libelle
            else f"{campagne.libelle} {campagne.annee}"
        )
        wizard = ImportWizard(
            self._win.db, campagne.id, self._window, dialogs=self._dialogs, campagne_label=label
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._after_import)
        self.wizard = wizard
        wizard.show()
        return wizard

    def open_qpv_dialog(self) -> QpvImportDialog:
        campagne = self._win.current_campagne
        dialog = QpvImportDialog(
            self._win.db,
            campagne.contrat_id if campagne else None,
            self._window,
            dialogs=self._dialogs,
            contrat_label=campagne.contrat if campagne else "",
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._after_import)
        dialog.show()
        return dialog

    def save_template(self) -> Path | None:
        campagne = self._win.current_campagne
        path = save_import_template(
            self._window, self._win.db, campagne.id if campagne else None, self._dialogs
        )
        if path is not None:
            self._win.statusBar().showMessage(f"Modèle d'import enregistré : {path}", 8000)
        return path

    def _after_import(self, result: ImportResult | QpvImportResult) -> None:
        self._win.reload()
        text = done_counts(result.preview) if isinstance(result, ImportResult) else result.summary()
        self._win.statusBar().showMessage(f"Import terminé : {text}", 10000)
