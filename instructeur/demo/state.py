"""The generator's shared state (see `instructeur.demo.generator`)."""

from __future__ import annotations

import random
from typing import Any

from instructeur.demo.common import LAST_YEAR, ProgressCallback
from instructeur.referentiels import Referentiel
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Base,
)


class _State:
    """What every part of the generator shares: the database, the random source, the rows."""

    def __init__(
        self, db: Database, ref: Referentiel, n: int, seed: int, progress: ProgressCallback | None
    ) -> None:
        self.db = db
        self.ref = ref
        self.n = n
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress
        debut, fin = ref.periode
        last = min(fin, LAST_YEAR)
        self.years = list(range(max(debut, last - 2), last + 1)) if debut <= last else [debut]
        self.steps_total = 5 + len(self.years)
        self.steps_done = 0
        self.tables = Base.metadata.tables
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.sirens: set[str] = set()
        self.rnas: set[str] = set()

    def _step(self) -> None:
        self.steps_done = min(self.steps_done + 1, self.steps_total)
        if self.progress is not None:
            self.progress(self.steps_done, self.steps_total)

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)
