"""The data of a fiche d'instruction, read through the services (rendered by `fiche_instruction`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_integer
from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError
from instructeur.exports.typo import NBSP
from instructeur.storage.db import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from instructeur.services.notation import EvaluationDto
    from instructeur.storage.models import Dossier


@dataclass(frozen=True)
class PlanLine:
    label: str
    demande_cents: int
    propose_cents: int | None
    vote_cents: int | None
    financeur: bool  # a financeur of the contrat (else another resource)


@dataclass(frozen=True)
class EvalColumn:
    evaluateur: str
    conflit: bool
    motif: str | None
    notes: dict[int, int]
    total: Decimal | None
    commentaire: str | None
    grille_version: int


@dataclass(frozen=True)
class GrilleBlock:
    version: int
    criteria: tuple[tuple[int, str, int, int, int], ...]  # (id, libellé, min, max, poids)
    columns: tuple[EvalColumn, ...]


@dataclass(frozen=True)
class HistoryLine:
    annee: int
    reference: str
    intitule: str
    statut: str
    vote_cents: int | None
    crf: date | None


@dataclass(frozen=True)
class FicheData:
    dossier_id: int
    contrat: str
    campagne: str
    reference: str
    statut: str
    porteur: str
    porteur_ville: str
    intitule: str
    description: str
    quartiers: str
    objectif: str
    public: str
    part_qpv: str
    dates: str
    cout_total_cents: int
    reconduite: bool
    plan: tuple[PlanLine, ...]
    grilles: tuple[GrilleBlock, ...]
    score: Decimal | None
    spread: Decimal | None
    disagreement: bool
    n_counted: int
    n_conflicts: int
    n_incomplete: int
    rank: int | None
    ranked: int
    eliminatoire: tuple[str, ...]
    override: str | None
    cotation_levels: tuple[tuple[int, str], ...]
    cotation_declaree: int | None
    cotation_proposee: int | None
    cotation_instruite: int | None
    cotation_justification: str | None
    cotation_answers: tuple[tuple[str, bool | None], ...]
    cotation_gap: bool
    avis: str | None
    avis_motivation: str | None
    observations: str | None
    missing: tuple[str, ...]
    history: tuple[HistoryLine, ...] = field(default=())


@dataclass(frozen=True)
class _Head:
    """What the fiche reads from the dossier's own rows (one session)."""

    contrat: str
    campagne: str
    campagne_id: int
    reference: str
    statut: Statut
    porteur: str
    porteur_ville: str
    porteur_id: int
    intitule: str
    description: str
    quartiers: str
    objectif: str
    public: str
    part_qpv: str
    dates: str
    cout_total_cents: int
    reconduite: bool
    plan: tuple[PlanLine, ...]
    avis: str | None
    avis_motivation: str | None
    observations: str | None


def fiche_data(db: Database, dossier_id: int, ranks: dict[int, int | None] | None = None) -> FicheData:
    """Everything one fiche shows, read through the services. `ranks` (dossier id → rank) saves
    the campagne-wide scoring in a batch."""
    from instructeur.services.instruction import InstructionService
    from instructeur.services.notation import NotationService
    from instructeur.services.porteurs import PorteurService

    head = _read_head(db, dossier_id)
    notation = NotationService(db)
    score_row = notation.dossier_score(dossier_id)
    if ranks is None:
        ranks = {did: row.rank for did, row in notation.scores(head.campagne_id).items()}
    instruction = InstructionService(db)
    cot = instruction.cotation(dossier_id)
    before_instruit = head.statut in (
        Statut.DEPOSE,
        Statut.INCOMPLET,
        Statut.RECEVABLE,
        Statut.EN_INSTRUCTION,
    )
    history = tuple(
        HistoryLine(h.annee, h.reference, h.intitule, h.statut.label, h.vote_cents, h.crf_recu_le)
        for h in PorteurService(db).history(head.porteur_id)
        if h.dossier_id != dossier_id
    )
    sc = score_row.score
    return FicheData(
        dossier_id=dossier_id,
        contrat=head.contrat,
        campagne=head.campagne,
        reference=head.reference,
        statut=head.statut.label,
        porteur=head.porteur,
        porteur_ville=head.porteur_ville,
        intitule=head.intitule,
        description=head.description,
        quartiers=head.quartiers,
        objectif=head.objectif,
        public=head.public,
        part_qpv=head.part_qpv,
        dates=head.dates,
        cout_total_cents=head.cout_total_cents,
        reconduite=head.reconduite,
        plan=head.plan,
        grilles=_grilles(notation.evaluations_of(dossier_id)),
        score=sc.score_display,
        spread=sc.spread_display,
        disagreement=sc.disagreement,
        n_counted=sc.n_counted,
        n_conflicts=sc.n_conflicts,
        n_incomplete=sc.n_incomplete,
        rank=ranks.get(dossier_id),
        ranked=sum(1 for r in ranks.values() if r is not None),
        eliminatoire=tuple(
            f"« {h.critere} » (noté au minimum par {h.evaluateur})" for h in score_row.eliminatoire
        ),
        override=score_row.override,
        cotation_levels=tuple(cot.settings.levels),
        cotation_declaree=cot.declaree,
        cotation_proposee=cot.proposee,
        cotation_instruite=cot.instruite,
        cotation_justification=cot.justification,
        cotation_answers=tuple((text, cot.answers.get(code)) for code, text in cot.settings.questions),
        cotation_gap=cot.gap,
        avis=head.avis,
        avis_motivation=head.avis_motivation,
        observations=head.observations,
        missing=tuple(instruction.missing(dossier_id)) if before_instruit else (),
        history=history,
    )


