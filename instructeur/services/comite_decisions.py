"""Recording a comité decision: in séance (`decide`) and, outside it, its revision
(`revise_decision`, « Modifier la décision… »). Both check with the one pure rule
`instructeur.domain.decision.check_decision` and write through `_record`.

**Concurrency.** The enveloppe check reads the other dossiers' votes; two decisions at the same
instant must not both read the totals before either writes (docs/ARCHITECTURE.md, « Decisions and
enveloppes under concurrency »). `decision_session` takes SQLite's write lock first
(`BEGIN IMMEDIATE`: pysqlite's own BEGIN is deferred, and only before the first write), and
`lock_enveloppes` locks the campagne's enveloppe rows on PostgreSQL (`SELECT … FOR UPDATE`) before
the totals are read; the second decision waits, then reads the first one's votes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.decision import (
    DECISION_LABELS,
    DecisionCheck,
    EnveloppeLoad,
    check_decision,
    decision_basics,
)
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut, transition_problem
from instructeur.domain.text import optional_text
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.comite_dtos import DecisionResult, Tableau
from instructeur.services.comite_rows import (
    _conflict_names,
    _point,
    _point_counts,
    _what,
    build_tableau,
    load_comite,
)
from instructeur.services.dossiers import instruction_missing, move_statut, set_amount_per_financeur
from instructeur.services.synthese import LiveData, load_live
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AuditLog,
    Campagne,
    Comite,
    ComitePoint,
    ComiteVote,
    Dossier,
    Enveloppe,
    Financeur,
)
from instructeur.storage.write_lock import decision_session

__all__ = [
    "EnveloppeRefusal",
    "decide",
    "decision_history",
    "decision_records",
    "lock_enveloppes",
]


class EnveloppeRefusal(ValidationError):
    """Refused only because an enveloppe would be exceeded: the same decision passes with a
    dérogation motivation (the séance asks for one)."""

    override_possible = True


@dataclass(frozen=True)
class _Inputs:
    """A decision as asked, cleaned (no votes unless retenu)."""

    decision: str
    votes: dict[int, int]
    conditions: str | None
    motivation: str | None
    override_motivation: str | None


# --- Locking ---------------------------------------------------------------------------------


def lock_enveloppes(s: Session, campagne_id: int) -> None:
    """PostgreSQL: lock the campagne's enveloppe rows (in id order, no deadlock between two
    decisions) until the decision commits. SQLite already holds the database write lock."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(
            select(Enveloppe.id)
            .where(Enveloppe.campagne_id == campagne_id)
            .order_by(Enveloppe.id)
            .with_for_update()
        ).all()


# --- Séance ----------------------------------------------------------------------------------


def decide(
    db: Database,
    user: str,
    point_id: int,
    expected_version: int,
    decision: str,
    votes: dict[int, int],
    conditions: str | None,
    motivation: str | None,
    override_motivation: str | None = None,
) -> DecisionResult:
    """Record (or revise) the comité's decision on a point while the séance is open."""
    new = _inputs(decision, votes, conditions, motivation, override_motivation)
    try:
        with decision_session(db) as s:
            point = _point(s, point_id)
            comite = load_comite(s, point.comite_id)
            _check_seance_open(comite)
            if point.version != expected_version:
                raise audit.concurrent_edit(
                    f"La décision sur le dossier {point.dossier.reference}",
                    point.updated_by,
                    point.updated_at,
                )
            d = _load_dossier(s, point.dossier_id)
            _check_seance_statut(point, d, new.decision, new.motivation)
            lock_enveloppes(s, d.campagne_id)
            financeurs = _financeurs(s, d, new.votes)
            live = load_live(s, d.campagne_id)
            check = _check(d, point, live, new)
            old = point.decision
            text = new.motivation
            if old is not None and old != new.decision:
                text = f"Révision en séance ({DECISION_LABELS[old]} → {DECISION_LABELS[new.decision]})" + (
                    f" : {new.motivation}" if new.motivation else ""
                )
            changes = _record(s, user, point, d, financeurs, new, check, text, move=old != new.decision)
            conflicts = _conflict_names(s, comite.id, [d.id]).get(d.id, ())
            if conflicts:
                changes["pas_pris_part"] = list(conflicts)
            audit.record(s, user, "comite_point", point.id, "decision", changes)
            s.flush()
            version = point.version
            tableau = _tableau_after(s, live, d.id, comite.id, new)
    except StaleDataError:
        raise _stale_point(db, point_id) from None
    return DecisionResult(version, _warnings(d.reference, new, check), tableau)


