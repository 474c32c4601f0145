"""One template for every grid: a column spec drives a read-only `QAbstractTableModel`.

* `Column` says how to read (`getter`), show (`formatter`, `alignment`, colours) and sort
  (`sort_key`) one field of a row DTO (a frozen dataclass returned by a service).
* `RowTableModel` holds the rows. `SortRole` returns the native sort value of a cell (French
  collation key for text, integer cents for amounts), `RowRole` the DTO itself, so code behind a
  proxy never calls `mapToSource` by hand.
* Display strings are computed once per row in `set_rows`; sort keys once per column, the first
  time that column is sorted (French collation keys are the costly part: about 1 s for 20 000
  long intitulés, so they are not paid for columns nobody sorts).
* Sorting is done here, in Python, on the precomputed keys (`sort()` reorders the rows and emits
  `layoutChanged`), not by `QSortFilterProxyModel`, whose comparator would call `data()` from C++
  twice per comparison (~600 000 Python calls for 20 000 rows). A proxy in front of the model
  forwards `sort()` here (see `SourceSortingProxy`) and keeps its own work to filtering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

R = TypeVar("R")

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[R]):
    """How one column reads, shows and sorts a field of a row DTO.

    key: stable identifier (saved views, column chooser); header: French title;
    getter: row → native value; formatter: native value → displayed text (default `str`,
    `None` shows as empty); sort_key: native value → sortable value (default: the value itself);
    width: preferred width in pixels (None = fit the header); stretch: share (weight) of the
    remaining width the column takes when the window is wider than the preferred widths;
    foreground/background: row → colour or None; tooltip: row → text or None (default: the
    displayed text, so that truncated cells can be read).
    """

    key: str
    header: str
    getter: Callable[[R], Any]
    alignment: Qt.AlignmentFlag = ALIGN_LEFT
    formatter: Callable[[Any], str] | None = None
    sort_key: Callable[[Any], Any] | None = None
    width: int | None = None
    stretch: int = 0
    foreground: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    tooltip: Callable[[R], str | None] | None = None
    header_tooltip: str | None = None

    def display(self, row: R) -> str:
        value = self.getter(row)
        if value is None:
            return ""
        return self.formatter(value) if self.formatter else str(value)

    def sort_value(self, row: R) -> Any:
        value = self.getter(row)
        if self.sort_key is None:
            return value
        return self.sort_key(value)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Read-only table of row DTOs driven by a list of `Column`s."""

    SortRole = Qt.ItemDataRole.UserRole
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: tuple[Column[R], ...] = tuple(columns)
        self._rows: list[R] = []
        self._display: list[tuple[str, ...] | None] = []  # formatted on first paint of the row
        self._sort_keys: dict[int, list[Any]] = {}  # column → key per row (in current row order)
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None  # reapplied by set_rows

    # --- content ----------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column[R], ...]:
        return self._columns

    @property
    def rows(self) -> list[R]:
        """The rows in the model's current order (a copy)."""
        return list(self._rows)

    def column_index(self, key: str) -> int:
        for n, column in enumerate(self._columns):
            if column.key == key:
                return n
        raise KeyError(key)

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        try:
            self._rows = list(rows)
            self._display = [None] * len(self._rows)
            self._sort_keys = {}
            self._prepare_rows(self._rows)
            if self._sorted_by is not None:  # new rows come in the order of the last sort
                order = self._sorted_order(*self._sorted_by)
                if order is not None:
                    self._apply_order(order)
        finally:
            self.endResetModel()

    def _prepare_rows(self, rows: list[R]) -> None:
        """Hook for subclasses: precompute per-row data (search text…) in the same order as rows."""

    def _reorder_extra(self, order: list[int]) -> None:
        """Hook for subclasses: apply a permutation (new position → old position) to their lists."""

    def _displayed(self, row: int) -> tuple[str, ...]:
        """The row's formatted cells; only rows that are painted are ever formatted (fast loads)."""
        cells = self._display[row]
        if cells is None:
            cells = self._display[row] = tuple(c.display(self._rows[row]) for c in self._columns)
        return cells

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def sort_keys(self, column: int) -> list[Any]:
        keys = self._sort_keys.get(column)
        if keys is None:
            col = self._columns[column]
            cache: dict[Any, Any] = {}  # porteurs, quartiers, statuts repeat a lot
            keys = []
            for row in self._rows:
                value = col.getter(row)
                try:
                    key = cache[value]
                except KeyError:
                    key = cache[value] = _none_last(col.sort_key(value) if col.sort_key else value)
                except TypeError:  # unhashable value
                    key = _none_last(col.sort_key(value) if col.sort_key else value)
                keys.append(key)
            self._sort_keys[column] = keys
        return keys

    # --- QAbstractItemModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self._columns)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._displayed(row)[col]
        column = self._columns[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.alignment.value)
        if role == Qt.ItemDataRole.ForegroundRole:
            return column.foreground(self._rows[row]) if column.foreground else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return column.background(self._rows[row]) if column.background else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(self._rows[row])
            return self._displayed(row)[col] or None
        if role == self.SortRole:
            flag, key = self.sort_keys(col)[row]
            return None if flag else key
        if role == self.RowRole:
            return self._rows[row]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            column = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.header
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.header_tooltip or column.header
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(column.alignment.value)
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1 if 0 <= section < len(self._rows) else None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sorted_by = (column, order)
        new_order = self._sorted_order(column, order)
        if new_order is None:
            return
        self.layoutAboutToBeChanged.emit()
        try:
            old_persistent = self.persistentIndexList()
            new_position = [0] * len(new_order)
            for new, old in enumerate(new_order):
                new_position[old] = new
            self._apply_order(new_order)
            self.changePersistentIndexList(
                old_persistent,
                [self.index(new_position[ix.row()], ix.column()) for ix in old_persistent],
            )
        finally:
            self.layoutChanged.emit()

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> list[int] | None:
        """New position → old position, or None when the rows are already in that order."""
        if len(self._rows) < 2:
            return None
        keys = self.sort_keys(column)
        # Python's sort is stable in both directions: equal keys keep their current order.
        # Empty values go last whatever the direction.
        filled = [i for i, k in enumerate(keys) if k[0] == 0]
        empty = [i for i, k in enumerate(keys) if k[0] == 1]
        reverse = order == Qt.SortOrder.DescendingOrder
        new_order = sorted(filled, key=keys.__getitem__, reverse=reverse) + empty
        return None if new_order == list(range(len(new_order))) else new_order

    def _apply_order(self, order: list[int]) -> None:
        self._rows = [self._rows[i] for i in order]
        self._display = [self._display[i] for i in order]
        self._sort_keys = {c: [k[i] for i in order] for c, k in self._sort_keys.items()}
        self._reorder_extra(order)


def _none_last(key: Any) -> tuple[int, Any]:
    """Sort key wrapper: (0, key) for a value, (1, 0) for None, so empty cells go last."""
    return (1, 0) if key is None else (0, key)


class SourceSortingProxy(QSortFilterProxyModel):
    """Filtering proxy that delegates sorting to its `RowTableModel` (precomputed keys).

    The view's header calls `proxy.sort()`; the source reorders itself and emits
    `layoutChanged`, which the proxy follows while keeping the rows its filter accepts. The proxy's
    own sort column stays -1 (source order), so its C++ comparator never runs.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(RowTableModel.SortRole)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        source = self.sourceModel()
        if isinstance(source, RowTableModel) and column >= 0:
            source.sort(column, order)
        else:
            super().sort(column, order)

    def current_sort(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def begin_filter_change(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10
            self.beginFilterChange()

    def end_filter_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - Qt < 6.10
            self.invalidateFilter()
