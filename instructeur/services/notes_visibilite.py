"""The campagne's option « an évaluateur reads the others' notes of a dossier once their own is
complete », kept in `setting` (key per campagne, no schema change), and the filter the notation
service applies for an évaluateur (the rule: domain/notes_visibilite.py; on PostgreSQL the
server applies it too, storage/roles_evaluateur.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain.notes_visibilite import (
    NOTES_AFTER_SUBMIT_PREFIX,
    OwnEvaluation,
    others_visible,
    own_notes_visible,
)
from instructeur.errors import NotFoundError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Campagne, Dossier, Setting

if TYPE_CHECKING:
    from instructeur.services.notation import EvaluationDto


def setting_key(campagne_id: int) -> str:
    return f"{NOTES_AFTER_SUBMIT_PREFIX}{campagne_id}"


def option(s: Session, campagne_id: int) -> bool:
    return s.scalar(select(Setting.value).where(Setting.key == setting_key(campagne_id))) == "1"


def visible(
    s: Session, dossier_id: int, evaluations: Sequence[EvaluationDto], viewer: Collection[int]
) -> list[EvaluationDto]:
    """What an évaluateur (their évaluateur ids: `viewer`) reads of a dossier's évaluations:
    their own (without notes under a conflict), the others' only under the campagne's option."""
    own = [e for e in evaluations if e.evaluateur_id in viewer]
    campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
    on = campagne_id is not None and option(s, campagne_id)
    others = others_visible(on, [OwnEvaluation(e.complete, e.conflit) for e in own])
    out = []
    for e in evaluations:
        if e.evaluateur_id in viewer:
            out.append(e if own_notes_visible(e.conflit) else dataclasses.replace(e, notes={}, total=None))
        elif others:
            out.append(e)
    return out


class NotesVisibiliteService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def get(self, campagne_id: int) -> bool:
        with self.db.session() as s:
            return option(s, campagne_id)

    def set(self, campagne_id: int, on: bool) -> None:
        """Paramètres of the campagne (chef de projet): recorded in the journal."""
        with self.db.session() as s:
            if s.get(Campagne, campagne_id) is None:
                raise NotFoundError(f"campagne {campagne_id} introuvable")
            before = option(s, campagne_id)
            if before == on:
                return
            row = s.get(Setting, setting_key(campagne_id))
            if row is None:
                s.add(Setting(key=setting_key(campagne_id), value="1" if on else "0"))
            else:
                row.value = "1" if on else "0"
            audit.record(
                s, self.user, "campagne", campagne_id, "update", {"notes_apres_notation": [before, on]}
            )
