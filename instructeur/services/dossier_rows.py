"""The dossiers list: one `DossierRow` per dossier of a campagne with what the columns and the
filters need, in a handful of set-based queries whatever the size (no query per row); the score
columns; the porteurs directory's totals. `DossierService` inherits these reading methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, String, case, cast, func, select
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
    dossier_classement,
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
    # Nodes of the additional classifications (Saint-Omer's ambitions) the dossier is classé in,
    # each with its ancestors: the list filter « Ambition » matches an ambition or an engagement.
    classement_path: tuple[int, ...] = ()
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


# Separators of the aggregated strings: C0 controls, which stored text never holds (clean_text).
_ITEM, _FIELD = "\x1e", "\x1f"


def _pairs(*columns: Any) -> ColumnElement[Any]:
    """« a␟b␟c » of one related row, for `_aggregate`."""
    out: ColumnElement[Any] = cast(columns[0], String)
    for column in columns[1:]:
        out = out + _FIELD + cast(column, String)
    return out


def _aggregate(value: ColumnElement[Any]) -> Any:
    return func.aggregate_strings(value, _ITEM)  # group_concat (SQLite), string_agg (PostgreSQL)


def _rows_query(campagne_id: int, filtre: DossierFilter) -> Select[*tuple[Any, ...]]:
    """Every list row of a campagne in one statement: the dossier's columns, its porteur, and one
    grouped subquery per relation (each restricted to the campagne), left-joined on the dossier."""
    # Table columns, not mapped attributes: Core compilation, no ORM compile step at launch.
    dossier, ligne, porteur = Dossier.__table__.c, LigneFinancement.__table__.c, Porteur.__table__.c
    in_campagne = dossier.campagne_id == campagne_id
    lignes = (
        select(
            ligne.dossier_id.label("did"),
            func.sum(ligne.demande_cents).label("demande"),
            func.sum(ligne.vote_cents).label("vote"),
            _aggregate(
                case(
                    (
                        ligne.demande_cents != 0,
                        _pairs(ligne.position, ligne.financeur_id),
                    )
                )
            ).label("agg"),
        )
        .join(Dossier.__table__, dossier.id == ligne.dossier_id)
        .where(in_campagne, ligne.financeur_id.is_not(None))
        .group_by(ligne.dossier_id)
        .subquery()
    )

    def named(link: Any, did: Any, table: Any, key: Any) -> Any:
        return (
            select(did.label("did"), _aggregate(_pairs(table.c.id, table.c.nom)).label("agg"))
            .select_from(link)
            .join(table, table.c.id == key)
            .join(Dossier.__table__, dossier.id == did)
            .where(in_campagne)
            .group_by(did)
            .subquery()
        )

    quartiers = named(
        dossier_quartier, dossier_quartier.c.dossier_id, Quartier.__table__, dossier_quartier.c.quartier_id
    )
    labels = named(dossier_label, dossier_label.c.dossier_id, Label.__table__, dossier_label.c.label_id)
    evaluation = Evaluation.__table__
    evaluateurs = named(evaluation, evaluation.c.dossier_id, Evaluateur.__table__, evaluation.c.evaluateur_id)
    query = (
        select(
            dossier.id,
            dossier.reference,
            porteur.raison_sociale,
            dossier.intitule,
            dossier.cout_total_cents,
            dossier.statut,
            dossier.objectif_id,
            dossier.cotation_declaree,
            dossier.cotation_instruite,
            dossier.reconduite,
            dossier.porteur_id,
            dossier.decision,
            dossier.date_depot,
            lignes.c.demande,
            lignes.c.vote,
            lignes.c.agg,
            quartiers.c.agg,
            labels.c.agg,
            evaluateurs.c.agg,
        )
        .join(Porteur.__table__, porteur.id == dossier.porteur_id)
        .outerjoin(lignes, lignes.c.did == dossier.id)
        .outerjoin(quartiers, quartiers.c.did == dossier.id)
        .outerjoin(labels, labels.c.did == dossier.id)
        .outerjoin(evaluateurs, evaluateurs.c.did == dossier.id)
        .where(in_campagne)
        .order_by(dossier.reference)
    )
    if filtre.statuts:
        query = query.where(dossier.statut.in_([st.value for st in filtre.statuts]))
    if filtre.objectif_id is not None:
        query = query.where(dossier.objectif_id == filtre.objectif_id)
    if filtre.quartier_id is not None:
        query = query.where(
            dossier.id.in_(
                select(dossier_quartier.c.dossier_id).where(
                    dossier_quartier.c.quartier_id == filtre.quartier_id
                )
            )
        )
    if filtre.financeur_id is not None:
        query = query.where(
            dossier.id.in_(select(ligne.dossier_id).where(ligne.financeur_id == filtre.financeur_id))
        )
    return query


def _cadre_query(campagne_id: int) -> Select[*tuple[Any, ...]]:
    """The objectifs of the campagne's contrat (id, parent, code, titre), on the tables."""
    objectif, campagne = Objectif.__table__.c, Campagne.__table__.c
    return (
        select(objectif.id, objectif.parent_id, objectif.code, objectif.titre)
        .join(Campagne.__table__, campagne.contrat_id == objectif.contrat_id)
        .where(campagne.id == campagne_id)
    )


