"""Statut moves of dossiers: the rules checked before a move (life cycle, motivation,
recevabilité, instruction complete, CRF for soldé) and `move_statut`, the one function that writes
a move — the fiche, the batch action, the séance, the notifications all end there.

`move_statut` checks the recevabilité itself (the rule lives in `domain.recevabilite`): a caller
that forgot it still cannot make a dossier « recevable » with a mandatory point unticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.recevabilite import Point, missing_mandatory, recevabilite_problem
from instructeur.domain.statuts import DECISIONS, Statut, transition_problem
from instructeur.errors import UserError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, RecevabiliteCheck, RecevabiliteItem, Transition


@dataclass(frozen=True)
class BatchResult:
    changed: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]  # (dossier id, French reason)


def recevabilite_missing(s: Session, dossier_id: int) -> list[str]:
    """Libellés of the campagne's mandatory recevabilité points this dossier has not ticked."""
    campagne_id = select(Dossier.campagne_id).where(Dossier.id == dossier_id).scalar_subquery()
    items = [
        Point(i, libelle, bool(obligatoire))
        for i, libelle, obligatoire in s.execute(
            select(RecevabiliteItem.id, RecevabiliteItem.libelle, RecevabiliteItem.obligatoire)
            .where(RecevabiliteItem.campagne_id == campagne_id)
            .order_by(RecevabiliteItem.position, RecevabiliteItem.id)
        )
    ]
    checked = set(
        s.scalars(
            select(RecevabiliteCheck.item_id).where(
                RecevabiliteCheck.dossier_id == dossier_id, RecevabiliteCheck.ok.is_(True)
            )
        )
    )
    return missing_mandatory(items, checked)


def transition_reason(d: Dossier, target: Statut, motivation: str | None) -> str | None:
    """French reason why `d` may not move to `target` now, None when it may."""
    current = Statut(d.statut)
    reason = transition_problem(current, target, motivation, Statut(d.decision) if d.decision else None)
    if reason:
        return reason
    session = object_session(d)
    if target is Statut.RECEVABLE and session is not None:
        reason = recevabilite_problem(recevabilite_missing(session, d.id))
        if reason:
            return reason
    if target is Statut.INSTRUIT or (current is Statut.EN_COMITE and target in DECISIONS):
        from instructeur.services.instruction import instruction_problems  # instruction → here

        missing = instruction_problems(d)
        if missing:
            return "instruction incomplète : " + ", ".join(missing)
    if target is Statut.SOLDE:
        from instructeur.services.suivi import SOLDE_SANS_CRF, crf_recu  # suivi → comités → here

        if session is None or not crf_recu(session, d.id):
            return SOLDE_SANS_CRF
    return None


def move_statut(s: Session, d: Dossier, target: Statut, user: str, motivation: str | None = None) -> None:
    """The one way a dossier changes statut (life-cycle rules already checked by the caller): the
    history line (who, when, from, to, why), the statut, and the comité decision it records, if any.

    Refuses « recevable » while a mandatory recevabilité point is unticked, whoever calls."""
    if target is Statut.RECEVABLE:
        reason = recevabilite_problem(recevabilite_missing(s, d.id))
        if reason:
            raise UserError(f"dossier {d.reference} : {reason}")
    s.add(
        Transition(
            dossier_id=d.id,
            utilisateur=user,
            de_statut=d.statut,
            vers_statut=target.value,
            motivation=(motivation or "").strip() or None,
            at=datetime.now(),
        )
    )
    if target in DECISIONS:
        d.decision = target.value
    if target is Statut.NON_REALISE:
        from instructeur.services.suivi import mark_non_realise  # suivi → comités → here

        mark_non_realise(s, d.id, user)
    d.statut = target.value
    d.updated_by = user


def change_statut_many(
    db: Database,
    user: str,
    dossier_ids: list[int],
    target: Statut,
    motivation: str | None = None,
    expected_versions: dict[int, int | None] | None = None,
) -> BatchResult:
    """One shared motivation for a batch; dossiers that cannot move are reported with their
    reason, the others move (one transaction)."""
    changed: list[int] = []
    refused: list[tuple[int, str]] = []
    try:
        with db.session() as s:
            rows = s.scalars(
                select(Dossier).where(Dossier.id.in_(dossier_ids)).options(selectinload(Dossier.lignes))
            ).all()
            by_id = {d.id: d for d in rows}
            for dossier_id in dossier_ids:
                d = by_id.get(dossier_id)
                if d is None:
                    refused.append((dossier_id, f"dossier {dossier_id} introuvable"))
                    continue
                expected = (expected_versions or {}).get(dossier_id)
                if expected is not None and d.version != expected:
                    edit = audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
                    refused.append((d.id, str(edit)))
                    continue
                reason = transition_reason(d, target, motivation)
                if reason:
                    refused.append((d.id, f"dossier {d.reference} : {reason}"))
                    continue
                move_statut(s, d, target, user, motivation)
                changed.append(d.id)
    except StaleDataError:
        return BatchResult(
            changed=(),
            refused=tuple((i, "modifié par un autre utilisateur pendant l'opération") for i in dossier_ids),
        )
    return BatchResult(changed=tuple(changed), refused=tuple(refused))
