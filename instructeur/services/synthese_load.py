"""Reading a campagne for its synthesis: one transaction, a handful of queries, no SQL sums.

`_load` gives everything `SyntheseService` aggregates (cadre, quartiers, dossiers with their
financement lines); `_scores` the dossier scores of the programmation rows. Amounts are summed in
Python over the integer cents read (P9: never a SQL sum).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from instructeur.domain import scoring
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.errors import NotFoundError
from instructeur.services.notation import load_scores, scored_evaluations
from instructeur.services.synthese_types import FinanceurRef, _Dossier, _Loaded
from instructeur.storage.models import (
    Campagne,
    Contrat,
    Dossier,
    Enveloppe,
    Financeur,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    dossier_quartier,
)


def _campagne(s: Session, campagne_id: int) -> Campagne:
    campagne = s.get(Campagne, campagne_id)
    if campagne is None:
        raise NotFoundError(f"campagne {campagne_id} introuvable")
    return campagne


def _financeurs(s: Session, contrat_id: int) -> list[FinanceurRef]:
    return [
        FinanceurRef(f.id, f.code, f.nom, f.type)
        for f in s.scalars(
            select(Financeur)
            .where(Financeur.contrat_id == contrat_id)
            .order_by(Financeur.position, Financeur.id)
        )
    ]


def _select_financeurs(financeurs: list[FinanceurRef], code: str | None) -> list[FinanceurRef]:
    if code is None:
        return list(financeurs)
    for f in financeurs:
        if f.code.casefold() == code.strip().casefold():
            return [f]
    known = ", ".join(f.code for f in financeurs) or "aucun"
    raise NotFoundError(f"financeur « {code} » inconnu pour ce contrat (codes : {known})")


def _enveloppes(s: Session, campagne_id: int) -> dict[int, int]:
    """Enveloppe per financeur id (several enveloppes of one financeur add up)."""
    enveloppes: dict[int, int] = {}
    for env_fid, cents in s.execute(
        select(Enveloppe.financeur_id, Enveloppe.montant_cents).where(Enveloppe.campagne_id == campagne_id)
    ):
        enveloppes[env_fid] = enveloppes.get(env_fid, 0) + int(cents or 0)
    return enveloppes


def _cadre(s: Session, contrat_id: int) -> tuple[dict[int, Objectif], dict[int, int], dict[int, int]]:
    """The main cadre's objectifs, their depth-first position and the id of their top-level node."""
    objectifs = {  # the main cadre: additional classifications are synthesised apart (synthese_classements)
        o.id: o
        for o in s.scalars(
            select(Objectif).where(Objectif.contrat_id == contrat_id, Objectif.classification_id.is_(None))
        )
    }
    children: dict[int | None, list[Objectif]] = {}
    for o in objectifs.values():
        children.setdefault(o.parent_id if o.parent_id in objectifs else None, []).append(o)
    order: dict[int, int] = {}
    roots: dict[int, int] = {}

    def walk(parent: int | None, root: int | None) -> None:
        for o in sorted(children.get(parent, []), key=lambda o: (o.position, o.id)):
            order[o.id] = len(order)
            roots[o.id] = root if root is not None else o.id
            walk(o.id, roots[o.id])

    walk(None, None)
    return objectifs, order, roots


def _load(s: Session, campagne_id: int) -> _Loaded:
    campagne = _campagne(s, campagne_id)
    contrat_nom = s.scalar(select(Contrat.nom).where(Contrat.id == campagne.contrat_id)) or ""
    financeurs = _financeurs(s, campagne.contrat_id)
    enveloppes = _enveloppes(s, campagne_id)
    objectifs, order, roots = _cadre(s, campagne.contrat_id)
    quartiers = {
        q.id: q for q in s.scalars(select(Quartier).where(Quartier.contrat_id == campagne.contrat_id))
    }
    dossiers = _dossiers(s, campagne_id)
    ids_in_campagne = select(Dossier.id).where(Dossier.campagne_id == campagne_id)
    _add_amounts(
        dossiers,
        s.execute(
            select(
                LigneFinancement.dossier_id,
                LigneFinancement.financeur_id,
                LigneFinancement.demande_cents,
                LigneFinancement.propose_cents,
                LigneFinancement.vote_cents,
            )
            .where(LigneFinancement.dossier_id.in_(ids_in_campagne))
            .where(LigneFinancement.financeur_id.is_not(None))
        ),
    )
    _add_quartiers(s, dossiers, quartiers, ids_in_campagne)
    s.expunge_all()  # the ORM objects kept (campagne, objectifs, quartiers) outlive the session
    return _Loaded(
        campagne=campagne,
        contrat_nom=contrat_nom,
        financeurs=financeurs,
        enveloppes=enveloppes,
        objectifs=objectifs,
        order=order,
        roots=roots,
        quartiers=quartiers,
        dossiers=list(dossiers.values()),
    )


