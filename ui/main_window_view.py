"""The layout of the main window: the campagne header with its key figures, the search bar, the
dossiers list and its empty states, the campagne toolbar and the status bar (`MainWindowLayout`);
what they do is `MainWindow` in ui/main_window.py (layout apart from behaviour, as TagStudio's
`qt/views` and `qt/controllers`)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.delegates import PillDelegate
from ui.first_run import EmptyListPanel, FirstRunPanel
from ui.models.dossiers import DossierFilterProxy, DossierTableModel
from ui.screen_fit import FitsScreen

__all__ = ["MainWindowLayout"]

_STYLE = """
#header { background: palette(base); border-bottom: 1px solid palette(mid); }
#contratLabel { font-size: 17pt; font-weight: 600; }
#campagneLabel { font-size: 11pt; color: palette(text); }
#statutPill { border-radius: 9px; padding: 2px 10px; font-weight: 600; }
#figureValue { font-size: 15pt; font-weight: 600; }
#figureCaption { color: palette(placeholder-text); }
#emptyState { color: palette(text); }
QTableView { gridline-color: palette(midlight); }
QHeaderView::section { padding: 4px 6px; font-weight: 600; }
"""


class _Figure(QWidget):
    """A big number with its caption under it (header key figures)."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.value = _named(QLabel("—"), "figureValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = _named(QLabel(caption), "figureCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.value.setAccessibleName(name)

    def set_value(self, text: str) -> None:
        self.value.setText(text)
        self.value.setAccessibleDescription(f"{text} {self.caption.text()}")


class MainWindowLayout(FitsScreen, QMainWindow):
    """The main window's widgets, with the dossiers model and its filter proxy they show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setStyleSheet(_STYLE)
        self.model = DossierTableModel(self)
        self.proxy = DossierFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build_header()
        self._build_central()
        self._build_toolbar()
        self._build_status_bar()

    def _build_header(self) -> None:
        self.header = _named(QFrame(), "header")
        self.header.setAutoFillBackground(True)
        layout = QHBoxLayout(self.header)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(28)
        left = QVBoxLayout()
        left.setSpacing(4)
        self.contrat_label = _named(QLabel(), "contratLabel")
        self.contrat_label.setAccessibleName("Contrat")
        self.contrat_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long contrat name (« Contrat de ville « Ensemble, agir pour nos quartiers 2030 » »)
        # goes on two lines rather than pushing the key figures off a 1366-pixel screen.
        self.contrat_label.setWordWrap(True)
        line = QHBoxLayout()
        line.setSpacing(10)
        self.campagne_label = _named(QLabel(), "campagneLabel")
        self.campagne_label.setAccessibleName("Campagne")
        self.statut_pill = _named(QLabel(), "statutPill")
        self.statut_pill.setAccessibleName("Statut de la campagne")
        line.addWidget(self.campagne_label)
        line.addWidget(self.statut_pill)
        line.addStretch(1)
        left.addWidget(self.contrat_label)
        left.addLayout(line)
        layout.addLayout(left, 1)
        self.count_figure = _Figure("dossiers", "Nombre de dossiers")
        self.total_figure = _Figure("total demandé", "Total demandé")
        layout.addWidget(self.count_figure)
        layout.addWidget(self.total_figure)

    def _build_central(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Rechercher (référence, porteur, intitulé)…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Rechercher un dossier")
        self.search_edit.setToolTip("Sans tenir compte des accents ni des majuscules (Ctrl+F)")
        self.search_edit.setMinimumWidth(380)
        self.search_count = QLabel()
        self.search_count.setAccessibleName("Dossiers affichés")

        self.table = QTableView()
        self.table.setObjectName("dossiersTable")
        self.table.setAccessibleName("Dossiers de la campagne")
        self.table.setModel(self.proxy)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setShowGrid(False)
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setMinimumSectionSize(60)
        hh.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self._pill = PillDelegate(self.table)
        self.table.setItemDelegateForColumn(self.model.column_index("statut"), self._pill)

        table_page = QWidget()
        page_layout = QVBoxLayout(table_page)
        page_layout.setContentsMargins(12, 10, 12, 6)
        page_layout.setSpacing(8)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit)
        bar.addWidget(self.search_count)
        bar.addStretch(1)
        self.search_bar = bar
        page_layout.addLayout(bar)
        self.empty_list = EmptyListPanel()  # a campagne without dossier: what to do next
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_list)
        page_layout.addWidget(self.list_stack, 1)

        self.empty_state = FirstRunPanel()  # ui/first_run.py, wired by FirstRun

        self.stack = QStackedWidget()
        self.stack.addWidget(table_page)
        self.stack.addWidget(self.empty_state)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Campagne", self)
        bar.setObjectName("campagneToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        label = QLabel("  Campagne : ")
        self.campagne_combo = QComboBox()
        self.campagne_combo.setAccessibleName("Campagne affichée")
        self.campagne_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.campagne_combo.setMinimumContentsLength(28)
        label.setBuddy(self.campagne_combo)
        bar.addWidget(label)
        bar.addWidget(self.campagne_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Nombre de dossiers")
        self.db_label = QLabel()
        self.db_label.setAccessibleName("Base de données ouverte")
        status.addWidget(self.count_label)
        status.addPermanentWidget(self.db_label)


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    """The widget with an object name (the style sheet targets it)."""
    widget.setObjectName(name)
    return widget
