"""Layout helpers shared by the tabs of the fiche; the inputs themselves live in `ui.inputs`
(re-exported here for the tabs)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.inputs import (
    ERROR_COLOUR,
    INVALID_STYLE,
    WARNING_COLOUR,
    AmountEdit,
    CountEdit,
    DateEdit,
    is_invalid,
    mark_invalid,
)

__all__ = [
    "ERROR_COLOUR",
    "INVALID_STYLE",
    "WARNING_COLOUR",
    "AmountEdit",
    "CountEdit",
    "DateEdit",
    "add_row",
    "form_layout",
    "is_invalid",
    "mark_invalid",
    "two_columns",
]


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def add_row(form: QFormLayout, label: str, field: QWidget | None, *, name: str | None = None) -> QLabel:
    """A labelled row whose label is the field's buddy (Alt+letter) and accessible name."""
    text = QLabel(label)
    if field is not None:
        text.setBuddy(field)
        if not field.accessibleName():
            field.setAccessibleName(name or label.replace("&", "").rstrip(" :"))
        form.addRow(text, field)
    return text


def two_columns(
    tab: QWidget, left: list[QWidget], right: list[QWidget], stretch: tuple[int, int] = (1, 1)
) -> None:
    """A tab made of two columns of group boxes, scrolling as one when the window is small."""
    content = QWidget()
    columns = QHBoxLayout(content)
    columns.setContentsMargins(16, 14, 16, 14)
    columns.setSpacing(16)
    for widgets, weight in ((left, stretch[0]), (right, stretch[1])):
        column = QVBoxLayout()
        column.setSpacing(12)
        for widget in widgets:
            column.addWidget(widget)
        column.addStretch(1)
        columns.addLayout(column, weight)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    layout = QVBoxLayout(tab)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll)
