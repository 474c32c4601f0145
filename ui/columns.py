"""Column chooser of the dossiers table: checkable columns in the header's context menu and in
« Affichage ▸ Colonnes ». Hidden columns are dropped by the proxy (and saved with the view)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QWidget

from ui.models.dossiers import DEFAULT_COLUMNS, DOSSIER_COLUMNS, DossierFilterProxy


class ColumnChooser(QObject):
    changed = Signal(tuple)  # keys of the visible columns

    def __init__(self, proxy: DossierFilterProxy, header: QHeaderView, parent: QWidget) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self.menu = QMenu("Co&lonnes", parent)
        self.menu.setObjectName("columnsMenu")
        self.actions: dict[str, QAction] = {}
        for column in DOSSIER_COLUMNS:
            action = QAction(column.header, self.menu)
            action.setCheckable(True)
            action.setData(column.key)
            action.toggled.connect(lambda _on=False, key=column.key: self._toggled(key))
            self.menu.addAction(action)
            self.actions[column.key] = action
        self.menu.addSeparator()
        self.reset_action = QAction("Colonnes par &défaut", self.menu)
        self.reset_action.triggered.connect(lambda: self.set_visible(DEFAULT_COLUMNS))
        self.menu.addAction(self.reset_action)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._popup)
        self._header = header
        self._sync()

    def visible(self) -> tuple[str, ...]:
        return self._proxy.visible_columns

    def set_visible(self, keys: tuple[str, ...] | list[str]) -> None:
        before = self._proxy.visible_columns
        self._proxy.set_visible_columns(keys)
        self._sync()
        if self._proxy.visible_columns != before:
            self.changed.emit(self._proxy.visible_columns)

    def _toggled(self, key: str) -> None:
        wanted = [k for k, a in self.actions.items() if a.isChecked()]
        if not wanted:  # the last column stays
            self._sync()
            return
        self.set_visible(wanted)

    def _sync(self) -> None:
        shown = set(self._proxy.visible_columns)
        for key, action in self.actions.items():
            action.blockSignals(True)
            action.setChecked(key in shown)
            action.setEnabled(not (key in shown and len(shown) == 1))
            action.blockSignals(False)

    def _popup(self, pos: QPoint) -> None:
        self.menu.popup(self._header.mapToGlobal(pos))
