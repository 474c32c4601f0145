"""Item delegates shared by the tables."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem


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
