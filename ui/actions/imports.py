"""« Importer des dossiers… », « Importer la liste officielle des QPV… », « Enregistrer un modèle
d'import… » (Fichier); ui/import_wizard.py is imported when one of them is first used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ui.dialogs import Dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from instructeur.imports.dossiers import ImportResult
    from instructeur.imports.qpv import QpvImportResult
    from instructeur.services.dossier_list import CampagneRow
    from instructeur.storage.db import Database
    from ui.import_wizard import ImportWizard, QpvImportDialog

__all__ = ["ImportActions"]


class _Window(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def current_campagne(self) -> CampagneRow | None: ...

    def reload(self) -> None: ...

    def statusBar(self) -> QStatusBar: ...


class ImportActions(QObject):
    """« Importer des dossiers… » (Ctrl+I), « Importer la liste officielle des QPV… », « Enregistrer
    un modèle d'import… », inserted in `menu` before `before`; the list reloads after an import."""

    def __init__(self, window: QWidget, menu: QMenu, dialogs: Dialogs, before: QAction | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._dialogs = dialogs
        self.wizard: ImportWizard | None = None
        self.dossiers_action = QAction("&Importer des dossiers…", window)
        self.dossiers_action.setShortcut(QKeySequence("Ctrl+I"))
        self.dossiers_action.setStatusTip("Importer des dossiers d'un tableau .xlsx ou .csv dans la campagne")
        self.dossiers_action.triggered.connect(self.open_wizard)
        self.qpv_action = QAction("Importer la &liste officielle des QPV…", window)
        self.qpv_action.triggered.connect(self.open_qpv_dialog)
        self.template_action = QAction("Enregistrer un &modèle d'import…", window)
        self.template_action.triggered.connect(self.save_template)
        actions = [self.dossiers_action, self.qpv_action, self.template_action]
        separators = []
        for _ in range(2):
            separators.append(QAction(window))
            separators[-1].setSeparator(True)
        group = [separators[0], *actions, separators[1]]
        if before is not None:
            menu.insertActions(before, group)
        else:
            menu.addActions(group)
        window.addAction(self.dossiers_action)  # the shortcut works without the menu bar

    @property
    def _win(self) -> _Window:
        return self._window  # type: ignore[return-value]

    def open_wizard(self) -> ImportWizard | None:
        from ui.import_wizard import ImportWizard

        campagne = self._win.current_campagne
        if campagne is None:
            self._dialogs.error(
                self._window, "Importer des dossiers", "Aucune campagne : créez d'abord une campagne."
            )
            return None
        if self.wizard is not None and self.wizard.isVisible() and self.wizard.campagne_id == campagne.id:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        label = (
            f"{campagne.libelle}"
            if str(campagne.annee) in campagne.libelle
            else f"{campagne.libelle} {campagne.annee}"
        )
        wizard = ImportWizard(
            self._win.db, campagne.id, self._window, dialogs=self._dialogs, campagne_label=label
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._after_import)
        wizard.destroyed.connect(lambda *_: setattr(self, "wizard", None))  # closed: opened anew next time
        self.wizard = wizard
        wizard.show()
        return wizard

    def open_qpv_dialog(self) -> QpvImportDialog:
        from ui.import_wizard import QpvImportDialog

        campagne = self._win.current_campagne
        dialog = QpvImportDialog(
            self._win.db,
            campagne.contrat_id if campagne else None,
            self._window,
            dialogs=self._dialogs,
            contrat_label=campagne.contrat if campagne else "",
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._after_import)
        dialog.show()
        return dialog

    def save_template(self) -> Path | None:
        from ui.import_wizard import save_import_template

        campagne = self._win.current_campagne
        path = save_import_template(
            self._window, self._win.db, campagne.id if campagne else None, self._dialogs
        )
        if path is not None:
            self._win.statusBar().showMessage(f"Modèle d'import enregistré : {path}", 8000)
        return path

    def _after_import(self, result: ImportResult | QpvImportResult) -> None:
        from instructeur.imports.dossiers import ImportResult
        from ui.import_wizard import done_counts

        self._win.reload()
        text = done_counts(result.preview) if isinstance(result, ImportResult) else result.summary()
        self._win.statusBar().showMessage(f"Import terminé : {text}", 10000)
