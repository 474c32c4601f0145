"""The rows of the tableau de programmation: one per dossier, with its amounts per financeur.

Ordered by axe, objectif, then référence (`_dossier_order`); the dossiers that went to a comité
or beyond, or every recevable one for the provisional table.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from instructeur.domain.money import percent
from instructeur.services.synthese_aggregate import _axe_of, _concerns, _dossier_order
from instructeur.services.synthese_types import (
    AU_COMITE,
    RECEVABLES,
    SANS_AXE,
    FinanceurRef,
    ProgrammationRow,
    _Dossier,
    _Loaded,
    cotation_label,
)


def _programmation_rows(
    data: _Loaded, scores: dict[int, Decimal], selected: FinanceurRef | None, *, include_all: bool
) -> list[ProgrammationRow]:
    """`selected`: the financeur whose dossiers (asked or voting) are kept, None for every dossier."""
    wanted = RECEVABLES if include_all else AU_COMITE
    rows: list[ProgrammationRow] = []
    codes = {f.id: f.code for f in data.financeurs}
    for d in sorted(data.dossiers, key=lambda d: _dossier_order(data, d)):
        if d.statut not in wanted:
            continue
        if selected is not None and not _concerns(d, selected.id):
            continue
        rows.append(_row(data, d, codes, scores.get(d.id)))
    return rows


def _sum(values: Iterable[int | None]) -> int:
    return sum(v or 0 for v in values)


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
