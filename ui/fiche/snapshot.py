"""What a fiche dossier shows, read in a few short sessions (`load_snapshot`), or the empty fiche
of a new dossier (`new_snapshot`). The journal is left to the « Historique » tab, which reads it
when shown (`fiche_journal`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from instructeur.domain.statuts import Statut, allowed_targets
from instructeur.errors import UserError
from instructeur.services.dossiers import DossierData, DossierDetail, DossierService
from instructeur.services.fiche import FicheContext, FicheService, JournalRow, RecevabiliteRow
from instructeur.services.porteurs import PorteurHistoryRow, PorteurRow, PorteurService
from instructeur.storage.db import Database

__all__ = ["FicheSnapshot", "fiche_journal", "load_snapshot", "new_snapshot"]


@dataclass(frozen=True)
class FicheSnapshot:
    """Everything a fiche shows, read in a few short sessions."""

    detail: DossierDetail | None  # None: a new dossier
    data: DossierData
    recevabilite: tuple[RecevabiliteRow, ...]
    journal: tuple[JournalRow, ...] | None  # None: read when the Historique tab is shown
    porteur: PorteurRow | None
    history: tuple[PorteurHistoryRow, ...]
    allowed: tuple[Statut, ...]


def load_snapshot(db: Database, dossier_id: int, user: str | None = None) -> FicheSnapshot:
    detail = DossierService(db, user).get(dossier_id)
    fiche = FicheService(db, user)
    porteurs = PorteurService(db, user)
    return FicheSnapshot(
        detail=detail,
        data=detail.data,
        recevabilite=tuple(fiche.recevabilite(dossier_id)),
        journal=None,
        porteur=porteurs.get(detail.data.porteur_id),
        history=tuple(porteurs.history(detail.data.porteur_id)),
        allowed=allowed_targets(detail.statut, detail.decision),
    )


def fiche_journal(fiche: FicheService, dossier_id: int) -> tuple[JournalRow, ...]:
    """Team mode: an évaluateur may not read the journal (it holds the avis' history); the
    fiche opens without its Historique instead of failing."""
    try:
        return tuple(fiche.journal(dossier_id))
    except UserError as exc:
        if not exc.message.startswith("droits insuffisants"):
            raise
        return ()


def new_snapshot(db: Database, context: FicheContext, user: str | None = None) -> FicheSnapshot:
    reference = FicheService(db, user).suggest_reference(context.campagne_id)
    return FicheSnapshot(
        detail=None,
        data=DossierData(reference=reference, porteur_id=0, intitule="", date_depot=date.today()),
        recevabilite=tuple(
            RecevabiliteRow(i.id, i.libelle, i.obligatoire, False, None) for i in context.recevabilite_items
        ),
        journal=(),
        porteur=None,
        history=(),
        allowed=(),
    )