def _inputs(
    decision: str,
    votes: dict[int, int],
    conditions: str | None,
    motivation: str | None,
    override_motivation: str | None,
) -> _Inputs:
    """Cleaned inputs; what can be refused before reading the database is refused here."""
    votes = {int(fid): int(v) for fid, v in votes.items()}
    problems = decision_basics(decision, votes, optional_text(motivation))
    if problems:
        raise ValidationError(problems)
    return _Inputs(
        decision,
        votes if decision == "retenu" else {},
        optional_text(conditions),
        optional_text(motivation),
        optional_text(override_motivation),
    )


def _check_seance_open(comite: Comite) -> None:
    if comite.statut == "clos":
        raise UserError(
            f"{_what(comite)} est clos : ses décisions ne peuvent plus être révisées en séance "
            "(utilisez « Modifier la décision… » dans la fiche du dossier)"
        )
    if comite.statut != "en_seance":
        raise UserError(f"{_what(comite)} : la séance n'est pas ouverte")


def _check_seance_statut(point: ComitePoint, d: Dossier, decision: str, motivation: str | None) -> None:
    """A first decision follows the life cycle and needs a complete instruction; a revision in
    séance needs the dossier still at the decision taken."""
    if point.decision is None:
        reason = transition_problem(Statut(d.statut), Statut(decision), motivation, None)
        if reason is None:
            missing = instruction_missing(d)
            if missing:
                reason = "instruction incomplète : " + ", ".join(missing)
        if reason:
            raise UserError(f"dossier {d.reference} : {reason}")
    elif d.statut != point.decision:
        raise UserError(
            f"dossier {d.reference} : son statut a changé depuis la décision "
            f"(« {Statut(d.statut).label} ») ; la décision ne peut plus être révisée ici"
        )


# --- Shared by both paths --------------------------------------------------------------------


def _load_dossier(s: Session, dossier_id: int) -> Dossier:
    d = s.scalars(
        select(Dossier).where(Dossier.id == dossier_id).options(selectinload(Dossier.lignes))
    ).one_or_none()
    if d is None:
        raise NotFoundError(f"dossier {dossier_id} introuvable")
    return d


def _financeurs(s: Session, d: Dossier, votes: dict[int, int]) -> dict[int, Financeur]:
    """The contrat's financeurs; a vote for another one is refused."""
    contrat = select(Campagne.contrat_id).where(Campagne.id == d.campagne_id).scalar_subquery()
    financeurs = {f.id: f for f in s.scalars(select(Financeur).where(Financeur.contrat_id == contrat))}
    unknown = [fid for fid in votes if fid not in financeurs]
    if unknown:
        raise ValidationError([f"financeur {fid} inconnu pour ce contrat" for fid in unknown])
    return financeurs


def enveloppe_loads(live: LiveData, dossier_id: int, old_votes: dict[int, int]) -> list[EnveloppeLoad]:
    """Each enveloppe with the other retenu dossiers' votes and this dossier's previous vote."""
    here = live.dossiers.get(dossier_id)
    out = []
    for f in live.financeurs:
        if f.id not in live.enveloppes:
            continue
        current = (here.vote.get(f.id) or 0) if here is not None and here.retenu else 0
        others = sum(
            (o.vote.get(f.id) or 0) for o in live.dossiers.values() if o.retenu and o.id != dossier_id
        )
        previous = max(current, old_votes.get(f.id, 0))
        out.append(EnveloppeLoad(f.id, f.code, live.enveloppes[f.id], others, previous))
    return out


