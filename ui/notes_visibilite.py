"""The campagne's notation option « un évaluateur voit les notes des autres sur un dossier après
avoir complété la sienne » (services/notes_visibilite.py): one check box, saved when ticked.

Shown in the Évaluateurs window of the campagne; the setting is the chef de projet's (on
PostgreSQL the server refuses it to the other roles: the box is greyed for them)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from instructeur.errors import UserError
from instructeur.services.notes_visibilite import NotesVisibiliteService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs

LABEL = "Un évaluateur voit les notes des autres sur un dossier après avoir complété la sienne"
TIP = (
    "Sinon, un évaluateur ne voit jamais les notes des autres. Un évaluateur en conflit d'intérêts "
    "sur un dossier n'en voit aucune note. Le chef de projet, les instructeurs et les lecteurs "
    "voient toutes les notes."
)


class NotesVisibiliteCheck(QCheckBox):
    def __init__(
        self, db: Database, campagne_id: int, dialogs: Dialogs | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(LABEL, parent)
        self.service = NotesVisibiliteService(db)
        self.campagne_id = campagne_id
        self._dialogs = dialogs or Dialogs()
        self.setAccessibleName("Notes des autres évaluateurs")
        self.setToolTip(TIP)
        self.setChecked(self.service.get(campagne_id))
        self.toggled.connect(self._save)

    def _save(self, on: bool) -> None:
        try:
            self.service.set(self.campagne_id, on)
        except UserError as exc:
            self.blockSignals(True)
            self.setChecked(not on)
            self.blockSignals(False)
            self._dialogs.error(self.window(), "Notation", exc.message)
