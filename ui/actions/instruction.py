"""Instruction entries of the « Campagne » menu: grille, cotation F/H, évaluateurs, notation matrix
(each window module imported when first opened)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from instructeur.errors import UserError
from ui.dialogs import Dialogs

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["InstructionActions"]


class InstructionActions:
    """Entries of the main window's « Campagne » menu (grille, cotation F/H, évaluateurs, matrix),
    one window of each kind per campagne."""

    def __init__(self, window: MainWindow, menu: QMenu, dialogs: Dialogs) -> None:
        self._window = window
        self._dialogs = dialogs
        self._open: dict[tuple[str, int], QWidget] = {}
        self.grille_action = QAction("&Grille d'analyse…", window)
        self.grille_action.triggered.connect(lambda: self.open("grille"))
        self.cotation_action = QAction("&Cotation égalité F/H…", window)
        self.cotation_action.triggered.connect(lambda: self.open("cotation"))
        self.evaluateurs_action = QAction("É&valuateurs…", window)
        self.evaluateurs_action.triggered.connect(lambda: self.open("evaluateurs"))
        self.matrix_action = QAction("&Notation (matrice)…", window)
        self.matrix_action.setShortcut(QKeySequence("Ctrl+M"))
        self.matrix_action.triggered.connect(lambda: self.open("matrix"))
        self.actions = (self.grille_action, self.cotation_action, self.evaluateurs_action, self.matrix_action)
        self._menu = menu
        # The « Campagne » menu is rebuilt when the campagnes are read again: put the entries back
        # at its end each time it opens.
        menu.aboutToShow.connect(self.populate)
        self.populate()
        window.addActions(list(self.actions))  # shortcuts work with the menu closed

    def populate(self) -> None:
        menu = self._menu
        if self.grille_action in menu.actions():
            return
        menu.addSeparator()
        for action in self.actions:
            menu.addAction(action)

    def open(self, kind: str, **options: Any) -> QWidget | None:
        campagne = self._window.current_campagne
        if campagne is None:
            self._dialogs.error(self._window, "Instruction", "Aucune campagne : créez d'abord une campagne.")
            return None
        key = (kind, campagne.id)
        existing = self._open.get(key)
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        factories: dict[str, Callable[..., QWidget]] = {
            "grille": self._grille,
            "cotation": self._cotation,
            "evaluateurs": self._evaluateurs,
            "matrix": self._matrix,
        }
        try:
            widget = factories[kind](campagne.id, **options)
        except UserError as exc:
            self._dialogs.error(self._window, "Instruction", exc.message)
            return None
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        widget.destroyed.connect(lambda *_: self._open.pop(key, None))
        self._open[key] = widget
        widget.show()
        return widget

    def _grille(self, campagne_id: int) -> QWidget:
        from ui.grille_editor import GrilleEditor

        return GrilleEditor(self._window.db, campagne_id, parent=self._window, dialogs=self._dialogs)

    def _cotation(self, campagne_id: int) -> QWidget:
        from ui.cotation_settings import CotationSettingsWindow

        return CotationSettingsWindow(
            self._window.db, campagne_id, parent=self._window, dialogs=self._dialogs
        )

    def _evaluateurs(self, campagne_id: int) -> QWidget:
        from ui.evaluateurs import EvaluateursWindow

        window = EvaluateursWindow(self._window.db, campagne_id, parent=self._window, dialogs=self._dialogs)
        window.open_matrix.connect(lambda evaluateur_id: self.open_matrix_for(evaluateur_id))
        from ui.equipe_rights import apply_evaluateurs_permissions  # team mode: the option is the chef's

        apply_evaluateurs_permissions(window, getattr(self._window, "permissions", None))
        return window

    def _matrix(self, campagne_id: int, evaluateur_id: int | None = None) -> QWidget:
        from ui.matrix import MatrixWindow

        return MatrixWindow(
            self._window.db,
            campagne_id,
            evaluateur_id=evaluateur_id,
            parent=self._window,
            dialogs=self._dialogs,
        )

    def open_matrix_for(self, evaluateur_id: int) -> None:
        from ui.matrix import MatrixWindow

        window = self.open("matrix", evaluateur_id=evaluateur_id)
        if isinstance(window, MatrixWindow):
            window.select_evaluateur(evaluateur_id)