def _old_votes(point: ComitePoint | None, d: Dossier) -> dict[int, int]:
    """The decision's votes as they stand: the point's, or the plan's for a decision recorded by a
    statut move (earlier campagnes, imports)."""
    if point is not None:
        return {v.financeur_id: v.montant_cents for v in point.votes}
    out: dict[int, int] = {}
    for ligne in d.lignes:
        if ligne.financeur_id is not None and ligne.vote_cents:
            out[ligne.financeur_id] = out.get(ligne.financeur_id, 0) + ligne.vote_cents
    return out


def _check(d: Dossier, point: ComitePoint | None, live: LiveData, new: _Inputs) -> DecisionCheck:
    old_votes = _old_votes(point, d)
    check = check_decision(
        new.decision,
        new.votes,
        d.cout_total_cents,
        new.motivation,
        new.override_motivation,
        enveloppe_loads(live, d.id, old_votes),
        d.reference,
    )
    if check.problems:
        if check.exceeded and len(check.problems) == 1 and new.override_motivation is None:
            raise EnveloppeRefusal(list(check.problems))
        raise ValidationError(list(check.problems))
    return check


def _record(
    s: Session,
    user: str,
    point: ComitePoint | None,
    d: Dossier,
    financeurs: dict[int, Financeur],
    new: _Inputs,
    check: DecisionCheck,
    transition_text: str | None,
    *,
    move: bool,
) -> dict[str, Any]:
    """Write the decision (statut with its history line, votes on the plan and on the point, the
    point's decision) and return the audit changes (old → new). Without a point (a decision
    recorded by a statut move), the plan and the history only."""
    decision, votes, conditions, motivation = new.decision, new.votes, new.conditions, new.motivation
    old_votes = _old_votes(point, d)
    old = (point.decision, point.conditions, point.motivation) if point else (d.decision, None, None)
    if move:
        move_statut(s, d, Statut(decision), user, transition_text)
    d.updated_by = user
    d.updated_at = datetime.now()  # the dossier's version moves: a fiche open elsewhere must reload
    _write_votes(d, votes, financeurs)
    if point is not None:
        s.execute(delete(ComiteVote).where(ComiteVote.point_id == point.id))
        s.expire(point, ["votes"])
        for fid, cents in votes.items():
            s.add(ComiteVote(point_id=point.id, financeur_id=fid, montant_cents=cents))
    ordered = sorted(financeurs.values(), key=lambda f: (f.position, f.id))
    changes: dict[str, Any] = {
        "dossier": d.reference,
        "decision": [old[0], decision],
        "votes": [  # [[code, cents], …] in the financeurs' order
            [[f.code, old_votes[f.id]] for f in ordered if f.id in old_votes],
            [[f.code, votes[f.id]] for f in ordered if f.id in votes],
        ],
        "conditions": [old[1], conditions],
        "motivation": [old[2], motivation],
    }
    if check.exceeded:
        changes["depassements"] = {e.code: e.over_cents for e in check.exceeded}
        changes["derogation"] = new.override_motivation
    if point is None:
        return changes
    point.decision = decision
    point.conditions = conditions
    point.motivation = motivation
    point.decided_at = datetime.now()
    point.updated_by = user
    return changes


def _write_votes(d: Dossier, votes: dict[int, int], financeurs: dict[int, Financeur]) -> None:
    """Votes on the plan de financement (a financeur voting without a line gets one, named)."""
    names = {fid: f.nom for fid, f in financeurs.items()}
    set_amount_per_financeur(d, "vote_cents", votes, names)