def _read_head(db: Database, dossier_id: int) -> _Head:
    from instructeur.storage.models import Campagne, Contrat, Dossier

    with db.session() as s:
        d = s.get(Dossier, dossier_id)
        if d is None:
            raise NotFoundError(f"dossier {dossier_id} introuvable")
        campagne = s.get(Campagne, d.campagne_id)
        assert campagne is not None
        contrat = s.get(Contrat, campagne.contrat_id)
        assert contrat is not None
        return _Head(
            contrat=contrat.nom,
            campagne=f"Campagne {campagne.annee} — {campagne.libelle}",
            campagne_id=campagne.id,
            reference=d.reference,
            statut=Statut(d.statut),
            porteur=d.porteur.raison_sociale + (f" ({d.porteur.sigle})" if d.porteur.sigle else ""),
            porteur_ville=d.porteur.ville or "",
            porteur_id=d.porteur_id,
            intitule=d.intitule,
            description=d.description or "",
            quartiers=", ".join(q.nom for q in d.quartiers) or "—",
            objectif=_objectif_path(s, d.objectif_id) or "—",
            public=_public(d) or "—",
            part_qpv=f"{d.part_qpv_pct}{NBSP}%" if d.part_qpv_pct is not None else "—",
            dates=_dates(d) or "—",
            cout_total_cents=d.cout_total_cents,
            reconduite=d.reconduite,
            plan=_plan(d),
            avis=d.avis,
            avis_motivation=d.avis_motivation,
            observations=d.observations,
        )


def _objectif_path(s: Session, objectif_id: int | None) -> str:
    """« 1. Axe › 1.2. Objectif »: the objectif with its ancestors, root first."""
    from instructeur.storage.models import Objectif

    path: list[Objectif] = []
    node = s.get(Objectif, objectif_id) if objectif_id is not None else None
    while node is not None:
        path.append(node)
        node = s.get(Objectif, node.parent_id) if node.parent_id is not None else None
    return " › ".join(f"{o.code}. {o.titre}" for o in reversed(path))


def _plan(d: Dossier) -> tuple[PlanLine, ...]:
    """The plan de financement, financeurs first in the plan's order, then the other resources."""
    return tuple(
        PlanLine(
            label=ligne.financeur.nom
            if ligne.financeur is not None
            else (ligne.libelle or "Autre ressource"),
            demande_cents=ligne.demande_cents,
            propose_cents=ligne.propose_cents,
            vote_cents=ligne.vote_cents,
            financeur=ligne.financeur_id is not None,
        )
        for ligne in sorted(d.lignes, key=lambda x: (x.financeur_id is None, x.position, x.id))
    )


def _public(d: Dossier) -> str:
    """« 70 personnes (dont 51 femmes, 17 hommes), 16-25 ans »."""
    if d.public_prevu is None:
        return ""
    public = f"{format_integer(d.public_prevu)} personnes"
    if d.public_femmes is not None or d.public_hommes is not None:
        f_, h_ = d.public_femmes or 0, d.public_hommes or 0
        public += f" (dont {format_integer(f_)} femmes, {format_integer(h_)} hommes)"
    if d.public_ages:
        public += f", {d.public_ages}"
    return public


def _dates(d: Dossier) -> str:
    dates = []
    if d.date_depot:
        dates.append(f"déposé le {format_date(d.date_depot)}")
    if d.date_debut and d.date_fin:
        dates.append(f"action du {format_date(d.date_debut)} au {format_date(d.date_fin)}")
    elif d.date_debut:
        dates.append(f"action à partir du {format_date(d.date_debut)}")
    return " ; ".join(dates)


def _grilles(evaluations: Sequence[EvaluationDto]) -> tuple[GrilleBlock, ...]:
    """One block per version of the grille the évaluations were scored with, oldest first."""
    blocks: dict[int, GrilleBlock] = {}
    for ev in evaluations:
        column = EvalColumn(
            ev.evaluateur_nom,
            ev.conflit,
            ev.conflit_motif,
            dict(ev.notes),
            ev.total_display,
            ev.commentaire,
            ev.grille_numero_version,
        )
        block = blocks.get(ev.grille_id) or GrilleBlock(
            ev.grille_numero_version,
            tuple((c.id, c.libelle, c.echelle_min, c.echelle_max, c.poids) for c in ev.criteres),
            (),
        )
        blocks[ev.grille_id] = GrilleBlock(block.version, block.criteria, (*block.columns, column))
    return tuple(sorted(blocks.values(), key=lambda b: b.version))
