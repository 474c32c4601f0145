"""The live figures of a comité séance: enveloppes (voté, reste, dépassement) and € per cotation F/H.

The same perimeters and the same functions as `SyntheseService.campagne`
(`voted_by_financeur`, `cotation_totals`), over a lighter loading: four small queries, no
porteurs, quartiers nor cadre.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain.statuts import Statut
from instructeur.services.synthese_aggregate import cotation_totals, voted_by_financeur
from instructeur.services.synthese_load import (
    _add_amounts,
    _campagne,
    _enveloppes,
    _financeurs,
    _statut_or_none,
)
from instructeur.services.synthese_types import CotationSynthese, FinanceurRef, _Dossier
from instructeur.storage.models import Dossier, LigneFinancement


@dataclass(frozen=True)
class EnveloppeFigures:
    """A financeur's enveloppe against the campagne's voté (same rules as `FinanceurSynthese`)."""

    financeur_id: int
    code: str
    nom: str
    has_enveloppe: bool  # the campagne defines an enveloppe for this financeur
    enveloppe_cents: int
    vote_cents: int
    reste_cents: int

    @property
    def exceeded(self) -> bool:
        return self.has_enveloppe and self.vote_cents > self.enveloppe_cents


@dataclass(frozen=True)
class LiveFigures:
    enveloppes: tuple[EnveloppeFigures, ...]
    cotations: tuple[CotationSynthese, ...]
    total_vote_cents: int


@dataclass
class LiveData:
    """What the live figures need, loaded with four small queries (no porteurs, quartiers, cadre)."""

    financeurs: list[FinanceurRef]
    enveloppes: dict[int, int]
    dossiers: dict[int, _Dossier]


def load_live(s: Session, campagne_id: int) -> LiveData:
    campagne = _campagne(s, campagne_id)
    financeurs = _financeurs(s, campagne.contrat_id)
    enveloppes = _enveloppes(s, campagne_id)
    dossiers: dict[int, _Dossier] = {}
    for r in s.execute(
        select(
            Dossier.id,
            Dossier.statut,
            Dossier.decision,
            Dossier.cotation_declaree,
            Dossier.cotation_instruite,
        ).where(Dossier.campagne_id == campagne_id)
    ):
        dossiers[r.id] = _Dossier(
            id=r.id,
            reference="",
            porteur="",
            siret=None,
            intitule="",
            objectif_id=None,
            reconduite=False,
            cout_total_cents=0,
            statut=Statut(r.statut),
            decision=_statut_or_none(r.decision),
            cotation_declaree=r.cotation_declaree,
            cotation_instruite=r.cotation_instruite,
            observations="",
            date_debut=None,
            date_fin=None,
            demande={},
            propose={},
            vote={},
            quartiers=[],
        )
    lines = s.execute(
        select(
            LigneFinancement.dossier_id,
            LigneFinancement.financeur_id,
            LigneFinancement.demande_cents,
            LigneFinancement.vote_cents,
        )
        .join(Dossier, Dossier.id == LigneFinancement.dossier_id)
        .where(Dossier.campagne_id == campagne_id)
        .where(LigneFinancement.financeur_id.is_not(None))
    )
    # No proposé column: the live bar does not show it.
    _add_amounts(dossiers, ((d, fid, dem, None, vote) for d, fid, dem, vote in lines))
    return LiveData(financeurs, enveloppes, dossiers)


def live_figures(data: LiveData) -> LiveFigures:
    """Enveloppes (voté, reste, dépassement) and € per cotation F/H of the campagne: the figures of
    `SyntheseService.campagne` (same perimeters, same functions), for the comité's live bar."""
    fids = [f.id for f in data.financeurs]
    recevables = [d for d in data.dossiers.values() if d.recevable]
    retenus = [d for d in data.dossiers.values() if d.retenu]
    voted = voted_by_financeur(retenus, fids)
    enveloppes = tuple(
        EnveloppeFigures(
            financeur_id=f.id,
            code=f.code,
            nom=f.nom,
            has_enveloppe=f.id in data.enveloppes,
            enveloppe_cents=data.enveloppes.get(f.id, 0),
            vote_cents=voted[f.id],
            reste_cents=data.enveloppes.get(f.id, 0) - voted[f.id],
        )
        for f in data.financeurs
    )
    return LiveFigures(
        enveloppes=enveloppes,
        cotations=cotation_totals(recevables, retenus, fids),
        total_vote_cents=sum(voted.values()),
    )
