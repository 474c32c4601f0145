"""The dossiers list: one `DossierRow` per dossier of a campagne with what the columns and the
filters need, in a handful of set-based queries whatever the size (no query per row); the score
columns; the porteurs directory's totals. `DossierService` inherits these reading methods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.domain import scoring
from instructeur.domain.statuts import Statut
from instructeur.services.notation import load_scores, normalised, scored_evaluations
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Dossier,
    Evaluateur,
    Evaluation,
    Label,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    dossier_label,
    dossier_quartier,
)


@dataclass(frozen=True)
class DossierRow:
    """One line of the dossiers list, with what its columns and filters need (ids, not objects)."""

    id: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    demande_cents: int
    cout_total_cents: int
    statut: Statut
    objectif_code: str | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    reconduite: bool
    vote_cents: int | None
    porteur_id: int = 0
    decision: Statut | None = None
    objectif_id: int | None = None
    objectif_titre: str | None = None
    # The objectif and its ancestors, root first: path[0] is the axe (top-level node of the cadre).
    objectif_path: tuple[int, ...] = ()
    axe_id: int | None = None
    axe_code: str | None = None
    quartier_ids: tuple[int, ...] = ()
    financeur_ids: tuple[int, ...] = ()  # financeurs asked for a non-zero amount
    label_ids: tuple[int, ...] = ()
    labels: str = ""
    evaluateur_ids: tuple[int, ...] = ()
    evaluateurs: str = ""
    # Grille d'analyse (NotationService.scores): exact mean /20 of the counted évaluations (None:
    # none counted), spread max − min, disagreement flag, competition rank in the whole campagne.
    score: Fraction | None = None
    date_depot: date | None = None
    score_spread: Fraction | None = None
    disagreement: bool = False
    rank: int | None = None

    @property
    def cotation(self) -> int | None:
        """The cotation F/H that counts: the instructeur's, else the porteur's declaration."""
        return self.cotation_instruite if self.cotation_instruite is not None else self.cotation_declaree

    @property
    def cotation_gap(self) -> bool:
        """The porteur's declared cotation F/H differs from the instructed one."""
        return (
            self.cotation_declaree is not None
            and self.cotation_instruite is not None
            and self.cotation_declaree != self.cotation_instruite
        )


@dataclass(frozen=True)
class DossierFilter:
    statuts: frozenset[Statut] = frozenset()
    quartier_id: int | None = None
    financeur_id: int | None = None
    objectif_id: int | None = None


class ListScore(NamedTuple):
    """The score fields of a `DossierRow`."""

    score: Fraction | None
    score_spread: Fraction | None
    disagreement: bool
    rank: int | None


def _list_scores(s: Session, campagne_id: int, normalise: bool) -> dict[int, ListScore]:
    """Scores with the notation service's loading and arithmetic (`NotationService.scores`): four
    queries for the whole campagne; ranked over the whole campagne whatever the filter."""
    loaded = load_scores(s, campagne_id=campagne_id)
    evaluated = {did: scored_evaluations(loaded, did) for did in loaded.evaluations}
    if normalise:
        evaluated = normalised(evaluated)
    aggregates = {did: scoring.aggregate(scored) for did, (scored, _) in evaluated.items()}
    ranks = scoring.rank({did: a.score for did, a in aggregates.items()})
    return {
        did: ListScore(a.score, a.spread, a.disagreement, ranks.get(did)) for did, a in aggregates.items()
    }


