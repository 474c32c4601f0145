"""Changes made outside the application (PostgreSQL triggers, migration 0004) in the Historique.

Every change to the tables that hold money, statut and decisions leaves a technical journal entry
(« sql:update »…, author = session_user), the application's own changes included. The Historique
shows the application's French lines, plus the technical entries of the transactions that have
no application line — changes made with psql or another tool — flagged « modification hors
application ». Values are written as words and amounts in euros, never JSON.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain.journal_labels import field_label
from instructeur.domain.money import format_amount
from instructeur.services.journal import JournalRow
from instructeur.storage.models import AuditLog, ComitePoint, LigneFinancement, Notification

TECHNICAL = "sql:%"  # actions of the trigger-written entries
_ACTIONS = {"sql:insert": "création", "sql:update": "modification", "sql:delete": "suppression"}
_ENTITIES = {
    "dossier": "dossier",
    "ligne_financement": "plan de financement",
    "comite_point": "point du comité",
    "comite_vote": "vote du comité",
    "notification": "lettre",
}


def outside_app_rows(s: Session, dossier_id: int) -> list[JournalRow]:
    """The dossier's technical entries whose transaction wrote no application line."""
    ids = _entity_ids(s, dossier_id)
    logs = [
        log
        for entity, entity_ids in ids.items()
        if entity_ids
        for log in s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id.in_(entity_ids))
            .where(AuditLog.action.like(TECHNICAL))
        )
    ]
    txids = {log.txid for log in logs if log.txid is not None}
    with_app_line = (
        set(
            s.scalars(
                select(AuditLog.txid).where(AuditLog.txid.in_(txids)).where(AuditLog.action.not_like(TECHNICAL))
            )
        )
        if txids
        else set()
    )
    return [
        JournalRow(log.at, log.utilisateur, "Modification hors application", _text(log))
        for log in logs
        if log.txid not in with_app_line
    ]


def _entity_ids(s: Session, dossier_id: int) -> dict[str, list[int]]:
    points = list(s.scalars(select(ComitePoint.id).where(ComitePoint.dossier_id == dossier_id)))
    return {
        "dossier": [dossier_id],
        "ligne_financement": list(
            s.scalars(select(LigneFinancement.id).where(LigneFinancement.dossier_id == dossier_id))
        ),
        "comite_point": points,
        "comite_vote": points,
        "notification": list(s.scalars(select(Notification.id).where(Notification.dossier_id == dossier_id))),
    }


def _text(log: AuditLog) -> str:
    head = f"{_ENTITIES.get(log.entity, log.entity)} : {_ACTIONS.get(log.action, log.action)} hors application"
    try:
        changes = json.loads(log.changes or "{}")
    except ValueError:
        changes = {}
    lines = [head]
    for key, value in sorted(changes.items() if isinstance(changes, dict) else []):
        if key in ("id", "dossier_id", "version", "updated_at", "updated_by"):
            continue
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{field_label(key)} : {_word(key, value[0])} → {_word(key, value[1])}")
        else:
            lines.append(f"{field_label(key)} : {_word(key, value)}")
    return "\n".join(lines)


def _word(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key.endswith("_cents") and isinstance(value, int):
        return format_amount(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)
