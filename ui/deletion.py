"""Deleting what was created by mistake, from the GUI: one confirmation for a dossier, a comité or
a campagne (`DeletionService` decides; a refusal is shown with its reason, nothing is deleted).

* the dossiers list: « Dossier › Supprimer le dossier… » (`DossierDeletionActions`);
* the comités préparation window: « Supprimer le comité… »;
* Paramètres › Campagne: « Supprimer la campagne… ».
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from instructeur.errors import UserError
from ui.dialogs import Dialogs

if TYPE_CHECKING:
    from instructeur.services.deletion import DeletionPreview, DeletionService
    from instructeur.storage.db import Database
    from ui.main_window import MainWindow

__all__ = ["DossierDeletionActions", "confirm_and_delete"]

_TITLES = {
    "dossier": "Supprimer le dossier",
    "comite": "Supprimer le comité",
    "campagne": "Supprimer la campagne",
}


def _preview(service: DeletionService, kind: str, ident: int) -> DeletionPreview:
    if kind == "dossier":
        return service.preview_dossier(ident)
    if kind == "comite":
        return service.preview_comite(ident)
    return service.preview_campagne(ident)


def confirm_and_delete(
    parent: QWidget,
    dialogs: Dialogs,
    db: Database,
    kind: str,
    ident: int,
    user: str | None = None,
    before: Callable[[], bool] | None = None,
) -> bool:
    """Ask, then delete. False when refused (the reason is shown), cancelled, or failed.
    `before` runs once confirmed (close the dossier's fiche…); False from it cancels."""
    title = _TITLES[kind]
    from instructeur.services.deletion import DeletionService

    service = DeletionService(db, user)
    try:
        preview = _preview(service, kind, ident)
        if preview.refusal is not None:
            dialogs.error(parent, title, preview.refusal[:1].upper() + preview.refusal[1:] + ".")
            return False
        if not dialogs.confirm(parent, title, preview.question, ok="Supprimer"):
            return False
        if before is not None and not before():
            return False
        if kind == "dossier":
            service.delete_dossier(ident)
        elif kind == "comite":
            service.delete_comite(ident)
        else:
            service.delete_campagne(ident)
    except UserError as exc:  # a decision recorded meanwhile, or the row is already gone
        dialogs.error(parent, title, exc.message[:1].upper() + exc.message[1:] + ".")
        return False
    return True


class DossierDeletionActions:
    """« Dossier › Supprimer le dossier… » on the list's current dossier (also Maj+Suppr in the list)."""

    def __init__(self, window: MainWindow, menu: QMenu, dialogs: Dialogs) -> None:
        self.window = window
        self.dialogs = dialogs
        self.action = QAction("Su&pprimer le dossier…", window)
        self.action.setToolTip("Supprime un dossier saisi par erreur (sans décision, lettre ni notes)")
        self.action.setShortcut(QKeySequence("Shift+Del"))
        self.action.triggered.connect(self.delete_current)
        menu.addSeparator()
        menu.addAction(self.action)
        window.table.addAction(self.action)

    def delete_current(self) -> bool:
        from ui.models.dossiers import DossierTableModel

        index = self.window.table.currentIndex()
        row = index.siblingAtColumn(0).data(DossierTableModel.RowRole) if index.isValid() else None
        if row is None:
            self.dialogs.info(
                self.window, _TITLES["dossier"], "Sélectionnez d'abord un dossier dans la liste."
            )
            return False

        def close_fiche() -> bool:  # an open fiche of the dossier closes first (it may ask to save)
            fiche = self.window.fiches.fiches.get(row.id)
            return fiche is None or fiche.close()

        if not confirm_and_delete(
            self.window, self.dialogs, self.window.db, "dossier", row.id, before=close_fiche
        ):
            return False
        self.window.reload()
        return True
