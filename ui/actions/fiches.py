"""The open fiches dossier of the main window, one per dossier; ui/fiche/ (its ten tabs) is imported
when the first fiche opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui.dialogs import Dialogs

if TYPE_CHECKING:
    from instructeur.services.fiche import FicheContext
    from instructeur.storage.db import Database
    from ui.fiche.window import FicheDossier

__all__ = ["FicheRegistry"]


class FicheRegistry:
    """The open fiches (one per dossier) and the campagne contexts (read once per campagne)."""

    def __init__(
        self, parent: QWidget | None = None, dialogs: Dialogs | None = None, user: str | None = None
    ) -> None:
        self._parent = parent
        self._dialogs = dialogs
        self._user = user
        self._db: Database | None = None
        self._contexts: dict[int, FicheContext] = {}
        self.fiches: dict[int, FicheDossier] = {}
        self._new: list[FicheDossier] = []

    def _use(self, db: Database) -> None:
        if db is not self._db:
            self._db = db
            self._contexts = {}

    def context(self, db: Database, campagne_id: int) -> FicheContext:
        self._use(db)
        ctx = self._contexts.get(campagne_id)
        if ctx is None:
            from instructeur.services.fiche import FicheService

            ctx = self._contexts[campagne_id] = FicheService(db, self._user).context(campagne_id)
        return ctx

    def forget_contexts(self) -> None:
        self._contexts = {}

    def open(self, db: Database, dossier_id: int) -> FicheDossier:
        from ui.fiche.snapshot import load_snapshot
        from ui.fiche.window import FicheDossier, _bring_forward

        self._use(db)
        existing = self.fiches.get(dossier_id)
        if existing is not None:
            _bring_forward(existing)
            return existing
        snapshot = load_snapshot(db, dossier_id, self._user)
        assert snapshot.detail is not None
        fiche = FicheDossier(
            db,
            self.context(db, snapshot.detail.campagne_id),
            snapshot,
            dialogs=self._dialogs,
            user=self._user,
            parent=self._parent,
        )
        self._register(fiche)
        _bring_forward(fiche)
        return fiche

    def new(self, db: Database, campagne_id: int) -> FicheDossier:
        from ui.fiche.snapshot import new_snapshot
        from ui.fiche.window import FicheDossier, _bring_forward

        context = self.context(db, campagne_id)
        fiche = FicheDossier(
            db,
            context,
            new_snapshot(db, context, self._user),
            dialogs=self._dialogs,
            user=self._user,
            parent=self._parent,
        )
        self._new.append(fiche)
        self._register(fiche)
        _bring_forward(fiche)
        fiche.identification.intitule.setFocus()
        return fiche

    def close_all(self) -> bool:
        """Close every fiche (each asks about its unsaved changes); False if one stayed open."""
        return all(fiche.close() for fiche in list(self.fiches.values()) + list(self._new))

    def _register(self, fiche: FicheDossier) -> None:
        if fiche.dossier_id is not None:
            self.fiches[fiche.dossier_id] = fiche
        fiche.saved.connect(lambda dossier_id, f=fiche: self._on_saved(f, dossier_id))
        fiche.closed.connect(lambda _id, f=fiche: self._on_closed(f))
        # --- team mode: read-only fiche, decision revision for the chef (ui/equipe_rights.py) ---
        from ui.equipe_rights import apply_fiche_permissions

        apply_fiche_permissions(fiche, getattr(self._parent, "permissions", None))
        # --- end team mode ---
        if self._parent is not None:
            parent = self._parent
            size = parent.size()
            fiche.resize(min(1280, max(1000, size.width() - 80)), min(880, max(720, size.height() - 40)))

    def _on_saved(self, fiche: FicheDossier, dossier_id: int) -> None:
        if fiche in self._new:
            self._new.remove(fiche)
        self.fiches[dossier_id] = fiche

    def _on_closed(self, fiche: FicheDossier) -> None:
        for key, value in list(self.fiches.items()):
            if value is fiche:
                del self.fiches[key]
        if fiche in self._new:
            self._new.remove(fiche)
        if self._parent is not None:  # owned by the main window: free it now
            fiche.deleteLater()
