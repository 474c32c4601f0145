"""The one aggregation service of a campagne: dashboard, Excel synthesis sheets, relevé de décisions.

`SyntheseService(db).campagne(campagne_id)` returns a `SyntheseCampagne` (frozen dataclasses, money
in integer cents, sums done in Python over integers read from the database — never SQL sums on
floating point, see P9), and `programmation_rows(campagne_id)` the rows of the tableau de
programmation. Both read everything in one transaction with a handful of queries.

Perimeters (the same everywhere, so that every figure of every screen and sheet agrees):

* **demandé / proposé** (and the coût total): dossiers that passed the recevabilité, i.e. every
  statut except « Déposé », « Incomplet » and « Irrecevable » (`RECEVABLES`);
* **voté**: dossiers retenus by a comité — decision « retenu » and statut retenu, notifié, soldé
  or non réalisé (`RETENUS`); the amounts are the lines' `vote_cents`;
* the **tableau de programmation** lists the dossiers that went to a comité or beyond
  (`AU_COMITE`), or every recevable dossier for the provisional table (`include_all=True`).

Money per **axe** goes to the top-level node of the cadre stratégique the dossier's main objectif
belongs to (« Non rattaché » when the dossier has no objectif).

Money per **quartier**: a dossier on several quartiers is split equally between them, to the cent,
the remainder going to the first quartier in French alphabetical order (`split_equally`), so
that the sheet's column adds up to the campagne total. Dossiers without a quartier form their
own line. The split is done per financeur, and the totals are the sum of the financeurs' shares.

Money per **cotation égalité F/H** (DESIGN.md §6, « € demandés and € votés per level, before and
after the comité »): demandé « à l'entrée » is classed by the cotation déclarée by the porteur
(the instruite one when none was declared), voté « à la sortie » by the cotation instruite (the
déclarée one when the instruction gave none); « non cotée » when neither exists.

Score (programmation rows): the grille's one computation, `instructeur.domain.scoring` over the
notation service's loading (`load_scores`): weighted total /20 of each évaluation counted (no
conflict of interest, every weighted criterion scored), mean over them, exact, rounded half-up to
2 decimals for display. None when the dossier has no counted évaluation (an incomplete évaluation
does not count).

With `financeur_code`, every amount is restricted to that financeur's lines and every count to the
dossiers where it is asked (demandé > 0) or votes (voté > 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain import scoring
from instructeur.domain.money import percent
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.errors import NotFoundError
from instructeur.services.notation import load_scores, scored_evaluations
from instructeur.storage.db import Database
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

__all__ = [
    "AU_COMITE",
    "COTATION_LABELS",
    "RECEVABLES",
    "RETENUS",
    "AxeSynthese",
    "CotationSynthese",
    "FinanceurSynthese",
    "Montants",
    "NatureSynthese",
    "ProgrammationRow",
    "QuartierSynthese",
    "StatutCount",
    "SyntheseCampagne",
    "SyntheseService",
    "Totaux",
    "cotation_totals",
    "live_figures",
    "load_live",
    "split_equally",
    "voted_by_financeur",
]

NON_RECEVABLES = frozenset({Statut.DEPOSE, Statut.INCOMPLET, Statut.IRRECEVABLE})
RECEVABLES = frozenset(Statut) - NON_RECEVABLES
AU_COMITE = frozenset(
    {
        Statut.EN_COMITE,
        Statut.RETENU,
        Statut.AJOURNE,
        Statut.REFUSE,
        Statut.NOTIFIE,
        Statut.SOLDE,
        Statut.NON_REALISE,
    }
)
# Statuts where a dossier whose decision is « retenu » counts as voted.
RETENUS = frozenset({Statut.RETENU, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE})

COTATION_LABELS: dict[int | None, str] = {
    0: "0 — l'égalité F/H n'est pas un objectif",
    1: "1 — objectif significatif",
    2: "2 — objectif principal",
    None: "Non cotée",
}
QUARTIER_TYPE_LABELS = {
    "qpv": "QPV",
    "veille": "Quartier de veille",
    "vecu": "Quartier vécu",
    "fragile": "Quartier fragile",
}
SANS_AXE = "Non rattaché"
SANS_QUARTIER = "Sans quartier renseigné"


def cotation_label(level: int | None) -> str:
    return COTATION_LABELS.get(level, f"Niveau {level}")


def split_equally(cents: int, parts: int) -> list[int]:
    """`cents` split in `parts` equal shares to the cent; the remainder goes to the first share.

    >>> split_equally(1001, 2)
    [501, 500]
    """
    if parts <= 0:
        return []
    base, remainder = divmod(cents, parts)
    return [base + remainder] + [base] * (parts - 1)


def is_retenu(statut: Statut, decision: Statut | None) -> bool:
    """Does the dossier count as voted (decision « retenu », statut retenu or after)?"""
    return decision is Statut.RETENU and statut in RETENUS


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Montants:
    demande_cents: int = 0
    vote_cents: int = 0


@dataclass(frozen=True)
class StatutCount:
    statut: Statut
    label: str
    nombre: int


@dataclass(frozen=True)
class FinanceurSynthese:
    financeur_id: int
    code: str
    nom: str
    type: str
    enveloppe_cents: int  # 0 when the campagne has no enveloppe for this financeur
    demande_cents: int
    propose_cents: int
    vote_cents: int
    reste_cents: int  # enveloppe − voté (negative when the enveloppe is exceeded)
    taux_utilisation: Decimal | None  # voté / enveloppe in %, None without enveloppe
    nb_dossiers_demande: int
    nb_dossiers_vote: int


@dataclass(frozen=True)
class AxeSynthese:
    objectif_id: int | None  # None: dossiers without objectif (« Non rattaché »)
    code: str
    titre: str
    nb_dossiers: int  # recevables
    nb_retenus: int
    par_financeur: Mapping[str, Montants]  # by financeur code
    total: Montants


@dataclass(frozen=True)
class QuartierSynthese:
    quartier_id: int | None  # None: dossiers without quartier
    code: str | None
    nom: str
    type: str | None
    type_label: str
    nb_dossiers: int  # recevables touching the quartier (counted once in each quartier)
    nb_retenus: int
    demande_cents: int  # shares (split equally between a dossier's quartiers)
    vote_cents: int
    par_financeur: Mapping[str, Montants]


@dataclass(frozen=True)
class CotationSynthese:
    niveau: int | None
    label: str
    nb_entree: int
    demande_entree_cents: int  # by cotation déclarée, else instruite
    nb_sortie: int
    vote_sortie_cents: int  # by cotation instruite, else déclarée


@dataclass(frozen=True)
class NatureSynthese:
    reconduite: bool
    label: str  # « Nouvelle » / « Reconduite »
    nb_dossiers: int
    nb_retenus: int
    demande_cents: int
    vote_cents: int


@dataclass(frozen=True)
class Totaux:
    nb_dossiers: int  # every dossier of the campagne (every statut)
    nb_recevables: int
    nb_au_comite: int
    nb_retenus: int
    cout_total_cents: int  # recevables
    demande_cents: int
    propose_cents: int
    vote_cents: int


@dataclass(frozen=True)
class SyntheseCampagne:
    campagne_id: int
    annee: int
    libelle: str
    contrat_id: int
    contrat_nom: str
    financeur_code: str | None  # the filter, when the synthesis is one financeur's
    statuts: tuple[StatutCount, ...]  # every statut of the life cycle, in its order (0 included)
    financeurs: tuple[FinanceurSynthese, ...]
    axes: tuple[AxeSynthese, ...]
    quartiers: tuple[QuartierSynthese, ...]
    cotations: tuple[CotationSynthese, ...]
    natures: tuple[NatureSynthese, ...]  # nouvelle, then reconduite
    totaux: Totaux


@dataclass(frozen=True)
class ProgrammationRow:
    dossier_id: int
    reference: str
    porteur: str
    siret: str | None
    intitule: str
    axe_code: str
    axe_titre: str
    objectif_code: str
    objectif_titre: str
    quartiers: str  # names, « , »-separated, French order
    reconduite: bool
    nature_label: str  # « Nouvelle » / « Reconduite »
    cout_total_cents: int
    demande: Mapping[str, int]  # by financeur code (0 when not asked)
    vote: Mapping[str, int | None]  # by financeur code (None when nothing voted yet)
    total_demande_cents: int
    total_vote_cents: int | None  # None when no vote is recorded on any line
    taux: Decimal | None  # total voté / coût total, in % (2 decimals)
    cotation: int | None  # instruite, else déclarée
    cotation_label: str
    score: Decimal | None  # /20, 2 decimals
    statut: Statut
    statut_label: str
    decision: Statut | None
    decision_label: str  # the decision, else the statut (« En comité »)
    observations: str
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass(frozen=True)
class FinanceurRef:
    id: int
    code: str
    nom: str
    type: str


# --- Internal loading ------------------------------------------------------------------------


@dataclass
class _Dossier:
    id: int
    reference: str
    porteur: str
    siret: str | None
    intitule: str
    objectif_id: int | None
    reconduite: bool
    cout_total_cents: int
    statut: Statut
    decision: Statut | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    observations: str
    date_debut: date | None
    date_fin: date | None
    demande: dict[int, int]
    propose: dict[int, int]
    vote: dict[int, int | None]
    quartiers: list[tuple[int, str]]

    @property
    def recevable(self) -> bool:
        return self.statut in RECEVABLES

    @property
    def retenu(self) -> bool:
        return is_retenu(self.statut, self.decision)


@dataclass
class _Loaded:
    campagne: Campagne
    contrat_nom: str
    financeurs: list[FinanceurRef]
    enveloppes: dict[int, int]
    objectifs: dict[int, Objectif]
    order: dict[int, int]  # objectif id → depth-first position
    roots: dict[int, int]  # objectif id → id of its top-level node
    quartiers: dict[int, Quartier]
    dossiers: list[_Dossier]


class SyntheseService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # Public API

    def financeurs(self, campagne_id: int) -> list[FinanceurRef]:
        """The financeurs of the campagne's contrat, in their order."""
        with self.db.session() as s:
            campagne = _campagne(s, campagne_id)
            return _financeurs(s, campagne.contrat_id)

    def campagne(self, campagne_id: int, financeur_code: str | None = None) -> SyntheseCampagne:
        with self.db.session() as s:
            data = _load(s, campagne_id)
        selected = _select_financeurs(data.financeurs, financeur_code)
        return _synthese(data, selected, financeur_code)

    def programmation_rows(
        self, campagne_id: int, financeur_code: str | None = None, *, include_all: bool = False
    ) -> list[ProgrammationRow]:
        """One row per dossier that went to a comité or beyond (every recevable one with
        `include_all`), ordered by axe, objectif, then référence; with `financeur_code`, only the
        dossiers where that financeur is asked or votes."""
        with self.db.session() as s:
            data = _load(s, campagne_id)
            scores = _scores(s, campagne_id)
        selected = _select_financeurs(data.financeurs, financeur_code)
        wanted = RECEVABLES if include_all else AU_COMITE
        rows: list[ProgrammationRow] = []
        codes = {f.id: f.code for f in data.financeurs}
        for d in sorted(data.dossiers, key=lambda d: _dossier_order(data, d)):
            if d.statut not in wanted:
                continue
            if financeur_code is not None and not _concerns(d, selected[0].id):
                continue
            rows.append(_row(data, d, codes, scores.get(d.id)))
        return rows


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


