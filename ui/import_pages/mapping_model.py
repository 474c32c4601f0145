"""The column → field mapping table of the wizard's second page: its model and its combo delegate."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from instructeur.imports.headers import FIELDS, Mapping
from instructeur.imports.reader import column_letter
from ui.import_pages.analysis import IGNORE, UNKNOWN, Analysis, field_choices, sample_values
from ui.import_pages.widgets import IGNORED_FOREGROUND, UNKNOWN_BACKGROUND


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
