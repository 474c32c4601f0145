"""Menu entries of the co-instruction dialog (ui/coinstruction.py, imported when first opened)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from ui.coinstruction import CoinstructionDialog
    from ui.main_window import MainWindow

__all__ = ["CoinstructionActions"]


class CoinstructionActions(QObject):
    """The three menu entries of the co-instruction dialog, in the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.dialog: CoinstructionDialog | None = None
        self.prepare_action = QAction("&Préparer un fichier de notation…", window)
        self.prepare_action.triggered.connect(lambda: self._open("prepare"))
        self.import_action = QAction("&Importer un fichier de notation…", window)
        self.import_action.triggered.connect(lambda: self._open("import"))
        self.fiches_action = QAction("&Fiches d'instruction (PDF)…", window)
        self.fiches_action.triggered.connect(lambda: self._open("fiches"))
        self.actions = [self.prepare_action, self.import_action, self.fiches_action]
        menu = self._menu()
        menu.aboutToShow.connect(self._complete_menu)
        self._complete_menu()

    def _menu(self) -> QMenu:
        bar = self._window.menuBar()
        for action in bar.actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == "Instruction":
                return menu
        return self._window.campagne_menu

    def _complete_menu(self) -> None:
        menu = self._menu()
        has = self._window.current_campagne is not None
        for action in self.actions:
            action.setEnabled(has)
        if self.prepare_action not in menu.actions():
            menu.addSeparator()
            menu.addActions(self.actions)

    def _selected_ids(self) -> list[int]:
        workspace = getattr(self._window, "workspace", None)
        batch = getattr(workspace, "batch", None)
        rows = batch.selected_rows() if batch is not None else []
        return [row.id for row in rows]

    def _open(self, what: str) -> CoinstructionDialog | None:
        from ui.coinstruction import CoinstructionDialog

        w = self._window
        campagne = w.current_campagne
        if campagne is None:
            return None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = CoinstructionDialog(
            w.db, campagne.id, campagne.contrat_id, parent=w, dialogs=w._dialogs,
            selected_dossier_ids=self._selected_ids(),
        )  # fmt: skip
        self.dialog.show()
        if what == "prepare":
            self.dialog.evaluateur_combo.setFocus()
        elif what == "import":
            self.dialog.ask_import()
        else:
            self.dialog.fiches()
        return self.dialog
