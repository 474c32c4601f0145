"""The comité's DTOs and labels (contract: docs/COMITE_API.md), shared by `comites.py`,
`comite_rows.py`, `comite_decisions.py`, `scenarios.py` and the GUI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from instructeur.domain.decision import DECISION_LABELS, DECISIONS
from instructeur.domain.etats import COMITE_STATUT_LABELS, COMITE_TYPE_LABELS

__all__ = [
    "COMITE_STATUT_LABELS",
    "COMITE_TYPE_LABELS",
    "DECISIONS",
    "DECISION_LABELS",
    "ORDERS",
    "ComiteRow",
    "CotationState",
    "DecisionResult",
    "EnveloppeState",
    "FinanceurMontants",
    "HistoriqueFinancement",
    "MembreData",
    "MembreRow",
    "PointRow",
    "Tableau",
]

ORDERS = ("axe", "score", "qpv", "manuel")


@dataclass(frozen=True)
class MembreData:
    nom: str
    fonction: str | None = None
    financeur_id: int | None = None
    present: bool = True


@dataclass(frozen=True)
class MembreRow:
    id: int
    nom: str
    fonction: str | None
    financeur_id: int | None
    financeur_code: str | None
    present: bool


@dataclass(frozen=True)
class ComiteRow:
    id: int
    campagne_id: int
    type: str
    date_seance: date | None
    lieu: str | None
    statut: str  # preparation | en_seance | clos
    nb_points: int
    nb_decides: int
    version: int


@dataclass(frozen=True)
class FinanceurMontants:
    financeur_id: int
    code: str
    nom: str
    demande_cents: int
    propose_cents: int | None
    vote_cents: int | None


@dataclass(frozen=True)
class HistoriqueFinancement:
    annee: int
    reference: str
    intitule: str
    statut_label: str
    vote_cents: int | None
    crf_recu_le: date | None


@dataclass(frozen=True)
class PointRow:
    id: int
    position: int
    dossier_id: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    public_prevu: int | None
    public_femmes: int | None
    public_hommes: int | None
    cout_total_cents: int
    montants: tuple[FinanceurMontants, ...]
    score: Decimal | None
    spread: Decimal | None
    disagreement: bool
    rank: int | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    avis: str | None
    avis_motivation: str | None
    axe: str | None
    objectif: str | None
    historique: tuple[HistoriqueFinancement, ...]
    decision: str | None  # retenu | ajourne | refuse | None
    conditions: str | None
    motivation: str | None
    membres_en_conflit: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class EnveloppeState:
    financeur_id: int
    code: str
    nom: str
    enveloppe_cents: int
    vote_cents: int
    reste_cents: int
    exceeded: bool


@dataclass(frozen=True)
class CotationState:
    niveau: int | None
    label: str
    demande_cents: int
    vote_cents: int


@dataclass(frozen=True)
class Tableau:
    enveloppes: tuple[EnveloppeState, ...]
    cotations: tuple[CotationState, ...]
    total_vote_cents: int
    nb_decides: int
    nb_points: int


@dataclass(frozen=True)
class DecisionResult:
    version: int
    warnings: tuple[str, ...]
    tableau: Tableau