def _warnings(reference: str, new: _Inputs, check: DecisionCheck) -> tuple[str, ...]:
    out = []
    if new.decision == "retenu" and not sum(new.votes.values()):
        out.append(f"dossier {reference} : retenu sans montant voté")
    out.extend(
        f"enveloppe {e.code} dépassée de {format_amount(e.over_cents)} (dérogation motivée)"
        for e in check.exceeded
    )
    return tuple(out)


def _tableau_after(s: Session, live: LiveData, dossier_id: int, comite_id: int, new: _Inputs) -> Tableau:
    """The live figures of this very transaction: what was loaded, with this decision."""
    target, votes = Statut(new.decision), new.votes
    if dossier_id in live.dossiers:
        here = live.dossiers[dossier_id]
        live.dossiers[dossier_id] = replace(
            here,
            statut=target,
            decision=target,
            vote={fid: votes.get(fid, 0) for fid in {*here.vote, *votes}},
        )
    nb_points, nb_decides = _point_counts(s, [comite_id]).get(comite_id, (0, 0))
    return build_tableau(live, nb_points, nb_decides)


def _stale_point(db: Database, point_id: int) -> UserError:
    with db.session() as s:
        point = _point(s, point_id)
        return audit.concurrent_edit(
            f"La décision sur le dossier {point.dossier.reference}", point.updated_by, point.updated_at
        )


# --- History ---------------------------------------------------------------------------------


def _amounts_text(votes: Iterable[Sequence[Any]]) -> str:
    return ", ".join(f"{code} {format_amount(cents)}" for code, cents in votes if cents)


def _history_text(changes: dict[str, Any]) -> str:
    old, new = (changes.get("decision") or [None, None])[:2]
    old_votes, new_votes = (changes.get("votes") or [[], []])[:2]

    def one(decision: str | None, votes: list[list[Any]]) -> str:
        label = DECISION_LABELS.get(decision or "", "sans décision")
        amounts = _amounts_text(votes or [])
        return f"{label} ({amounts})" if amounts else label

    if old is None:
        text = f"Décision : {one(new, new_votes)}"
    else:
        text = f"Décision révisée : {one(old, old_votes)} → {one(new, new_votes)}"
    if changes.get("hors_seance"):
        text += " (hors séance)"
    motivation = (changes.get("motivation") or [None, None])[1]
    if motivation:
        text += f" ; motivation : {motivation}"
    conditions = (changes.get("conditions") or [None, None])[1]
    if conditions:
        text += f" ; conditions : {conditions}"
    if changes.get("derogation"):
        text += f" ; dérogation à l'enveloppe ({', '.join(changes.get('depassements') or {})}) : {changes['derogation']}"
    if changes.get("pas_pris_part"):
        text += f" ; n'a pas pris part : {', '.join(changes['pas_pris_part'])}"
    return text


def decision_history(db: Database, point_id: int) -> list[tuple[datetime, str, str]]:
    """Every version of the decision on a point: (when, who, French text), oldest first."""
    with db.session() as s:
        _point(s, point_id)
        entries = s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "comite_point", AuditLog.entity_id == point_id)
            .where(AuditLog.action == "decision")
            .order_by(AuditLog.at, AuditLog.id)
        ).all()
        return [(e.at, e.utilisateur, _history_text(json.loads(e.changes))) for e in entries]


def decision_records(db: Database, comite_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every recorded decision of each point of a comité (audit log), oldest first, for the
    relevé: enveloppe overrides (`depassements`, `derogation`), members who did not take part."""
    with db.session() as s:
        point_ids = list(s.scalars(select(ComitePoint.id).where(ComitePoint.comite_id == comite_id)))
        if not point_ids:
            return {}
        out: dict[int, list[dict[str, Any]]] = {}
        for entity_id, changes in s.execute(
            select(AuditLog.entity_id, AuditLog.changes)
            .where(AuditLog.entity == "comite_point", AuditLog.action == "decision")
            .where(AuditLog.entity_id.in_(point_ids))
            .order_by(AuditLog.at, AuditLog.id)
        ):
            out.setdefault(entity_id, []).append(json.loads(changes))
        return out
