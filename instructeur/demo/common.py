"""Constants, the summary, internal records and small helpers of the demo generator."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from instructeur.domain.text import fold

DEMO_USER = "démo"
LAST_YEAR = 2026  # the demo's « current » campagne is at most this year
BATCH = 5_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    contrat_id: int
    campagne_ids: tuple[int, ...]  # oldest first; the last one is the campagne en instruction
    nb_dossiers: int
    nb_porteurs: int
    comite_id: int
    seconds: float


# --- Internal records --------------------------------------------------------------------------


@dataclass
class _Campagne:
    id: int
    annee: int
    current: bool
    items: list[int]  # recevabilité item ids, by position
    share: float = 0.0
    dossiers: list[_Dossier] = field(default_factory=list)

    @property
    def comite_date(self) -> date:
        return date(self.annee, 4, 9)


@dataclass
class _Leaf:
    id: int
    axe_id: int
    theme: str
    order: int  # depth-first position in the cadre


@dataclass
class _Porteur:
    id: int
    ville: str
    public: bool


@dataclass
class _Dossier:
    row: dict[str, Any]
    leaf: _Leaf
    theme: str
    lignes: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str | None, str, datetime, str | None]] = field(default_factory=list)
    quartiers: list[int] = field(default_factory=list)
    objectifs_secondaires: list[int] = field(default_factory=list)
    classements: list[int] = field(default_factory=list)  # one node per additional classification
    axes: list[int] = field(default_factory=list)
    recevabilite_ko: dict[int, str] = field(default_factory=dict)  # item position → commentaire
    notified_on: date | None = None

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def statut(self) -> str:
        return str(self.row["statut"])


# --- Helpers -----------------------------------------------------------------------------------


def _insert(s: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        s.execute(table.insert(), list(rows[start : start + BATCH]))


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _round_to(cents: int, step: int) -> int:
    return max(step, (cents + step // 2) // step * step)


def _commune_code(commune: str) -> str:
    words = [w for w in re.split(r"[\s'-]+", fold(commune).upper()) if w]
    head = words[:2] if words and words[0] in ("SAINT", "LE", "LA", "LES") else words[:1]
    return ("VILLE-" + "-".join(head))[:20]


def _de(name: str) -> str:
    """« de Calais », « d'Outreau », « du Portel »: the preposition French puts before a place."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la ")):
        if name.startswith(article):
            return f"{contracted}{name[len(article) :]}"
    if fold(name[:1]) in ("a", "e", "i", "o", "u", "y", "h"):
        return f"d'{name}"
    return f"de {name}"


def _ville_de(commune: str) -> str:
    return f"Ville {_de(commune)}"
