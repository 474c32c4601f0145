"""Reading a comité: its rows, agenda points (set-based queries whatever the agenda's length), the
cadre's order, the porteurs' earlier funding, the live bar (`build_tableau`), and small helpers
shared by `comites.py` and `comite_decisions.py`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.domain.statuts import Statut
from instructeur.domain.text import optional_text, sort_key
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services.comite_dtos import (
    COMITE_TYPE_LABELS,
    ORDERS,
    ComiteRow,
    CotationState,
    EnveloppeState,
    FinanceurMontants,
    HistoriqueFinancement,
    MembreData,
    PointRow,
    Tableau,
)
from instructeur.services.synthese import LiveData, live_figures
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComiteConflit,
    ComiteMembre,
    ComitePoint,
    Dossier,
    Financeur,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    Suivi,
    dossier_quartier,
)

_HUNDREDTH = Decimal("0.01")


def _fold_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValidationError([f"ordre du jour : tri « {order} » inconnu ({', '.join(ORDERS)})"])


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _HUNDREDTH, rounding=ROUND_HALF_UP
    )


def _membre(comite_id: int, m: MembreData) -> ComiteMembre:
    return ComiteMembre(
        comite_id=comite_id,
        nom=m.nom.strip(),
        fonction=optional_text(m.fonction),
        financeur_id=m.financeur_id,
        present=bool(m.present),
    )


def _what(comite: Comite) -> str:
    """« Le comité des financeurs du 09/04/2026 »."""
    kind = COMITE_TYPE_LABELS.get(comite.type, "Comité").lower()
    when = f" du {comite.date_seance:%d/%m/%Y}" if comite.date_seance else f" n° {comite.id}"
    return f"Le {kind}{when}"


def load_comite(s: Session, comite_id: int) -> Comite:
    comite = s.get(Comite, comite_id)
    if comite is None:
        raise NotFoundError(f"comité {comite_id} introuvable")
    return comite


def _point(s: Session, point_id: int) -> ComitePoint:
    point = s.get(ComitePoint, point_id)
    if point is None:
        raise NotFoundError(f"point {point_id} de l'ordre du jour introuvable")
    return point


def _comite_row(c: Comite, counts: tuple[int, int]) -> ComiteRow:
    return ComiteRow(
        id=c.id,
        campagne_id=c.campagne_id,
        type=c.type,
        date_seance=c.date_seance,
        lieu=c.lieu,
        statut=c.statut,
        nb_points=counts[0],
        nb_decides=counts[1],
        version=c.version,
    )


def _point_counts(s: Session, comite_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not comite_ids:
        return {}
    return {
        cid: (int(n), int(decided or 0))
        for cid, n, decided in s.execute(
            select(ComitePoint.comite_id, func.count(), func.count(ComitePoint.decision))
            .where(ComitePoint.comite_id.in_(comite_ids))
            .group_by(ComitePoint.comite_id)
        )
    }


def _quartier_names(s: Session, dossier_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for did, nom in s.execute(
        select(dossier_quartier.c.dossier_id, Quartier.nom)
        .join(Quartier, Quartier.id == dossier_quartier.c.quartier_id)
        .where(dossier_quartier.c.dossier_id.in_(dossier_ids))
    ):
        names.setdefault(did, []).append(nom)
    for values in names.values():
        values.sort(key=sort_key)
    return names


def _conflict_names(
    s: Session, comite_id: int, dossier_ids: list[int] | None = None
) -> dict[int, tuple[str, ...]]:
    query = (
        select(ComiteConflit.dossier_id, ComiteMembre.nom)
        .join(ComiteMembre, ComiteMembre.id == ComiteConflit.membre_id)
        .where(ComiteMembre.comite_id == comite_id)
        .order_by(ComiteMembre.id)
    )
    if dossier_ids is not None:
        query = query.where(ComiteConflit.dossier_id.in_(dossier_ids))
    out: dict[int, list[str]] = {}
    for did, nom in s.execute(query):
        out.setdefault(did, []).append(nom)
    return {did: tuple(names) for did, names in out.items()}


@dataclass
class _Cadre:
    """The cadre stratégique: depth-first order of its nodes and the top-level node of each."""

    nodes: dict[int, tuple[str, str]]  # id → (code, titre)
    order: dict[int, int]
    roots: dict[int, int]

    @classmethod
    def load(cls, s: Session, contrat_id: int) -> _Cadre:
        rows = list(
            s.execute(
                select(
                    Objectif.id, Objectif.parent_id, Objectif.code, Objectif.titre, Objectif.position
                ).where(Objectif.contrat_id == contrat_id)
            )
        )
        ids = {r.id for r in rows}
        children: dict[int | None, list[Any]] = {}
        for r in rows:
            children.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
        order: dict[int, int] = {}
        roots: dict[int, int] = {}
        stack: list[tuple[Any, int | None]] = [
            (r, None) for r in sorted(children.get(None, []), key=lambda r: (r.position, r.id), reverse=True)
        ]
        while stack:
            node, root = stack.pop()
            order[node.id] = len(order)
            roots[node.id] = root if root is not None else node.id
            for child in sorted(children.get(node.id, []), key=lambda r: (r.position, r.id), reverse=True):
                stack.append((child, roots[node.id]))
        return cls({r.id: (r.code, r.titre) for r in rows}, order, roots)

    def order_key(self, objectif_id: int | None) -> tuple[int, int]:
        big = len(self.order) + 1
        if objectif_id is None or objectif_id not in self.order:
            return (big, big)
        return (self.order[self.roots[objectif_id]], self.order[objectif_id])

    def label(self, objectif_id: int | None) -> str | None:
        if objectif_id is None or objectif_id not in self.nodes:
            return None
        code, titre = self.nodes[objectif_id]
        return f"{code} — {titre}" if code and not titre.startswith(code) else titre

    def axe_label(self, objectif_id: int | None) -> str | None:
        if objectif_id is None or objectif_id not in self.roots:
            return None
        return self.label(self.roots[objectif_id])


def _dossier_facts(s: Session, dossier_ids: list[int]) -> dict[int, Any]:
    """The dossier columns an agenda point shows, with the porteur's name, in one query."""
    return {
        r.id: r
        for r in s.execute(
            select(
                Dossier.id,
                Dossier.reference,
                Dossier.intitule,
                Dossier.porteur_id,
                Porteur.raison_sociale,
                Dossier.public_prevu,
                Dossier.public_femmes,
                Dossier.public_hommes,
                Dossier.cout_total_cents,
                Dossier.cotation_declaree,
                Dossier.cotation_instruite,
                Dossier.avis,
                Dossier.avis_motivation,
                Dossier.objectif_id,
            )
            .join(Porteur, Porteur.id == Dossier.porteur_id)
            .where(Dossier.id.in_(dossier_ids))
        )
    }