def _load(s: Session, campagne_id: int) -> _Loaded:
    campagne = _campagne(s, campagne_id)
    contrat_nom = s.scalar(select(Contrat.nom).where(Contrat.id == campagne.contrat_id)) or ""
    financeurs = _financeurs(s, campagne.contrat_id)
    enveloppes: dict[int, int] = {}
    for env_fid, cents in s.execute(
        select(Enveloppe.financeur_id, Enveloppe.montant_cents).where(Enveloppe.campagne_id == campagne_id)
    ):
        enveloppes[env_fid] = enveloppes.get(env_fid, 0) + int(cents or 0)

    objectifs = {  # the main cadre: additional classifications are synthesised apart (synthese_classements)
        o.id: o
        for o in s.scalars(
            select(Objectif).where(
                Objectif.contrat_id == campagne.contrat_id, Objectif.classification_id.is_(None)
            )
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

    quartiers = {
        q.id: q for q in s.scalars(select(Quartier).where(Quartier.contrat_id == campagne.contrat_id))
    }

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
        decision = _statut_or_none(r.decision)
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
            decision=decision,
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

    ids_in_campagne = select(Dossier.id).where(Dossier.campagne_id == campagne_id)
    for dossier_id, fid, demande, propose, vote in s.execute(
        select(
            LigneFinancement.dossier_id,
            LigneFinancement.financeur_id,
            LigneFinancement.demande_cents,
            LigneFinancement.propose_cents,
            LigneFinancement.vote_cents,
        )
        .where(LigneFinancement.dossier_id.in_(ids_in_campagne))
        .where(LigneFinancement.financeur_id.is_not(None))
    ):
        if fid is None:
            continue
        d = dossiers[dossier_id]
        d.demande[fid] = d.demande.get(fid, 0) + int(demande or 0)
        if propose is not None:
            d.propose[fid] = d.propose.get(fid, 0) + int(propose)
        if vote is not None:
            d.vote[fid] = (d.vote.get(fid) or 0) + int(vote)

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

    s.expunge_all()
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


# --- Aggregation ------------------------------------------------------------------------------


@dataclass
class _Acc:
    """Running totals of a synthesis line: counts, and demandé / voté per financeur id."""

    n: int
    r: int
    dem: dict[int, int]
    vot: dict[int, int]

    @classmethod
    def of(cls, fids: list[int]) -> _Acc:
        return cls(0, 0, dict.fromkeys(fids, 0), dict.fromkeys(fids, 0))

    def add(
        self,
        d: _Dossier,
        fids: list[int],
        demande: Callable[[_Dossier, int], int],
        vote: Callable[[_Dossier, int], int],
    ) -> None:
        self.n += 1
        self.r += 1 if d.retenu else 0
        for fid in fids:
            self.dem[fid] += demande(d, fid)
            self.vot[fid] += vote(d, fid)

    def par_financeur(self, codes: dict[int, str]) -> dict[str, Montants]:
        return {codes[fid]: Montants(self.dem[fid], self.vot[fid]) for fid in self.dem}


def _concerns(d: _Dossier, financeur_id: int) -> bool:
    return d.demande.get(financeur_id, 0) > 0 or (d.vote.get(financeur_id) or 0) > 0


def _axe_of(data: _Loaded, d: _Dossier) -> Objectif | None:
    if d.objectif_id is None or d.objectif_id not in data.roots:
        return None
    return data.objectifs[data.roots[d.objectif_id]]


def _dossier_order(data: _Loaded, d: _Dossier) -> tuple[int, int, object]:
    axe = _axe_of(data, d)
    big = len(data.order) + 1
    return (
        data.order[axe.id] if axe is not None else big,
        data.order.get(d.objectif_id, big) if d.objectif_id is not None else big,
        sort_key(d.reference),
    )


def _sum(values: Iterable[int | None]) -> int:
    return sum(v or 0 for v in values)


def _synthese(data: _Loaded, selected: list[FinanceurRef], financeur_code: str | None) -> SyntheseCampagne:
    fids = [f.id for f in selected]
    codes = {f.id: f.code for f in selected}
    if financeur_code is None:
        dossiers = data.dossiers
    else:
        dossiers = [d for d in data.dossiers if _concerns(d, fids[0])]
    recevables = [d for d in dossiers if d.recevable]
    retenus = [d for d in dossiers if d.retenu]

    def demande(d: _Dossier, fid: int) -> int:
        return d.demande.get(fid, 0) if d.recevable else 0

    def vote(d: _Dossier, fid: int) -> int:
        return (d.vote.get(fid) or 0) if d.retenu else 0

    # Statuts
    per_statut = {st: 0 for st in Statut}
    for d in dossiers:
        per_statut[d.statut] += 1
    statuts = tuple(StatutCount(st, st.label, n) for st, n in per_statut.items())

    # Financeurs
    financeurs = []
    for f in selected:
        enveloppe = data.enveloppes.get(f.id, 0)
        voted = voted_by_financeur(retenus, [f.id])[f.id]
        financeurs.append(
            FinanceurSynthese(
                financeur_id=f.id,
                code=f.code,
                nom=f.nom,
                type=f.type,
                enveloppe_cents=enveloppe,
                demande_cents=sum(demande(d, f.id) for d in recevables),
                propose_cents=sum(d.propose.get(f.id, 0) for d in recevables),
                vote_cents=voted,
                reste_cents=enveloppe - voted,
                taux_utilisation=percent(voted, enveloppe),
                nb_dossiers_demande=sum(1 for d in recevables if d.demande.get(f.id, 0) > 0),
                nb_dossiers_vote=sum(1 for d in retenus if (d.vote.get(f.id) or 0) > 0),
            )
        )

    # Axes
    axes_acc: dict[int | None, _Acc] = {}
    for d in recevables:
        axe = _axe_of(data, d)
        acc = axes_acc.setdefault(axe.id if axe is not None else None, _Acc.of(fids))
        acc.add(d, fids, demande, vote)
    axes = []
    roots = sorted(
        (o for o in data.objectifs.values() if data.roots.get(o.id) == o.id), key=lambda o: data.order[o.id]
    )
    keys: list[int | None] = [o.id for o in roots]
    if None in axes_acc:
        keys.append(None)
    for key in keys:
        acc = axes_acc.get(key) or _Acc.of(fids)
        node = data.objectifs[key] if key is not None else None
        axes.append(
            AxeSynthese(
                objectif_id=key,
                code=node.code if node else "",
                titre=node.titre if node else SANS_AXE,
                nb_dossiers=acc.n,
                nb_retenus=acc.r,
                par_financeur=acc.par_financeur(codes),
                total=Montants(sum(acc.dem.values()), sum(acc.vot.values())),
            )
        )

    # Quartiers (equal split, remainder on the first quartier)
    q_acc: dict[int | None, _Acc] = {}
    for d in recevables:
        qkeys: list[int | None] = [qid for qid, _ in d.quartiers] or [None]
        for key in qkeys:
            acc = q_acc.setdefault(key, _Acc.of(fids))
            acc.n += 1
            acc.r += 1 if d.retenu else 0
        for fid in fids:
            for key, share in zip(qkeys, split_equally(demande(d, fid), len(qkeys)), strict=True):
                q_acc[key].dem[fid] += share
            for key, share in zip(qkeys, split_equally(vote(d, fid), len(qkeys)), strict=True):
                q_acc[key].vot[fid] += share
    quartiers = []
    ordered_q = sorted(data.quartiers.values(), key=lambda q: (q.type != "qpv", sort_key(q.nom)))
    entries: list[tuple[Quartier | None, _Acc]] = [(q, q_acc.get(q.id) or _Acc.of(fids)) for q in ordered_q]
    if None in q_acc:
        entries.append((None, q_acc[None]))
    for q, acc in entries:
        quartiers.append(
            QuartierSynthese(
                quartier_id=q.id if q else None,
                code=q.code if q else None,
                nom=q.nom if q else SANS_QUARTIER,
                type=q.type if q else None,
                type_label=QUARTIER_TYPE_LABELS.get(q.type, q.type) if q else "",
                nb_dossiers=acc.n,
                nb_retenus=acc.r,
                demande_cents=sum(acc.dem.values()),
                vote_cents=sum(acc.vot.values()),
                par_financeur=acc.par_financeur(codes),
            )
        )

    # Cotation F/H: entrée by déclarée (else instruite), sortie by instruite (else déclarée)
    cotations = cotation_totals(recevables, retenus, fids)

    # Nouvelle / reconduite
    natures = tuple(
        NatureSynthese(
            reconduite=flag,
            label="Reconduite" if flag else "Nouvelle",
            nb_dossiers=sum(1 for d in recevables if d.reconduite is flag),
            nb_retenus=sum(1 for d in retenus if d.reconduite is flag),
            demande_cents=sum(demande(d, fid) for d in recevables if d.reconduite is flag for fid in fids),
            vote_cents=sum(vote(d, fid) for d in retenus if d.reconduite is flag for fid in fids),
        )
        for flag in (False, True)
    )

    totaux = Totaux(
        nb_dossiers=len(dossiers),
        nb_recevables=len(recevables),
        nb_au_comite=sum(1 for d in dossiers if d.statut in AU_COMITE),
        nb_retenus=len(retenus),
        cout_total_cents=sum(d.cout_total_cents for d in recevables),
        demande_cents=sum(f.demande_cents for f in financeurs),
        propose_cents=sum(f.propose_cents for f in financeurs),
        vote_cents=sum(f.vote_cents for f in financeurs),
    )
    return SyntheseCampagne(
        campagne_id=data.campagne.id,
        annee=data.campagne.annee,
        libelle=data.campagne.libelle,
        contrat_id=data.campagne.contrat_id,
        contrat_nom=data.contrat_nom,
        financeur_code=selected[0].code if financeur_code is not None else None,
        statuts=statuts,
        financeurs=tuple(financeurs),
        axes=tuple(axes),
        quartiers=tuple(quartiers),
        cotations=cotations,
        natures=natures,
        totaux=totaux,
    )


# --- Shared rules (also the live bar of a comité séance) --------------------------------------


def voted_by_financeur(retenus: Iterable[_Dossier], fids: list[int]) -> dict[int, int]:
    """Σ voté per financeur over the dossiers that count as voted (`_Dossier.retenu`)."""
    totals = dict.fromkeys(fids, 0)
    for d in retenus:
        if not d.retenu:
            continue
        for fid in fids:
            totals[fid] += d.vote.get(fid) or 0
    return totals


def cotation_totals(
    recevables: Iterable[_Dossier], retenus: Iterable[_Dossier], fids: list[int]
) -> tuple[CotationSynthese, ...]:
    """€ per cotation F/H level: demandé at the entry (recevables, by cotation déclarée, else
    instruite) and voté at the exit (retenus, by cotation instruite, else déclarée)."""
    entree: dict[int | None, list[int]] = {}
    sortie: dict[int | None, list[int]] = {}
    for d in recevables:
        level = d.cotation_declaree if d.cotation_declaree is not None else d.cotation_instruite
        acc = entree.setdefault(level, [0, 0])
        acc[0] += 1
        acc[1] += sum(d.demande.get(fid, 0) for fid in fids) if d.recevable else 0
    for d in retenus:
        level = d.cotation_instruite if d.cotation_instruite is not None else d.cotation_declaree
        acc = sortie.setdefault(level, [0, 0])
        acc[0] += 1
        acc[1] += sum(d.vote.get(fid) or 0 for fid in fids) if d.retenu else 0
    levels = sorted({0, 1, 2} | {lv for lv in (*entree, *sortie) if lv is not None})
    return tuple(
        CotationSynthese(
            niveau=level,
            label=cotation_label(level),
            nb_entree=entree.get(level, [0, 0])[0],
            demande_entree_cents=entree.get(level, [0, 0])[1],
            nb_sortie=sortie.get(level, [0, 0])[0],
            vote_sortie_cents=sortie.get(level, [0, 0])[1],
        )
        for level in [*levels, None]
    )


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
    enveloppes: dict[int, int] = {}
    for env_fid, cents in s.execute(
        select(Enveloppe.financeur_id, Enveloppe.montant_cents).where(Enveloppe.campagne_id == campagne_id)
    ):
        enveloppes[env_fid] = enveloppes.get(env_fid, 0) + int(cents or 0)
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
    for dossier_id, fid, demande, vote in s.execute(
        select(
            LigneFinancement.dossier_id,
            LigneFinancement.financeur_id,
            LigneFinancement.demande_cents,
            LigneFinancement.vote_cents,
        )
        .join(Dossier, Dossier.id == LigneFinancement.dossier_id)
        .where(Dossier.campagne_id == campagne_id)
        .where(LigneFinancement.financeur_id.is_not(None))
    ):
        if fid is None:
            continue
        d = dossiers[dossier_id]
        d.demande[fid] = d.demande.get(fid, 0) + int(demande or 0)
        if vote is not None:
            d.vote[fid] = (d.vote.get(fid) or 0) + int(vote)
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


def _row(data: _Loaded, d: _Dossier, codes: dict[int, str], score: Decimal | None) -> ProgrammationRow:
    axe = _axe_of(data, d)
    objectif = data.objectifs.get(d.objectif_id) if d.objectif_id is not None else None
    demande = {code: d.demande.get(fid, 0) for fid, code in codes.items()}
    vote = {code: d.vote.get(fid) for fid, code in codes.items()}
    total_demande = _sum(demande.values())
    voted = [v for v in vote.values() if v is not None]
    total_vote = sum(voted) if voted else None
    cotation = d.cotation_instruite if d.cotation_instruite is not None else d.cotation_declaree
    return ProgrammationRow(
        dossier_id=d.id,
        reference=d.reference,
        porteur=d.porteur,
        siret=d.siret,
        intitule=d.intitule,
        axe_code=axe.code if axe else "",
        axe_titre=axe.titre if axe else SANS_AXE,
        objectif_code=objectif.code if objectif else "",
        objectif_titre=objectif.titre if objectif else "",
        quartiers=", ".join(nom for _, nom in d.quartiers),
        reconduite=d.reconduite,
        nature_label="Reconduite" if d.reconduite else "Nouvelle",
        cout_total_cents=d.cout_total_cents,
        demande=demande,
        vote=vote,
        total_demande_cents=total_demande,
        total_vote_cents=total_vote,
        taux=percent(total_vote, d.cout_total_cents) if total_vote is not None else None,
        cotation=cotation,
        cotation_label=cotation_label(cotation),
        score=score,
        statut=d.statut,
        statut_label=d.statut.label,
        decision=d.decision,
        decision_label=d.decision.label if d.decision is not None else d.statut.label,
        observations=d.observations,
        date_debut=d.date_debut,
        date_fin=d.date_fin,
    )
