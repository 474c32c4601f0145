"""The « Comité » menu: préparation, simulations, séance (ui/comite/*, imported when first opened)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from instructeur.domain.etats import COMITE_STATUT_LABELS
from instructeur.errors import UserError
from ui.comite import comite_title

if TYPE_CHECKING:
    from ui.comite.preparation import PreparationWindow
    from ui.comite.scenarios import ScenariosWindow
    from ui.comite.seance import SeanceWindow
    from ui.main_window import MainWindow

__all__ = ["ComiteActions"]


class ComiteActions(QObject):
    """The « Comité » menu of the main window: préparation, simulations, séance."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self.preparation_window: PreparationWindow | None = None
        self.scenarios_window: ScenariosWindow | None = None
        self.seance_window: SeanceWindow | None = None

        self.preparation_action = QAction("Comités et &ordre du jour…", window)
        self.preparation_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.preparation_action.setStatusTip(
            "Comités de la campagne, membres, ordre du jour, conflits d'intérêts"
        )
        self.preparation_action.triggered.connect(self.open_preparation)
        self.scenarios_action = QAction("Si&mulations…", window)
        self.scenarios_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.scenarios_action.setStatusTip("Scénarios de répartition comparés aux enveloppes")
        self.scenarios_action.triggered.connect(self.open_scenarios)
        self.seance_action = QAction("Ouvrir la &séance…", window)
        self.seance_action.setShortcut(QKeySequence("F11"))
        self.seance_action.setStatusTip("Mode projection du comité des financeurs")
        self.seance_action.triggered.connect(self.open_seance)
        menu.addAction(self.preparation_action)
        menu.addAction(self.scenarios_action)
        menu.addSeparator()
        menu.addAction(self.seance_action)
        window.addActions([self.preparation_action, self.scenarios_action, self.seance_action])
        window.model.modelReset.connect(self._update_enabled)
        self._update_enabled()

    def _update_enabled(self) -> None:
        has = self._window.current_campagne is not None
        for action in (self.preparation_action, self.scenarios_action, self.seance_action):
            action.setEnabled(has)

    def _replace(self, old: QWidget | None) -> None:
        if old is not None:
            old.close()
            old.deleteLater()

    def open_preparation(self) -> PreparationWindow | None:
        from ui.comite.preparation import PreparationWindow

        w = self._window
        campagne = w.current_campagne
        if campagne is None:
            return None
        self._replace(self.preparation_window)
        win = PreparationWindow(w.db, campagne, parent=w, dialogs=w._dialogs, open_fiche=w.open_fiche)
        win.decisions_changed.connect(w.reload)
        self.preparation_window = win
        win.show()
        return win

    def _choose_comite(self, title: str) -> int | None:
        """The comité to work on: the only open one, else the user's choice; None when none."""
        from instructeur.services.comites import ComiteService

        w = self._window
        campagne = w.current_campagne
        if campagne is None:
            return None
        try:
            comites = [c for c in ComiteService(w.db).all(campagne.id) if c.statut != "clos"]
        except UserError as exc:
            w._dialogs.error(w, title, exc.message)
            return None
        if not comites:
            w._dialogs.info(
                w, title, "Aucun comité en préparation : créez-en un dans « Comités et ordre du jour »."
            )
            self.open_preparation()
            return None
        if len(comites) == 1:
            return comites[0].id
        labels = [f"{comite_title(c)} — {COMITE_STATUT_LABELS.get(c.statut, c.statut)}" for c in comites]
        choice = w._dialogs.ask_choice(w, title, "Comité :", labels)
        return comites[labels.index(choice)].id if choice in labels else None

    def open_scenarios(self, comite_id: int | None = None) -> ScenariosWindow | None:
        from ui.comite.scenarios import ScenariosWindow

        w = self._window
        comite_id = comite_id or self._choose_comite("Simulations")
        if comite_id is None:
            return None
        self._replace(self.scenarios_window)
        win = ScenariosWindow(w.db, comite_id, parent=w, dialogs=w._dialogs)
        self.scenarios_window = win
        win.show()
        return win

    def open_seance(self, comite_id: int | None = None, *, fullscreen: bool = True) -> SeanceWindow | None:
        from ui.comite.seance import open_seance_window

        w = self._window
        comite_id = comite_id or self._choose_comite("Séance du comité")
        if comite_id is None:
            return None
        self._replace(self.seance_window)
        win = open_seance_window(w, w.db, comite_id, w._dialogs, fullscreen=fullscreen)
        if win is not None:
            win.closed.connect(w.reload)  # statuts and totals moved: the list is read again once
            self.seance_window = win
        return win