def _montants(s: Session, dossier_ids: list[int]) -> dict[int, dict[int, list[int | None]]]:
    """dossier → financeur → [demandé, proposé, voté] summed over its lines (None: nothing proposed
    or voted)."""
    montants: dict[int, dict[int, list[int | None]]] = {}
    for did, fid, dem, prop, vote in s.execute(
        select(
            LigneFinancement.dossier_id,
            LigneFinancement.financeur_id,
            LigneFinancement.demande_cents,
            LigneFinancement.propose_cents,
            LigneFinancement.vote_cents,
        )
        .where(LigneFinancement.dossier_id.in_(dossier_ids))
        .where(LigneFinancement.financeur_id.is_not(None))
        .order_by(LigneFinancement.position, LigneFinancement.id)
    ):
        if fid is None:
            continue
        acc = montants.setdefault(did, {}).setdefault(fid, [0, None, None])
        acc[0] = (acc[0] or 0) + int(dem or 0)
        if prop is not None:
            acc[1] = (acc[1] or 0) + int(prop)
        if vote is not None:
            acc[2] = (acc[2] or 0) + int(vote)
    return montants


def _point_rows(s: Session, comite: Comite, points: list[ComitePoint]) -> list[PointRow]:
    """PointRows without scores (added by the service from `NotationService.scores`): a fixed
    number of set-based queries whatever the agenda's length."""
    if not points:
        return []
    dossier_ids = [p.dossier_id for p in points]
    campagne = s.get(Campagne, comite.campagne_id)
    assert campagne is not None
    dossiers = _dossier_facts(s, dossier_ids)
    financeurs = {
        f.id: f
        for f in s.execute(
            select(Financeur.id, Financeur.code, Financeur.nom, Financeur.position).where(
                Financeur.contrat_id == campagne.contrat_id
            )
        )
    }
    montants = _montants(s, dossier_ids)
    quartiers = _quartier_names(s, dossier_ids)
    conflicts = _conflict_names(s, comite.id, dossier_ids)
    cadre = _Cadre.load(s, campagne.contrat_id)
    historique = _historiques(s, campagne.id, {d.porteur_id for d in dossiers.values()})

    rows = []
    for p in points:
        d = dossiers[p.dossier_id]
        per = montants.get(d.id, {})
        ordered = sorted(
            per, key=lambda fid: (financeurs[fid].position, fid) if fid in financeurs else (0, fid)
        )
        rows.append(
            PointRow(
                id=p.id,
                position=p.position,
                dossier_id=d.id,
                reference=d.reference,
                porteur=d.raison_sociale,
                intitule=d.intitule,
                quartiers=", ".join(quartiers.get(d.id, [])),
                public_prevu=d.public_prevu,
                public_femmes=d.public_femmes,
                public_hommes=d.public_hommes,
                cout_total_cents=int(d.cout_total_cents or 0),
                montants=tuple(
                    FinanceurMontants(
                        financeur_id=fid,
                        code=financeurs[fid].code if fid in financeurs else str(fid),
                        nom=financeurs[fid].nom if fid in financeurs else "",
                        demande_cents=int(per[fid][0] or 0),
                        propose_cents=per[fid][1],
                        vote_cents=per[fid][2],
                    )
                    for fid in ordered
                ),
                score=None,
                spread=None,
                disagreement=False,
                rank=None,
                cotation_declaree=d.cotation_declaree,
                cotation_instruite=d.cotation_instruite,
                avis=d.avis,
                avis_motivation=d.avis_motivation,
                axe=cadre.axe_label(d.objectif_id),
                objectif=cadre.label(d.objectif_id),
                historique=historique.get(d.porteur_id, ()),
                decision=p.decision,
                conditions=p.conditions,
                motivation=p.motivation,
                membres_en_conflit=conflicts.get(d.id, ()),
                version=p.version,
            )
        )
    return rows


