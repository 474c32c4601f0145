"""The main window's menu bar: Fichier, Campagne, Dossier, Comité, Affichage, Aide.

Each feature adds its own entries through a small `…Actions` object; this module only builds the
menus and the window's own actions (open, backup, quit, refresh, search, about). Access keys are
unique within each menu (tests/ui/test_accessibility.py checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ui.actions import ComiteActions, ImportActions, InstructionActions, ParametresActions

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["build_menus"]


def build_menus(w: MainWindow) -> None:
    """Build the menu bar of `w`; sets the actions and menus the rest of the window uses."""
    menubar = w.menuBar()
    fichier = menubar.addMenu("&Fichier")
    w.open_action = QAction("&Ouvrir une base…", w)
    w.open_action.setShortcut(QKeySequence.StandardKey.Open)
    w.open_action.triggered.connect(w.ask_open_database)
    w.backup_action = QAction("&Sauvegarder une copie…", w)
    w.backup_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
    w.backup_action.triggered.connect(w.ask_backup)
    w.quit_action = QAction("&Quitter", w)
    w.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    w.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    w.quit_action.triggered.connect(w.close)
    fichier.addAction(w.open_action)
    w.import_actions = ImportActions(w, fichier, w._dialogs)  # Importer… (ui/actions/imports.py)
    fichier.addAction(w.backup_action)
    fichier.addSeparator()
    fichier.addAction(w.quit_action)

    w.campagne_menu = menubar.addMenu("&Campagne")
    w.campagne_group = QActionGroup(w)
    w.campagne_group.setExclusive(True)
    # Grille, cotation F/H, évaluateurs, matrice de notation, under the campagnes (ui/matrix.py).
    w.instruction = InstructionActions(w, w.campagne_menu, w._dialogs)
    # Nouveau contrat…, Paramètres… (Fichier) and Nouvelle campagne… (Campagne): ui/parametres/.
    w.parametres = ParametresActions(w, fichier, w.campagne_menu, w._dialogs, w.open_action)

    dossier_menu = menubar.addMenu("&Dossier")
    w.open_fiche_action = QAction("&Ouvrir la fiche", w)
    w.open_fiche_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
    w.open_fiche_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table's Entrée
    w.open_fiche_action.triggered.connect(w.open_current_fiche)
    w.new_dossier_action = QAction("&Nouveau dossier…", w)
    w.new_dossier_action.setShortcut(QKeySequence.StandardKey.New)
    w.new_dossier_action.triggered.connect(w.new_dossier)
    dossier_menu.addAction(w.open_fiche_action)
    dossier_menu.addAction(w.new_dossier_action)
    w.addAction(w.new_dossier_action)
    w.table.addAction(w.open_fiche_action)
    # --- « Supprimer le dossier… » (created by mistake; ui/deletion.py) ---
    from ui.deletion import DossierDeletionActions

    w.deletion = DossierDeletionActions(w, dossier_menu, w._dialogs)
    # --- end deletion ---

    # Comités et ordre du jour, simulations, séance du comité (ui/comite/).
    w.comite_menu = menubar.addMenu("Co&mité")
    w.comite = ComiteActions(w, w.comite_menu)

    affichage = menubar.addMenu("&Affichage")
    w.refresh_action = QAction("&Actualiser", w)
    w.refresh_action.setShortcut(QKeySequence("F5"))
    w.refresh_action.triggered.connect(w.reload)
    w.search_action = QAction("&Rechercher un dossier", w)
    w.search_action.setShortcut(QKeySequence("Ctrl+F"))
    w.search_action.triggered.connect(w.focus_search)
    w.fit_action = QAction("A&juster les colonnes", w)
    w.fit_action.triggered.connect(lambda: w._fit_columns(force=True))
    affichage.addAction(w.refresh_action)
    affichage.addAction(w.search_action)
    affichage.addAction(w.fit_action)

    aide = menubar.addMenu("A&ide")
    w.help_menu = aide  # « Guide d'utilisation », « Raccourcis clavier » (ui/help.py) go first
    w.about_action = QAction("À &propos d'Instructeur", w)
    w.about_action.setMenuRole(QAction.MenuRole.AboutRole)
    w.about_action.triggered.connect(w.show_about)
    aide.addAction(w.about_action)
    # Shortcuts also work when the menu bar is hidden or not native (offscreen, some desktops).
    w.addActions([w.open_action, w.backup_action, w.quit_action, w.refresh_action, w.search_action])
