"""« Paramètres… », « Nouveau contrat… » (Fichier) and « Nouvelle campagne… » (Campagne); the
windows of ui/parametres/ are imported when first opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from instructeur.errors import UserError
from ui.dialogs import Dialogs

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.parametres.nouveau_contrat import NouveauContratWizard, NouvelleCampagneDialog
    from ui.parametres.window import ParametresWindow

__all__ = ["ParametresActions"]


class ParametresActions(QObject):
    def __init__(
        self,
        window: MainWindow,
        fichier: QMenu,
        campagne_menu: QMenu,
        dialogs: Dialogs,
        before: QAction | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._dialogs = dialogs
        self.parametres: ParametresWindow | None = None
        self.wizard: NouveauContratWizard | None = None
        self.params_action = QAction("&Paramètres…", window)
        self.params_action.setShortcut(QKeySequence("Ctrl+,"))
        self.params_action.setStatusTip("Contrat, quartiers, financeurs, campagne, enveloppes")
        self.params_action.triggered.connect(lambda: self.open_parametres())
        self.new_contrat_action = QAction("&Nouveau contrat…", window)
        self.new_contrat_action.triggered.connect(lambda: self.open_wizard())
        self.new_campagne_action = QAction("Nouvelle ca&mpagne…", window)
        self.new_campagne_action.triggered.connect(lambda: self.open_new_campagne())
        if before is not None:
            fichier.insertActions(before, [self.new_contrat_action, self.params_action])
            fichier.insertSeparator(before)
        else:
            fichier.addActions([self.new_contrat_action, self.params_action])
        self._campagne_menu = campagne_menu
        campagne_menu.aboutToShow.connect(self.populate)
        self.populate()
        window.addActions([self.params_action, self.new_contrat_action, self.new_campagne_action])

    def populate(self) -> None:
        """The Campagne menu is cleared on each reload: put « Nouvelle campagne… » back."""
        menu = self._campagne_menu
        if self.new_campagne_action in menu.actions():
            return
        menu.addSeparator()
        menu.addAction(self.new_campagne_action)

    # --- windows -------------------------------------------------------------------------------

    def _contrat_id(self) -> int | None:
        campagne = self._window.current_campagne
        if campagne is not None:
            return campagne.contrat_id
        from instructeur.services.contrats import ContratService

        contrats = ContratService(self._window.db).all()
        return contrats[0].id if contrats else None

    def open_parametres(self, tab: str | None = None) -> ParametresWindow | None:
        from ui.parametres.window import ParametresWindow

        contrat_id = self._contrat_id()
        if contrat_id is None:
            self._dialogs.info(
                self._window, "Paramètres", "Cette base n'a pas encore de contrat : créez-le d'abord."
            )
            self.open_wizard()
            return None
        campagne = self._window.current_campagne
        if self.parametres is not None and self.parametres.contrat_id == contrat_id:
            if campagne is not None and not self.parametres.campagne_tab.modified:
                self.parametres.campagne_tab.show_campagne(campagne.id)
            if tab:
                self.parametres.show_tab(tab)
            self.parametres.show()
            self.parametres.raise_()
            self.parametres.activateWindow()
            return self.parametres
        if self.parametres is not None and not self.parametres.close():
            return None
        try:
            win = ParametresWindow(
                self._window.db,
                contrat_id,
                campagne.id if campagne and campagne.contrat_id == contrat_id else None,
                parent=self._window,
                dialogs=self._dialogs,
            )
        except UserError as exc:
            self._dialogs.error(self._window, "Paramètres", exc.message)
            return None
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        win.changed.connect(self._window.reload)
        win.open_campagne_window.connect(self.open_campagne_window)
        win.new_campagne.connect(lambda cid: self.open_new_campagne(cid))
        win.destroyed.connect(lambda *_: setattr(self, "parametres", None))
        self.parametres = win
        if tab:
            win.show_tab(tab)
        win.show()
        return win

    def open_campagne_window(self, kind: str, campagne_id: int) -> QWidget | None:
        w = self._window
        if w.current_campagne is None or w.current_campagne.id != campagne_id:
            w.select_campagne(campagne_id)
        if kind == "lettres":
            win = w.reporting.open_notifications()
            if win is not None:
                win.tabs.setCurrentWidget(win.settings_form)
            return win
        return w.instruction.open(kind)

    def open_wizard(self) -> NouveauContratWizard:
        from ui.parametres.nouveau_contrat import NouveauContratWizard

        if self.wizard is not None:
            self.wizard.show()
            self.wizard.raise_()
            return self.wizard
        wizard = NouveauContratWizard(self._window.db, parent=self._window, dialogs=self._dialogs)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.created.connect(self._on_created)
        wizard.destroyed.connect(lambda *_: setattr(self, "wizard", None))
        self.wizard = wizard
        wizard.show()
        return wizard

    def open_new_campagne(self, contrat_id: int | None = None) -> NouvelleCampagneDialog | None:
        from ui.parametres.nouveau_contrat import NouvelleCampagneDialog

        contrat_id = contrat_id if contrat_id is not None else self._contrat_id()
        if contrat_id is None:
            self.open_wizard()
            return None
        campagne = self._window.current_campagne
        dialog = NouvelleCampagneDialog(
            self._window.db,
            contrat_id,
            source_campagne_id=campagne.id if campagne else None,
            parent=self.parametres
            if self.parametres is not None and self.parametres.isVisible()
            else self._window,
            dialogs=self._dialogs,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_campagne_created)
        dialog.open()
        return dialog

    def _on_created(self, _contrat_id: int, campagne_id: int) -> None:
        self._show(campagne_id)
        self._window.statusBar().showMessage("Contrat et campagne créés", 8000)

    def _on_campagne_created(self, campagne_id: int) -> None:
        self._show(campagne_id)
        if self.parametres is not None:
            self.parametres.campagne_tab.show_campagne(campagne_id)
        self._window.statusBar().showMessage("Campagne créée", 8000)

    def _show(self, campagne_id: int) -> None:
        w = self._window
        w.reload()
        w.select_campagne(campagne_id)
