"""« Modifier la décision… »: revising a comité decision once its séance is over (DESIGN.md §3: a
decision can be reopened with a motivation; nothing is erased). Same checks as the séance
(`instructeur.domain.decision.check_decision` via `comite_decisions._check`), same lock, same
writing (`_record`); a motivation is always required; the history gets a transition « Révision de
la décision (… → …) : motif », the decision history and the dossier's journal a line each; a
letter already generated becomes « À refaire »."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.decision import DECISION_LABELS, decision_basics
from instructeur.domain.statuts import Statut
from instructeur.domain.text import optional_text
from instructeur.errors import UserError, ValidationError
from instructeur.services import audit
from instructeur.services.comite_decisions import (
    _check,
    _financeurs,
    _history_text,
    _inputs,
    _load_dossier,
    _old_votes,
    _record,
    _warnings,
    lock_enveloppes,
)
from instructeur.services.comite_dtos import FinanceurMontants
from instructeur.services.comite_rows import _what, load_comite
from instructeur.services.synthese import load_live
from instructeur.storage.db import Database
from instructeur.storage.models import Comite, ComitePoint, Dossier, Notification
from instructeur.storage.write_lock import decision_session

__all__ = [
    "REVISABLE_STATUTS",
    "RevisionForm",
    "RevisionResult",
    "revisable",
    "revise_decision",
    "revision_form",
]

# Statuts whose comité decision can be revised outside the séance (a notified refusal is final,
# a soldé or non réalisé action is closed).
REVISABLE_STATUTS = (Statut.RETENU, Statut.AJOURNE, Statut.REFUSE, Statut.NOTIFIE)
# A letter was produced for the dossier: after a revision it must be made again.
_LETTER_MADE = ("a_signer", "a_notifier", "notifie")


@dataclass(frozen=True)
class RevisionResult:
    version: int  # the dossier's new version
    warnings: tuple[str, ...]
    notifications_a_refaire: int  # letters already generated, now « À refaire »


@dataclass(frozen=True)
class RevisionForm:
    """What « Modifier la décision… » starts from."""

    dossier_id: int
    reference: str
    version: int  # the dossier's, to pass back to `revise_decision`
    statut: Statut
    decision: str  # retenu | ajourne | refuse
    comite: str  # « Le comité des financeurs du 14/04/2026 »
    cout_total_cents: int
    montants: tuple[FinanceurMontants, ...]  # every financeur of the contrat, in its order
    conditions: str | None
    motivation: str | None
    lettre_generee: bool  # a letter exists: it will be « À refaire »


def revisable(statut: Statut, decision: Statut | None) -> bool:
    """Can « Modifier la décision… » be offered for a dossier at this statut?"""
    if statut is Statut.NOTIFIE:
        return decision is Statut.RETENU
    return statut in REVISABLE_STATUTS


def revise_decision(
    db: Database,
    user: str,
    dossier_id: int,
    expected_version: int,
    decision: str,
    votes: dict[int, int],
    conditions: str | None,
    motivation: str | None,
    override_motivation: str | None = None,
) -> RevisionResult:
    """« Modifier la décision » of a dossier decided by a comité that is no longer in séance: the
    séance's checks, a motivation always, the history, the votes, and a letter already generated
    marked « À refaire »."""
    if optional_text(motivation) is None:
        problems = ["la motivation de la révision est obligatoire"]
        problems += [p for p in decision_basics(decision, votes, "x") if "motivation" not in p]
        raise ValidationError(problems)
    new = _inputs(decision, votes, conditions, motivation, override_motivation)
    try:
        with decision_session(db) as s:
            d = _load_dossier(s, dossier_id)
            if d.version != expected_version:
                raise audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
            point = _revisable_point(s, d)
            lock_enveloppes(s, d.campagne_id)
            financeurs = _financeurs(s, d, new.votes)
            live = load_live(s, d.campagne_id)
            check = _check(d, point, live, new)
            old = (point.decision if point else None) or d.decision or d.statut
            text = (
                f"Révision de la décision ({DECISION_LABELS.get(old, old)} → "
                f"{DECISION_LABELS[new.decision]}) : {new.motivation}"
            )
            changes = _record(s, user, point, d, financeurs, new, check, text, move=True)
            changes["hors_seance"] = True
            if point is not None:
                audit.record(s, user, "comite_point", point.id, "decision", changes)
            redo = _letters_to_redo(s, user, d.id)
            _journal_revision(s, user, d.id, changes, redo)
            s.flush()
            version = d.version
    except StaleDataError:
        raise _stale_dossier(db, dossier_id) from None
    warnings = _warnings(d.reference, new, check)
    if redo:
        warnings += (f"dossier {d.reference} : la lettre déjà générée est « À refaire »",)
    return RevisionResult(version, warnings, len(redo))


def _revisable_point(s: Session, d: Dossier) -> ComitePoint | None:
    """The dossier's latest decided point (séance date, decision time, id: the letters' order),
    checked: the statut allows a revision and the comité is not in séance. None: the decision was
    recorded by a statut move (earlier campagnes, the demo, imports) — it is revised all the same,
    on the plan and in the history."""
    if not revisable(Statut(d.statut), Statut(d.decision) if d.decision else None):
        raise UserError(
            f"dossier {d.reference} : au statut « {Statut(d.statut).label} », la décision du comité "
            "ne peut plus être modifiée"
        )
    rows = s.execute(
        select(ComitePoint, Comite.date_seance)
        .join(Comite, Comite.id == ComitePoint.comite_id)
        .where(ComitePoint.dossier_id == d.id, ComitePoint.decision.is_not(None))
    ).all()
    if not rows:
        return None
    point = max(rows, key=lambda r: (r[1] or date.min, r[0].decided_at or datetime.min, r[0].id))[0]
    comite = load_comite(s, point.comite_id)
    if comite.statut == "en_seance":
        raise UserError(
            f"{_what(comite)} est en séance : modifiez la décision sur le dossier {d.reference} "
            "dans la séance"
        )
    return point


def _letters_to_redo(s: Session, user: str, dossier_id: int) -> list[Notification]:
    rows = [
        n
        for n in s.scalars(select(Notification).where(Notification.dossier_id == dossier_id))
        if n.etat in _LETTER_MADE or (n.fichier and n.etat != "a_refaire")
    ]
    for n in rows:
        old = n.etat
        n.etat = "a_refaire"
        n.updated_by = user
        audit.record(
            s,
            user,
            "notification",
            n.id,
            "update",
            {"etat": [old, "a_refaire"], "motif": "révision de la décision"},
        )
    return rows


def _journal_revision(
    s: Session, user: str, dossier_id: int, changes: dict[str, Any], redo: list[Notification]
) -> None:
    """The dossier's journal line (keys are the French labels the journal prints)."""
    text = _history_text({k: changes[k] for k in ("decision", "votes")})
    entry: dict[str, Any] = {"Décision": text.removeprefix("Décision révisée : ")}
    entry["Motivation de la révision"] = changes["motivation"][1]
    if changes.get("derogation"):
        entry["Dérogation à l'enveloppe"] = changes["derogation"]
    if redo:
        entry["Lettre"] = "déjà générée : à refaire"
    audit.record(s, user, "dossier", dossier_id, "révision", entry)


