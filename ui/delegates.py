"""Item delegates shared by the tables."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.inputs import AmountEdit


class PillDelegate(QStyledItemDelegate):
    """Draws the cell text as a rounded « pill » in the cell's ForegroundRole/BackgroundRole colours.

    Used for statuts: a tinted label reads better than a fully coloured cell, and the row's
    selection and alternate colours stay visible around it.
    """

    H_PADDING = 8
    V_MARGIN = 3

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        # The view draws the row (selection, alternate colour) without our colours nor text.
        opt.text = ""
        opt.backgroundBrush = QBrush()
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not text:
            return
        fm = opt.fontMetrics
        rect = opt.rect.adjusted(4, self.V_MARGIN, -4, -self.V_MARGIN)
        needed = fm.horizontalAdvance(text) + 2 * self.H_PADDING + 1
        width = min(needed, rect.width())
        pill = QRectF(rect.x(), rect.y(), width, rect.height())
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if isinstance(background, QColor | QBrush):
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(background)
                radius = pill.height() / 2
                painter.drawRoundedRect(pill, radius, radius)
            if isinstance(foreground, QColor):
                painter.setPen(foreground)
            elif opt.state & QStyle.StateFlag.State_Selected:
                painter.setPen(opt.palette.highlightedText().color())
            else:
                painter.setPen(opt.palette.text().color())
            if width < needed:
                text = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(width) - 2 * self.H_PADDING)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        finally:
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 2 * self.H_PADDING, size.height() + 2 * self.V_MARGIN)


class AmountDelegate(QStyledItemDelegate):
    """Edits a money cell with the application's amount input (`ui.inputs.AmountEdit`):
    placeholder « 0,00 € », whole content selected on focus, French text handed to the model
    (which parses it). `zero_as_empty`: a zero amount opens as an empty field (where 0 means
    « nothing », e.g. a demandé), not where 0 and « none » differ (proposé)."""

    def __init__(self, parent: QObject | None = None, *, zero_as_empty: bool = False) -> None:
        super().__init__(parent)
        self.zero_as_empty = zero_as_empty

    def createEditor(  # noqa: N802 (Qt)
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        header = index.model().headerData(index.column(), Qt.Orientation.Horizontal)
        editor = AmountEdit(str(header or "Montant"), parent, zero_as_empty=self.zero_as_empty)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if not isinstance(editor, AmountEdit):
            super().setEditorData(editor, index)
            return
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(value, int):
            editor.set_cents(value)
        else:
            editor.setText(str(value or ""))
            if self.zero_as_empty and editor.cents() == 0:
                editor.setText("")
        editor.selectAll()

    def setModelData(  # noqa: N802 (Qt)
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if not isinstance(editor, AmountEdit):
            super().setModelData(editor, model, index)
            return
        model.setData(index, editor.text().strip(), Qt.ItemDataRole.EditRole)