class DossierListing:
    """The reading side of `DossierService` for lists (needs `self.db`)."""

    db: Database

    def list_rows(
        self,
        campagne_id: int,
        filtre: DossierFilter | None = None,
        *,
        normalise: bool = False,
        with_scores: bool = True,
    ) -> list[DossierRow]:
        """The dossiers of a campagne in référence order (`normalise`: scores z-score normalised
        per évaluateur, see `notation.normalised`; `with_scores=False` leaves them out, for a
        first paint that `list_scores` completes).

        A handful of set-based queries whatever the size (dossiers, financement lines, quartiers,
        labels, évaluations, the cadre): no query per row.
        """
        filtre = filtre or DossierFilter()
        with self.db.session() as s:
            query = (
                select(
                    Dossier.id,
                    Dossier.reference,
                    Porteur.raison_sociale,
                    Dossier.intitule,
                    Dossier.cout_total_cents,
                    Dossier.statut,
                    Dossier.objectif_id,
                    Dossier.cotation_declaree,
                    Dossier.cotation_instruite,
                    Dossier.reconduite,
                    Dossier.porteur_id,
                    Dossier.decision,
                    Dossier.date_depot,
                )
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .where(Dossier.campagne_id == campagne_id)
                .order_by(Dossier.reference)
            )
            if filtre.statuts:
                query = query.where(Dossier.statut.in_([st.value for st in filtre.statuts]))
            if filtre.objectif_id is not None:
                query = query.where(Dossier.objectif_id == filtre.objectif_id)
            if filtre.quartier_id is not None:
                query = query.where(
                    Dossier.id.in_(
                        select(dossier_quartier.c.dossier_id).where(
                            dossier_quartier.c.quartier_id == filtre.quartier_id
                        )
                    )
                )
            if filtre.financeur_id is not None:
                query = query.where(
                    Dossier.id.in_(
                        select(LigneFinancement.dossier_id).where(
                            LigneFinancement.financeur_id == filtre.financeur_id
                        )
                    )
                )
            base = s.execute(query).all()
            # Side queries cover the whole campagne (a join on campagne_id is cheaper than an IN
            # list); rows a filter left out are simply not looked up.
            in_campagne = select(Dossier.id).where(Dossier.campagne_id == campagne_id)
            demandes: dict[int, int] = {}
            votes: dict[int, int] = {}
            financeurs: dict[int, list[int]] = {}
            for dossier_id, financeur_id, demande, vote in s.execute(
                select(
                    LigneFinancement.dossier_id,
                    LigneFinancement.financeur_id,
                    LigneFinancement.demande_cents,
                    LigneFinancement.vote_cents,
                )
                .where(LigneFinancement.dossier_id.in_(in_campagne))
                .where(LigneFinancement.financeur_id.is_not(None))
                .order_by(LigneFinancement.dossier_id, LigneFinancement.position, LigneFinancement.id)
            ):
                demandes[dossier_id] = demandes.get(dossier_id, 0) + int(demande or 0)
                if vote is not None:
                    votes[dossier_id] = votes.get(dossier_id, 0) + int(vote)
                if demande and financeur_id is not None:
                    financeurs.setdefault(dossier_id, []).append(financeur_id)
            quartiers: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, quartier_id, nom in s.execute(
                select(dossier_quartier.c.dossier_id, Quartier.id, Quartier.nom)
                .join(Quartier, Quartier.id == dossier_quartier.c.quartier_id)
                .where(dossier_quartier.c.dossier_id.in_(in_campagne))
                .order_by(Quartier.nom)
            ):
                quartiers.setdefault(dossier_id, []).append((quartier_id, nom))
            labels: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, label_id, nom in s.execute(
                select(dossier_label.c.dossier_id, Label.id, Label.nom)
                .join(Label, Label.id == dossier_label.c.label_id)
                .where(dossier_label.c.dossier_id.in_(in_campagne))
                .order_by(Label.nom)
            ):
                labels.setdefault(dossier_id, []).append((label_id, nom))
            evaluateurs: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, evaluateur_id, nom in s.execute(
                select(Evaluation.dossier_id, Evaluateur.id, Evaluateur.nom)
                .join(Evaluateur, Evaluateur.id == Evaluation.evaluateur_id)
                .where(Evaluation.dossier_id.in_(in_campagne))
                .order_by(Evaluateur.nom)
            ):
                evaluateurs.setdefault(dossier_id, []).append((evaluateur_id, nom))
            # The cadre of the campagne's contrat: every node's path from its axe.
            nodes: dict[int, tuple[int | None, str, str]] = {
                oid: (parent, code, titre)
                for oid, parent, code, titre in s.execute(
                    select(Objectif.id, Objectif.parent_id, Objectif.code, Objectif.titre)
                    .join(Campagne, Campagne.contrat_id == Objectif.contrat_id)
                    .where(Campagne.id == campagne_id)
                )
            }
            scores = _list_scores(s, campagne_id, normalise) if with_scores and evaluateurs else {}
            paths: dict[int, tuple[int, ...]] = {}

            def path_of(oid: int) -> tuple[int, ...]:
                found = paths.get(oid)
                if found is None:
                    parent = nodes[oid][0] if oid in nodes else None
                    found = (path_of(parent) if parent is not None and parent in nodes else ()) + (oid,)
                    paths[oid] = found
                return found

            out = []
            for r in base:
                did, objectif_id = r[0], r[6]
                path = path_of(objectif_id) if objectif_id is not None and objectif_id in nodes else ()
                qs = quartiers.get(did, ())
                ls = labels.get(did, ())
                es = evaluateurs.get(did, ())
                out.append(
                    DossierRow(
                        id=did,
                        reference=r[1],
                        porteur=r[2],
                        intitule=r[3],
                        quartiers=", ".join(nom for _, nom in qs),
                        demande_cents=demandes.get(did, 0),
                        cout_total_cents=r[4],
                        statut=Statut(r[5]),
                        objectif_code=nodes[path[-1]][1] if path else None,
                        cotation_declaree=r[7],
                        cotation_instruite=r[8],
                        reconduite=bool(r[9]),
                        vote_cents=votes.get(did),
                        porteur_id=r[10],
                        decision=Statut(r[11]) if r[11] else None,
                        objectif_id=objectif_id,
                        objectif_titre=nodes[path[-1]][2] if path else None,
                        objectif_path=path,
                        axe_id=path[0] if path else None,
                        axe_code=nodes[path[0]][1] if path else None,
                        quartier_ids=tuple(qid for qid, _ in qs),
                        financeur_ids=tuple(financeurs.get(did, ())),
                        label_ids=tuple(lid for lid, _ in ls),
                        labels=", ".join(nom for _, nom in ls),
                        evaluateur_ids=tuple(eid for eid, _ in es),
                        evaluateurs=", ".join(nom for _, nom in es),
                        date_depot=r[12],
                        **(scores[did]._asdict() if did in scores else {}),
                    )
                )
            return out

    def list_scores(self, campagne_id: int, *, normalise: bool = False) -> dict[int, ListScore]:
        """The score columns of `list_rows`, alone (dossier id → values)."""
        with self.db.session() as s:
            return _list_scores(s, campagne_id, normalise)

    def totals_by_porteur(self, porteur_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
        """porteur id → (number of dossiers, total voté in cents) over every campagne (the
        porteurs directory). Two grouped queries; `None` means every porteur."""
        with self.db.session() as s:
            counts = select(Dossier.porteur_id, func.count(Dossier.id)).group_by(Dossier.porteur_id)
            voted = (
                select(Dossier.porteur_id, func.sum(LigneFinancement.vote_cents))
                .join(LigneFinancement, LigneFinancement.dossier_id == Dossier.id)
                .where(LigneFinancement.financeur_id.is_not(None))
                .group_by(Dossier.porteur_id)
            )
            if porteur_ids is not None:
                counts = counts.where(Dossier.porteur_id.in_(porteur_ids))
                voted = voted.where(Dossier.porteur_id.in_(porteur_ids))
            totals = {pid: int(v or 0) for pid, v in s.execute(voted)}
            return {pid: (int(n), totals.get(pid, 0)) for pid, n in s.execute(counts)}
