"""Small building blocks shared by the wizard's pages: banner, figures, read-only tables and their models."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QObject,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.imports.dossiers import ImportPreview, PlannedDossier
from instructeur.imports.values import RowProblem
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel

UNKNOWN_BACKGROUND = QColor("#fde7c8")
HEADER_BACKGROUND = QColor("#dbe8f7")
IGNORED_FOREGROUND = QColor("#6b6b6b")

STYLE = """
QLabel#banner { padding: 8px 10px; border-radius: 4px; }
QLabel#banner[state="rejected"] { background: #fbe3e3; color: #7a1010; border: 1px solid #e3a5a5; }
QLabel#banner[state="ok"] { background: #e2f3e4; color: #1b4d1f; border: 1px solid #a9d4ae; }
QLabel#banner[state="error"] { background: #fbe3e3; color: #7a1010; border: 1px solid #e3a5a5; }
QLabel#figureValue { font-size: 16pt; font-weight: 600; }
QLabel#figureCaption { color: palette(placeholder-text); }
QFrame#figure { border: 1px solid palette(midlight); border-radius: 4px; }
QLabel#dropHint { color: palette(placeholder-text); }
"""


def banner(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("banner")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def set_banner(label: QLabel, state: str, text: str) -> None:
    label.setProperty("state", state)
    label.setText(text)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


class Figure(QFrame):
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


def table_view(name: str, model: QAbstractTableModel, parent: QWidget | None = None) -> QTableView:
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
