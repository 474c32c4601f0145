"""Append-only audit log and the translation of optimistic-locking failures into French."""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from instructeur.domain.text import clean_text
from instructeur.errors import ConcurrentEditError
from instructeur.storage import journal_chain


def current_user() -> str:
    """Who is working: the OS login, unless INSTRUCTEUR_USER names someone else."""
    import os

    name = os.environ.get("INSTRUCTEUR_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name on some Windows services
        return "inconnu"


def _jsonable(value: Any) -> Any:
    """JSON-ready and cleaned like every stored text (storage/guards.py): the entry is written
    through the connection, past the session's before_flush guard, and hashed as stored."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def record(
    session: Session,
    user: str,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one chained entry now, in the session's transaction (storage/journal_chain.py).
    Written through the connection, not the unit of work: pending objects are not flushed here.
    On PostgreSQL `user` is replaced by the server's session_user."""
    payload = _jsonable(changes or {})
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    journal_chain.append(session.connection(), clean_text(user), entity, entity_id, action, text, datetime.now())


def record_many(
    session: Session, user: str, entries: list[tuple[str, int, str, dict[str, Any] | None]]
) -> None:
    """`record` for many entries at once (bulk imports): one lock, one head read, one insert."""
    rows = [
        (entity, entity_id, action, json.dumps(_jsonable(changes or {}), ensure_ascii=False, sort_keys=True))
        for entity, entity_id, action, changes in entries
    ]
    journal_chain.append_many(session.connection(), clean_text(user), rows, datetime.now())


def concurrent_edit(what: str, updated_by: str | None, updated_at: datetime | None) -> ConcurrentEditError:
    who = updated_by or "un autre utilisateur"
    when = f" le {updated_at:%d/%m/%Y à %H:%M}" if updated_at else ""
    return ConcurrentEditError(
        f"{what} a été modifié par {who}{when} depuis que vous l'avez ouvert : "
        "vos modifications n'ont pas été enregistrées ; rechargez-le pour voir les siennes, puis refaites les vôtres"
    )
