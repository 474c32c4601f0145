"""The dashboard tab, « Fichier ▸ Exporter… » and « Campagne ▸ Notifications… » of the main window;
ui/dashboard.py, ui/exports_dialog.py and ui/notifications.py are imported when first shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTabWidget, QWidget

if TYPE_CHECKING:
    from ui.dashboard import Dashboard
    from ui.exports_dialog import ExportsDialog
    from ui.main_window import MainWindow
    from ui.notifications import NotificationsWindow

__all__ = ["ReportingActions"]


def _menu(window: MainWindow, key: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "").casefold() == key:
            return menu  # type: ignore[return-value]
    return None


class ReportingActions(QObject):
    """Puts the dashboard, the exports dialog and the notifications window into the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.exports_dialog: ExportsDialog | None = None
        self.notifications_window: NotificationsWindow | None = None

        # Tabs « Tableau de bord » / « Dossiers » in place of the list page of the window's stack.
        stack = window.stack
        page = stack.widget(0)
        stack.removeWidget(page)
        # The dashboard (ui/dashboard.py, charts, synthèse) is built when its tab is first shown.
        self._dashboard: Dashboard | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Vues de la campagne")
        self.tabs.addTab(QWidget(), "Tableau de bord")
        self.tabs.addTab(page, "Dossiers")
        self.tabs.setCurrentWidget(page)
        self.dossiers_page = page
        stack.insertWidget(0, self.tabs)
        stack.setCurrentIndex(0)
        self._dock_was_visible: bool | None = None
        self.tabs.currentChanged.connect(self._on_tab_changed)

        # The list is (re)loaded on campagne change, F5, fiche saved, batch action: so is the dashboard.
        window.model.modelReset.connect(self._on_list_loaded)

        self.dashboard_action = QAction("&Tableau de bord", window)
        self.dashboard_action.setShortcut(QKeySequence("Alt+1"))
        self.dashboard_action.triggered.connect(self.show_dashboard)
        self.list_action = QAction("Liste des &dossiers", window)
        self.list_action.setShortcut(QKeySequence("Alt+2"))
        self.list_action.triggered.connect(self.show_list)
        affichage = _menu(window, "affichage")
        if affichage is not None:
            first = affichage.actions()[0] if affichage.actions() else None
            separator = QAction(window)
            separator.setSeparator(True)
            affichage.insertActions(first, [self.dashboard_action, self.list_action, separator])

        self.export_action = QAction("&Exporter…", window)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip("Tableau de programmation (Excel) et données ouvertes (SCDL)")
        self.export_action.triggered.connect(self.open_exports)
        fichier = _menu(window, "fichier")
        if fichier is not None:
            quit_action = getattr(window, "quit_action", None)
            before = quit_action if quit_action in fichier.actions() else None
            separator = QAction(window)
            separator.setSeparator(True)
            fichier.insertActions(before, [self.export_action, separator])

        self.notifications_action = QAction("No&tifications…", window)
        self.notifications_action.setStatusTip("Lettres de notification : génération, signature, envoi")
        self.notifications_action.triggered.connect(self.open_notifications)
        # The Campagne menu is rebuilt with the list of campagnes: the entry is put back each time.
        window.campagne_menu.aboutToShow.connect(self._complete_campagne_menu)
        self._complete_campagne_menu()
        window.addActions([self.dashboard_action, self.list_action, self.export_action])
        self._on_list_loaded()

    def _complete_campagne_menu(self) -> None:
        menu = self._window.campagne_menu
        if self.notifications_action not in menu.actions():
            menu.addSeparator()
            menu.addAction(self.notifications_action)

    @property
    def dashboard(self) -> Dashboard:
        if self._dashboard is None:
            from ui.dashboard import Dashboard

            self._dashboard = Dashboard(self._window.db)
            self._sync_dashboard(self._dashboard)
            current = self.tabs.currentIndex()
            blocked = self.tabs.blockSignals(True)
            placeholder = self.tabs.widget(0)
            self.tabs.removeTab(0)
            placeholder.deleteLater()
            self.tabs.insertTab(0, self._dashboard, "Tableau de bord")
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(blocked)
        return self._dashboard

    def _sync_dashboard(self, dashboard: Dashboard) -> None:
        w = self._window
        if dashboard._db is not w.db:
            dashboard.set_database(w.db)
        campagne = w.current_campagne
        dashboard.set_campagne(campagne.id if campagne is not None else None)

    def _on_list_loaded(self) -> None:
        w = self._window
        if self._dashboard is not None:
            self._sync_dashboard(self._dashboard)
        campagne = w.current_campagne
        has = campagne is not None
        for action in (self.export_action, self.notifications_action, self.dashboard_action):
            action.setEnabled(has)

    def _on_tab_changed(self, _index: int) -> None:
        """The list's filters panel is of no use on the dashboard: hidden there, back afterwards."""
        dock = getattr(getattr(self._window, "workspace", None), "dock", None)
        if dock is None:
            return
        if self.tabs.currentIndex() == 0:
            _ = self.dashboard  # built on first show
            self._dock_was_visible = dock.isVisible()
            dock.hide()
        elif self._dock_was_visible:
            dock.show()
            self._dock_was_visible = None

    def show_dashboard(self) -> None:
        if self._window.current_campagne is not None:
            self.tabs.setCurrentWidget(self.dashboard)

    def show_list(self) -> None:
        self.tabs.setCurrentWidget(self.dossiers_page)

    def open_exports(self) -> ExportsDialog | None:
        from ui.exports_dialog import ExportsDialog

        w = self._window
        campagne = w.current_campagne
        if campagne is None:
            return None
        if self.exports_dialog is not None:
            self.exports_dialog.close()
            self.exports_dialog.deleteLater()
        self.exports_dialog = ExportsDialog(w.db, campagne, parent=w, dialogs=w._dialogs)
        self.exports_dialog.show()
        return self.exports_dialog

    def open_notifications(self) -> NotificationsWindow | None:
        from ui.notifications import NotificationsWindow

        w = self._window
        campagne = w.current_campagne
        if campagne is None:
            return None
        if self.notifications_window is not None:
            self.notifications_window.close()
            self.notifications_window.deleteLater()
        win = NotificationsWindow(w.db, campagne.id, parent=w, dialogs=w._dialogs)
        win.changed.connect(w.reload)  # dossiers notifiés: statuts and figures move
        self.notifications_window = win
        win.show()
        return win
