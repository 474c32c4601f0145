"""The scoring matrix's table and its keyboard (ui/matrix.py): typing a digit on a criterion cell
opens the editor with that digit; Tab / Maj+Tab go to the next / previous criterion (wrapping to
the next / previous dossier), Entrée goes down to the same criterion of the next dossier; Suppr
erases a note."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QRegularExpression,
    Qt,
)
from PySide6.QtGui import (
    QKeyEvent,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ui.matrix_model import AnyIndex, MatrixModel


class NoteDelegate(QStyledItemDelegate):
    """Digits-only editor for the criteria (a plain line for the commentaire); Tab and Entrée
    commit, close the editor and let the view move (`MatrixView.after_commit`)."""

    def __init__(self, view: MatrixView) -> None:
        super().__init__(view)
        self._view = view
        self.editor: QLineEdit | None = None
        self.last_accepted = True

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        if isinstance(model, MatrixModel) and model.is_criterion_column(index.column()):
            editor.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,3}"), editor))
            editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
            editor.setAccessibleName("Note")
        else:
            editor.setAccessibleName("Commentaire")
        self.editor = editor
        editor.destroyed.connect(self._forget)
        return editor

    def _forget(self, *_args: object) -> None:
        self.editor = None

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QLineEdit)
        self.last_accepted = bool(model.setData(index, editor.text(), Qt.ItemDataRole.EditRole))

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            assert isinstance(event, QKeyEvent)
            key = event.key()
            moves = {
                Qt.Key.Key_Tab: "next",
                Qt.Key.Key_Backtab: "previous",
                Qt.Key.Key_Return: "down",
                Qt.Key.Key_Enter: "down",
            }
            if key in moves and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                move = moves[key]
                if key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    move = "previous"
                self.last_accepted = True
                self.commitData.emit(editor)
                accepted = self.last_accepted
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self._view.after_commit(move if accepted else None)
                return True
        return super().eventFilter(editor, event)


class MatrixView(QTableView):
    """The matrix table with its keyboard: digits start editing, Tab/Entrée move (module doc)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = NoteDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(True)
        self.setAccessibleName("Matrice de notation")

    def matrix_model(self) -> MatrixModel:
        model = self.model()
        assert isinstance(model, MatrixModel)
        return model

    def editor(self) -> QLineEdit | None:
        """The open editor, if any."""
        return self.delegate.editor

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if editor is self.delegate.editor:
            self.delegate.editor = None
        super().closeEditor(editor, hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.matrix_model()
        index = self.currentIndex()
        key = event.key()
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing and index.isValid() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            column = index.column()
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = key == Qt.Key.Key_Backtab or bool(
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                self.after_commit("previous" if back else "next")
                event.accept()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.after_commit("down")
                event.accept()
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and model.is_criterion_column(column):
                if model.is_editable(index.row(), column):
                    model.setData(index, "", Qt.ItemDataRole.EditRole)
                event.accept()
                return
            if model.is_criterion_column(column) and event.text():
                if not event.text().isdigit():
                    event.accept()  # letters never open a note editor
                    return
                if not model.is_editable(index.row(), column):
                    model.setData(index, event.text())  # explains the refusal in the status bar
                    event.accept()
                    return
        super().keyPressEvent(event)

    def after_commit(self, move: str | None) -> None:
        """Moves the current cell after a commit: "next"/"previous" criterion, "down", or stays."""
        index = self.currentIndex()
        if move is None or not index.isValid():
            return
        target = self._target(index.row(), index.column(), move)
        if target is not None:
            self.setCurrentIndex(target)
            self.scrollTo(target)

    def _target(self, row: int, column: int, move: str) -> QModelIndex | None:
        model = self.matrix_model()
        first, last = model.criterion_column(0), model.total_column - 1
        rows = model.rowCount()
        if move == "down":
            for r in range(row + 1, rows):
                if model.is_editable(r, column):
                    return model.index(r, column)
            return None
        step = 1 if move == "next" else -1
        r, c = row, column
        if not model.is_criterion_column(c):  # from a fixed column or the commentaire
            c = first - step if step > 0 else last + 1
        while True:
            c += step
            if c > last:
                r, c = r + 1, first
            elif c < first:
                r, c = r - 1, last
            if not 0 <= r < rows:
                return None
            if model.is_editable(r, c):
                return model.index(r, c)


__all__ = ["MatrixView", "NoteDelegate"]