def _stale_dossier(db: Database, dossier_id: int) -> UserError:
    with db.session() as s:
        d = _load_dossier(s, dossier_id)
        return audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)


def revision_form(db: Database, dossier_id: int) -> RevisionForm:
    """The decision as it stands, for the dialog (refused like the revision itself when the
    dossier cannot be revised)."""
    with db.session() as s:
        d = _load_dossier(s, dossier_id)
        point = _revisable_point(s, d)
        comite = load_comite(s, point.comite_id) if point is not None else None
        financeurs = _financeurs(s, d, {})
        voted = _old_votes(point, d)
        demande: dict[int, int] = {}
        propose: dict[int, int | None] = {}
        for ligne in d.lignes:
            if ligne.financeur_id is None:
                continue
            demande[ligne.financeur_id] = demande.get(ligne.financeur_id, 0) + ligne.demande_cents
            if ligne.propose_cents is not None:
                propose[ligne.financeur_id] = (propose.get(ligne.financeur_id) or 0) + ligne.propose_cents
        montants = tuple(
            FinanceurMontants(f.id, f.code, f.nom, demande.get(f.id, 0), propose.get(f.id), voted.get(f.id))
            for f in sorted(financeurs.values(), key=lambda f: (f.position, f.id))
        )
        letters = s.scalars(select(Notification).where(Notification.dossier_id == d.id)).all()
        return RevisionForm(
            dossier_id=d.id,
            reference=d.reference,
            version=d.version,
            statut=Statut(d.statut),
            decision=str(point.decision if point else (d.decision or d.statut)),
            comite=_what(comite) if comite is not None else "décision enregistrée sans séance",
            cout_total_cents=d.cout_total_cents,
            montants=montants,
            conditions=point.conditions if point else None,
            motivation=point.motivation if point else None,
            lettre_generee=any(n.etat in _LETTER_MADE or n.fichier for n in letters),
        )