def _dossiers(s: Session, campagne_id: int) -> dict[int, _Dossier]:
    dossiers: dict[int, _Dossier] = {}
    for r in s.execute(
        select(
            Dossier.id,
            Dossier.reference,
            Porteur.raison_sociale,
            Porteur.siret,
            Dossier.intitule,
            Dossier.objectif_id,
            Dossier.reconduite,
            Dossier.cout_total_cents,
            Dossier.statut,
            Dossier.decision,
            Dossier.cotation_declaree,
            Dossier.cotation_instruite,
            Dossier.observations,
            Dossier.date_debut,
            Dossier.date_fin,
        )
        .join(Porteur, Porteur.id == Dossier.porteur_id)
        .where(Dossier.campagne_id == campagne_id)
    ):
        dossiers[r.id] = _Dossier(
            id=r.id,
            reference=r.reference,
            porteur=r.raison_sociale,
            siret=r.siret,
            intitule=r.intitule,
            objectif_id=r.objectif_id,
            reconduite=bool(r.reconduite),
            cout_total_cents=int(r.cout_total_cents or 0),
            statut=Statut(r.statut),
            decision=_statut_or_none(r.decision),
            cotation_declaree=r.cotation_declaree,
            cotation_instruite=r.cotation_instruite,
            observations=r.observations or "",
            date_debut=r.date_debut,
            date_fin=r.date_fin,
            demande={},
            propose={},
            vote={},
            quartiers=[],
        )
    return dossiers


def _add_amounts(
    dossiers: dict[int, _Dossier], lines: Iterable[tuple[int, int | None, int | None, int | None, int | None]]
) -> None:
    """Adds financement lines (dossier id, financeur id, demandé, proposé, voté) to their dossiers;
    proposé and voté stay absent until one is recorded."""
    for dossier_id, fid, demande, propose, vote in lines:
        if fid is None:
            continue
        d = dossiers[dossier_id]
        d.demande[fid] = d.demande.get(fid, 0) + int(demande or 0)
        if propose is not None:
            d.propose[fid] = d.propose.get(fid, 0) + int(propose)
        if vote is not None:
            d.vote[fid] = (d.vote.get(fid) or 0) + int(vote)


def _add_quartiers(
    s: Session, dossiers: dict[int, _Dossier], quartiers: dict[int, Quartier], ids_in_campagne: Select[int]
) -> None:
    """Each dossier's quartiers (id, nom), in French alphabetical order."""
    for dossier_id, quartier_id in s.execute(
        select(dossier_quartier.c.dossier_id, dossier_quartier.c.quartier_id).where(
            dossier_quartier.c.dossier_id.in_(ids_in_campagne)
        )
    ):
        q = quartiers.get(quartier_id)
        if q is not None:
            dossiers[dossier_id].quartiers.append((q.id, q.nom))
    for d in dossiers.values():
        d.quartiers.sort(key=lambda q: sort_key(q[1]))


def _statut_or_none(value: str | None) -> Statut | None:
    try:
        return Statut(value) if value else None
    except ValueError:
        return None


def _scores(s: Session, campagne_id: int) -> dict[int, Decimal]:
    """The dossier scores of `NotationService.scores` (same loading, same arithmetic), for display."""
    loaded = load_scores(s, campagne_id=campagne_id)
    out: dict[int, Decimal] = {}
    for dossier_id in loaded.evaluations:
        value = scoring.display(scoring.aggregate(scored_evaluations(loaded, dossier_id)[0]).score)
        if value is not None:
            out[dossier_id] = value
    return out
