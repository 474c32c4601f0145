"""The plausibility ceiling of amounts (Paramètres › Contrat): read and change it.

The rule is `domain.money.ceiling_problem`; `storage.guards` applies it to every money column at
flush time, imports and the CLI while parsing.
"""

from __future__ import annotations

from sqlalchemy import select

from instructeur.domain.money import (
    AMOUNT_HARD_MAX_CENTS,
    CEILING_SETTING,
    format_amount,
)
from instructeur.errors import ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.guards import amount_ceiling
from instructeur.storage.models import Setting

__all__ = ["PlafondService"]


class PlafondService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def get(self) -> int:
        """The ceiling in force, in cents."""
        with self.db.session() as s:
            return amount_ceiling(s)

    def set(self, cents: int) -> None:
        """Change the ceiling: a positive amount, never above the bound the database enforces."""
        if cents <= 0:
            raise ValidationError(["plafond des montants : un montant positif est attendu"])
        if cents > AMOUNT_HARD_MAX_CENTS:
            raise ValidationError(
                [
                    f"plafond des montants : {format_amount(cents)} dépasse la limite de "
                    f"{format_amount(AMOUNT_HARD_MAX_CENTS)}"
                ]
            )
        with self.db.session() as s:
            old = amount_ceiling(s)
            row = s.scalar(select(Setting).where(Setting.key == CEILING_SETTING))
            if row is None:
                s.add(Setting(key=CEILING_SETTING, value=str(cents)))
            else:
                row.value = str(cents)
            if old != cents:
                audit.record(s, self.user, "setting", 0, "update", {"plafond_montant_cents": [old, cents]})