def _classements_query(campagne_id: int) -> Select[*tuple[Any, ...]]:
    """(dossier id, node id) of the campagne's classements in additional classifications."""
    link, dossier = dossier_classement.c, Dossier.__table__.c
    return (
        select(link.dossier_id, link.objectif_id)
        .join(Dossier.__table__, dossier.id == link.dossier_id)
        .where(dossier.campagne_id == campagne_id)
    )


def _named(items: str | None) -> tuple[tuple[int, ...], str]:
    """« id␟nom␞id␟nom » → (ids, « nom, nom ») sorted by nom (the aggregate's order is unspecified)."""
    if not items:
        return (), ""
    pairs = sorted((nom, int(i)) for i, nom in (item.split(_FIELD, 1) for item in items.split(_ITEM)))
    return tuple(i for _, i in pairs), ", ".join(nom for nom, _ in pairs)


def _financeurs(items: str | None) -> tuple[int, ...]:
    """« position␟financeur␞… » → financeur ids in plan order."""
    if not items:
        return ()
    return tuple(f for _, f in sorted(tuple(map(int, item.split(_FIELD))) for item in items.split(_ITEM)))


def _build_rows(
    base: Sequence[Any],
    nodes: dict[int, tuple[int | None, str, str]],
    scores: dict[int, ListScore],
    classements: dict[int, list[int]] | None = None,
) -> list[DossierRow]:
    paths: dict[int, tuple[int, ...]] = {}

    def path_of(oid: int) -> tuple[int, ...]:
        found = paths.get(oid)
        if found is None:
            parent = nodes[oid][0] if oid in nodes else None
            found = (path_of(parent) if parent is not None and parent in nodes else ()) + (oid,)
            paths[oid] = found
        return found

    # Per objectif: (code, titre, path, axe id, axe code); quartiers, labels and évaluateurs
    # strings repeat from row to row, so each distinct one is parsed once.
    cadre: dict[int | None, tuple[str | None, str | None, tuple[int, ...], int | None, str | None]] = {
        None: (None, None, (), None, None)
    }
    for oid in nodes:
        path = path_of(oid)
        cadre[oid] = (nodes[oid][1], nodes[oid][2], path, path[0], nodes[path[0]][1])
    named: dict[str | None, tuple[tuple[int, ...], str]] = {}
    financeurs: dict[str | None, tuple[int, ...]] = {}
    statuts: dict[str, Statut] = {s.value: s for s in Statut}
    no_score = ListScore(None, None, False, None)
    out = []
    for r in base:
        did = r[0]
        code, titre, path, axe_id, axe_code = cadre.get(r[6], cadre[None])
        q, lab, ev, fin = r[16], r[17], r[18], r[15]
        qs = named.get(q) or named.setdefault(q, _named(q))
        ls = named.get(lab) or named.setdefault(lab, _named(lab))
        es = named.get(ev) or named.setdefault(ev, _named(ev))
        fs = financeurs.get(fin)
        if fs is None:
            fs = financeurs[fin] = _financeurs(fin)
        score = scores.get(did, no_score)
        out.append(
            DossierRow(
                id=did,
                reference=r[1],
                porteur=r[2],
                intitule=r[3],
                quartiers=qs[1],
                demande_cents=int(r[13] or 0),
                cout_total_cents=r[4],
                statut=statuts[r[5]],
                objectif_code=code,
                cotation_declaree=r[7],
                cotation_instruite=r[8],
                reconduite=bool(r[9]),
                vote_cents=None if r[14] is None else int(r[14]),
                porteur_id=r[10],
                decision=statuts[r[11]] if r[11] else None,
                objectif_id=r[6],
                objectif_titre=titre,
                objectif_path=path,
                axe_id=axe_id,
                axe_code=axe_code,
                quartier_ids=qs[0],
                financeur_ids=fs,
                label_ids=ls[0],
                labels=ls[1],
                evaluateur_ids=es[0],
                evaluateurs=es[1],
                date_depot=r[12],
                score=score.score,
                score_spread=score.score_spread,
                disagreement=score.disagreement,
                rank=score.rank,
                classement_path=tuple(
                    n for oid in (classements or {}).get(did, ()) if oid in nodes for n in path_of(oid)
                ),
            )
        )
    return out


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

        One Core query gives every row with its money sums (integer sums in SQL) and its quartiers,
        labels, évaluateurs and financeurs (aggregated strings); the cadre of the contrat and the
        scores (computed in Python) are read apart.
        """
        filtre = filtre or DossierFilter()
        with self.db.session() as s:
            conn = s.connection()  # Core rows: no ORM result layer for thousands of tuples
            base = conn.execute(_rows_query(campagne_id, filtre)).all()
            nodes: dict[int, tuple[int | None, str, str]] = {
                oid: (parent, code, titre)
                for oid, parent, code, titre in conn.execute(_cadre_query(campagne_id))
            }
            has_evaluations = any(r[18] for r in base)
            scores = _list_scores(s, campagne_id, normalise) if with_scores and has_evaluations else {}
            classements: dict[int, list[int]] = {}
            for did, oid in conn.execute(_classements_query(campagne_id)):
                classements.setdefault(did, []).append(oid)
        return _build_rows(base, nodes, scores, classements)

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