def _historiques(
    s: Session, campagne_id: int, porteur_ids: set[int]
) -> dict[int, tuple[HistoriqueFinancement, ...]]:
    """Each porteur's dossiers of the other campagnes, most recent first (as `PorteurService.history`)."""
    if not porteur_ids:
        return {}
    rows = list(
        s.execute(
            select(
                Dossier.id,
                Dossier.porteur_id,
                Campagne.annee,
                Dossier.reference,
                Dossier.intitule,
                Dossier.statut,
                Suivi.crf_recu_le,
            )
            .join(Campagne, Campagne.id == Dossier.campagne_id)
            .outerjoin(Suivi, Suivi.dossier_id == Dossier.id)
            .where(Dossier.porteur_id.in_(porteur_ids))
            .where(Dossier.campagne_id != campagne_id)
            .order_by(Campagne.annee.desc(), Dossier.reference)
        )
    )
    if not rows:
        return {}
    votes: dict[int, int] = {}
    for did, vote in s.execute(
        select(LigneFinancement.dossier_id, LigneFinancement.vote_cents)
        .where(LigneFinancement.dossier_id.in_([r.id for r in rows]))
        .where(LigneFinancement.financeur_id.is_not(None))
        .where(LigneFinancement.vote_cents.is_not(None))
    ):
        votes[did] = votes.get(did, 0) + int(vote or 0)
    out: dict[int, list[HistoriqueFinancement]] = {}
    for r in rows:
        try:
            label = Statut(r.statut).label
        except ValueError:
            label = r.statut
        out.setdefault(r.porteur_id, []).append(
            HistoriqueFinancement(r.annee, r.reference, r.intitule, label, votes.get(r.id), r.crf_recu_le)
        )
    return {pid: tuple(v) for pid, v in out.items()}


def build_tableau(live: LiveData, nb_points: int, nb_decides: int) -> Tableau:
    figures = live_figures(live)
    return Tableau(
        enveloppes=tuple(
            EnveloppeState(
                financeur_id=e.financeur_id,
                code=e.code,
                nom=e.nom,
                enveloppe_cents=e.enveloppe_cents,
                vote_cents=e.vote_cents,
                reste_cents=e.reste_cents,
                exceeded=e.exceeded,
            )
            for e in figures.enveloppes
        ),
        cotations=tuple(
            CotationState(c.niveau, c.label, c.demande_entree_cents, c.vote_sortie_cents)
            for c in figures.cotations
        ),
        total_vote_cents=figures.total_vote_cents,
        nb_decides=nb_decides,
        nb_points=nb_points,
    )
