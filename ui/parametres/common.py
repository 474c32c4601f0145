"""What the Paramètres tabs share: French problem text, the editable-lines model and its button row,
small widgets (table, note, problems label) and the `_Tab` base (modified flag, save, problems)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from instructeur.errors import UserError, ValidationError
from ui.dialogs import Dialogs

AnyIndex = QModelIndex | QPersistentModelIndex
EDIT = Qt.ItemDataRole.EditRole
DISPLAY = Qt.ItemDataRole.DisplayRole
_MUTED = QColor("#5f6368")
_WARN = QColor("#b3261e")

NOTE_STYLE = "color: palette(placeholder-text);"


def problems_text(exc: UserError) -> str:
    if isinstance(exc, ValidationError) and len(exc.problems) > 1:
        return "\n".join(f"• {p}" for p in exc.problems)
    return exc.message


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


# --- editable models -------------------------------------------------------------------------


def _line_buttons(
    add_text: str, add: Callable[[], object], remove: Callable[[], object], move: Callable[[int], None]
) -> tuple[QHBoxLayout, tuple[QPushButton, QPushButton, QPushButton, QPushButton]]:
    """The row « Ajouter · Retirer · Monter · Descendre » under an editable list."""
    buttons = (
        QPushButton(add_text),
        QPushButton("&Retirer"),
        QPushButton("Monter"),
        QPushButton("Descendre"),
    )
    buttons[0].clicked.connect(lambda: add())
    buttons[1].clicked.connect(lambda: remove())
    buttons[2].clicked.connect(lambda: move(-1))
    buttons[3].clicked.connect(lambda: move(1))
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row, buttons


def _move_current(table: QTableView, model: _LinesModel, delta: int) -> None:
    """Move the selected line up or down and keep it selected."""
    index = table.currentIndex()
    if index.isValid():
        row = model.move(index.row(), delta)
        table.setCurrentIndex(model.index(row, index.column()))


class _LinesModel(QAbstractTableModel):
    """An editable list of lines (`self.lines`) that can grow, shrink and be reordered; every
    change emits `edited` (the tab then shows its unsaved mark)."""

    edited = Signal()
    lines: list[Any]

    def add(self, line: Any) -> int:
        row = len(self.lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.append(line)
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.lines[row]
        self.endRemoveRows()
        self.edited.emit()

    def move(self, row: int, delta: int) -> int:
        target = row + delta
        if not (0 <= row < len(self.lines) and 0 <= target < len(self.lines)):
            return row
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + 1 if delta > 0 else target)
        self.lines.insert(target, self.lines.pop(row))
        self.endMoveRows()
        self.edited.emit()
        return target


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
        | QAbstractItemView.EditTrigger.SelectedClicked
    )
    return view


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _problems_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e;")
    label.setAccessibleName("Problèmes")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


# --- tabs --------------------------------------------------------------------------------------


class _Tab(QWidget):
    """A tab with its own « Enregistrer » and a `modified` flag shown in the tab title (« • »)."""

    modified_changed = Signal(bool)
    saved = Signal()

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.modified = False
        self._loading = False
        self.problems = _problems_label()
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Annuler les modifications")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self.load)

    def footer(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.problems, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return row

    def mark(self, *_args: object) -> None:
        if not self._loading:
            self.set_modified(True)

    def set_modified(self, value: bool) -> None:
        self.save_button.setEnabled(value)
        self.revert_button.setEnabled(value)
        if value != self.modified:
            self.modified = value
            self.modified_changed.emit(value)

    def show_problems(self, exc: UserError | None) -> None:
        self.problems.setText("" if exc is None else f"Enregistrement refusé : {problems_text(exc)}")
        self.problems.setVisible(exc is not None)

    def load(self) -> None:
        raise NotImplementedError

    def save(self) -> bool:
        raise NotImplementedError
