"""Scores of the grille d'analyse and the cotation égalité femmes-hommes (DESIGN.md §6). Pure Python.

Exactness: every score is a `Fraction` (no float ever): a total /20 such as 40/3 stays 40/3, so two
dossiers tie only when their scores are really equal. `display()` rounds ROUND_HALF_UP to two
decimals for the screens and the exports only; ranks are computed on the exact values.

**Total of one évaluation (/20).** For the criteria of weight > 0,

    total = 20 × Σ poids_i × (note_i − min_i) / (max_i − min_i)  /  Σ poids_i

so each criterion contributes its position on its own scale (0–3 and 0–20 scales mix fairly) and
a criterion of weight 0 is ignored (its note may be missing). An évaluation lacking the note of a
weighted criterion is **incomplete**: its total is None, it does not count in the aggregate and the
aggregate reports it in `n_incomplete`.

**Dossier score.** Mean of the totals of the évaluations *counted*: no conflict of interest
declared and complete (a conflicted évaluation is excluded even when it holds notes). `spread` =
max − min of the counted totals; `disagreement` when spread ≥ a threshold (default 5 points /20).
No counted évaluation → score None, and the dossier is unranked.

**Z-score normalisation** (strict and generous évaluateurs, DESIGN.md §6): see `zscore_normalise`.

**Ranking:** competition ranking « 1, 2, 2, 4 » on the exact scores, highest first; None unranked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import isqrt, lcm
from typing import Any

__all__ = [
    "DEFAULT_COTATION_LEVELS",
    "DEFAULT_DISAGREEMENT",
    "DEFAULT_QUESTIONS",
    "DEFAULT_RULE",
    "CotationSettings",
    "CritereSpec",
    "DossierScore",
    "EvaluationInput",
    "Scorer",
    "ScoredEvaluation",
    "aggregate",
    "display",
    "eliminatoire",
    "propose_cotation",
    "rank",
    "weighted_total_20",
    "zscore_normalise",
]

SCALE = 20
DEFAULT_DISAGREEMENT = Fraction(5)
_CENT = Decimal("0.01")

Number = Fraction | Decimal | int


# --- Grille d'analyse ------------------------------------------------------------------------


@dataclass(frozen=True)
class CritereSpec:
    """What the arithmetic needs from a criterion (the services build it from `Critere` rows)."""

    id: int
    poids: int = 1
    echelle_min: int = 0
    echelle_max: int = 3
    eliminatoire: bool = False
    libelle: str = ""


class Scorer:
    """The totals of one grille, precomputed: integer sums plus one Fraction per évaluation.

    With L = lcm of the ranges (max − min), criterion i weighs k_i = poids_i × L / range_i, and
    total = 20 × Σ k_i × (note_i − min_i) / (Σ poids_i × L): exact, and fast for 25 000 évaluations.
    """

    def __init__(self, criteria: Sequence[CritereSpec]) -> None:
        weighted = [c for c in criteria if c.poids > 0]
        for c in criteria:
            if c.echelle_min >= c.echelle_max:
                raise ValueError(f"critère {c.id} : échelle {c.echelle_min}–{c.echelle_max} invalide")
            if c.poids < 0:
                raise ValueError(f"critère {c.id} : poids négatif")
        span = lcm(*(c.echelle_max - c.echelle_min for c in weighted)) if weighted else 1
        self.criteria = tuple(criteria)
        self._terms = tuple(
            (c.id, c.echelle_min, c.echelle_max, c.poids * span // (c.echelle_max - c.echelle_min))
            for c in weighted
        )
        self._denominator = sum(c.poids for c in weighted) * span

    def total(self, notes: Mapping[int, int]) -> Fraction | None:
        """The exact total /20, or None when a weighted criterion has no note (or none is weighted)."""
        if not self._terms:
            return None
        numerator = 0
        for critere_id, low, high, k in self._terms:
            value = notes.get(critere_id)
            if value is None:
                return None
            problem = note_problem(value, low, high)
            if problem:
                raise ValueError(f"critère {critere_id} : {problem}")
            numerator += k * (value - low)
        return Fraction(SCALE * numerator, self._denominator)


def note_problem(value: int, echelle_min: int, echelle_max: int) -> str | None:
    """Why a note is refused, None when it is right: a note lies within its critère's scale. The
    fiche, the matrix, the scoring file and the CLI all ask here; the database refuses the same
    notes (migration 0008)."""
    if not echelle_min <= value <= echelle_max:
        return f"note {value} hors de l'échelle {echelle_min}–{echelle_max}"
    return None


def weighted_total_20(criteria: Sequence[CritereSpec], notes: Mapping[int, int]) -> Fraction | None:
    """Σ poids × (note − min)/(max − min) / Σ poids × 20, exact; None when incomplete (module doc)."""
    return Scorer(criteria).total(notes)


def display(value: Number | None) -> Decimal | None:
    """Two decimals, ROUND_HALF_UP, for display only (13.335 → 13.34; 40/3 → 13.33)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 50
            exact = Decimal(value.numerator) / Decimal(value.denominator)
            return exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- Aggregation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationInput:
    """One évaluateur's notes on one dossier (critère id → note)."""

    evaluateur_id: int
    notes: Mapping[int, int]
    conflit: bool = False


@dataclass(frozen=True)
class ScoredEvaluation:
    """One évaluation reduced to what the aggregate needs; `total` None = incomplete."""

    evaluateur_id: int
    total: Fraction | None
    conflit: bool = False

    @property
    def counted(self) -> bool:
        return not self.conflit and self.total is not None


def score_evaluation(scorer: Scorer, evaluation: EvaluationInput) -> ScoredEvaluation:
    return ScoredEvaluation(evaluation.evaluateur_id, scorer.total(evaluation.notes), evaluation.conflit)


@dataclass(frozen=True)
class DossierScore:
    score: Fraction | None  # exact mean /20 of the counted évaluations
    spread: Fraction | None  # max − min of the counted totals
    disagreement: bool
    n_counted: int
    n_conflicts: int
    n_incomplete: int  # neither in conflict nor complete (includes not started yet)
    totals: tuple[tuple[int, Fraction], ...] = field(default=())  # (évaluateur, total) counted

    @property
    def score_display(self) -> Decimal | None:
        return display(self.score)

    @property
    def spread_display(self) -> Decimal | None:
        return display(self.spread)


def aggregate(
    evaluations: Iterable[ScoredEvaluation], *, threshold: Number = DEFAULT_DISAGREEMENT
) -> DossierScore:
    """Mean over the counted évaluations (no conflict, complete), spread and disagreement flag."""
    counted: list[tuple[int, Fraction]] = []
    conflicts = incomplete = 0
    for ev in evaluations:
        if ev.conflit:
            conflicts += 1
        elif ev.total is None:
            incomplete += 1
        else:
            counted.append((ev.evaluateur_id, ev.total))
    if not counted:
        return DossierScore(None, None, False, 0, conflicts, incomplete)
    values = [total for _, total in counted]
    spread = max(values) - min(values)
    return DossierScore(
        score=sum(values, Fraction(0)) / len(values),
        spread=spread,
        disagreement=spread >= _fraction(threshold),
        n_counted=len(counted),
        n_conflicts=conflicts,
        n_incomplete=incomplete,
        totals=tuple(counted),
    )


def _fraction(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def zscore_normalise(
    scores_by_evaluateur: Mapping[int, Mapping[int, Number]],
) -> dict[int, dict[int, Fraction]]:
    """Cancels strict and generous évaluateurs: {évaluateur: {dossier: total}} → same shape.

    For évaluateur e with totals s over the dossiers they scored, mean m_e and *population*
    standard deviation σ_e (divide by n): z = (s − m_e) / σ_e, and z = 0 when σ_e = 0 (a single
    dossier, or the same total everywhere). To stay readable on /20 the z-scores are put back on
    the pooled scale: normalised = M + z × Σ, where M and Σ are the mean and population standard
    deviation of all the raw totals given (every évaluateur × dossier pair). A generous évaluateur
    (13, 19) and a strict one (5, 11) scoring the same two dossiers: M = 12, Σ = 5, z = (−1, +1)
    for both, so both map to (7, 17).

    z × Σ is computed as one square root of an exact rational (exact when it is a perfect square,
    else 40-digit Decimal; never a float) and the result kept to 12 decimals, so values equal in
    theory tie. The result may leave [0, 20] for an outlier: it is a ranking aid, not a note.
    """
    everything = [_fraction(v) for by_dossier in scores_by_evaluateur.values() for v in by_dossier.values()]
    if not everything:
        return {e: {} for e in scores_by_evaluateur}
    big_mean, big_var = _mean_var(everything)
    out: dict[int, dict[int, Fraction]] = {}
    for evaluateur_id, by_dossier in scores_by_evaluateur.items():
        values = {d: _fraction(v) for d, v in by_dossier.items()}
        if not values:
            out[evaluateur_id] = {}
            continue
        mean, var = _mean_var(list(values.values()))
        cache: dict[Fraction, Fraction] = {}  # totals take few distinct values: compute each once
        for v in values.values():
            if v not in cache:
                cache[v] = _round(big_mean + _z_times_std(v - mean, var, big_var))
        out[evaluateur_id] = {d: cache[v] for d, v in values.items()}
    return out


ZSCORE_DECIMALS = 12


def _mean_var(values: list[Fraction]) -> tuple[Fraction, Fraction]:
    mean = sum(values, Fraction(0)) / len(values)
    return mean, sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)


def _z_times_std(deviation: Fraction, var: Fraction, pooled_var: Fraction) -> Fraction:
    """z × Σ = deviation / √var × √pooled_var, as ONE square root of an exact rational (exact when
    it is a perfect square), so that equal |z| give bit-identical results."""
    if var == 0 or deviation == 0:
        return Fraction(0)
    magnitude = _sqrt(deviation * deviation * pooled_var / var)
    return magnitude if deviation > 0 else -magnitude


def _sqrt(value: Fraction) -> Fraction:
    num, den = isqrt(value.numerator), isqrt(value.denominator)
    if num * num == value.numerator and den * den == value.denominator:
        return Fraction(num, den)
    with localcontext() as ctx:
        ctx.prec = 40
        return Fraction((Decimal(value.numerator) / Decimal(value.denominator)).sqrt())


def _round(value: Fraction) -> Fraction:
    """Normalised totals are irrational in general: kept to 12 decimals (ROUND_HALF_UP) so that
    values equal in theory but computed along different paths tie in the ranking."""
    scale = 10**ZSCORE_DECIMALS
    return Fraction((2 * value.numerator * scale + value.denominator) // (2 * value.denominator), scale)


def rank(scores: Mapping[int, Number | None]) -> dict[int, int | None]:
    """Competition ranking, highest first: 18, 15, 15, 12 → 1, 2, 2, 4; None → None (unranked)."""
    ranked = sorted(
        ((key, _fraction(value)) for key, value in scores.items() if value is not None),
        key=lambda kv: kv[1],
        reverse=True,
    )
    out: dict[int, int | None] = {key: None for key, value in scores.items() if value is None}
    previous: Fraction | None = None
    current = 0
    for position, (key, value) in enumerate(ranked, start=1):
        if value != previous:
            current, previous = position, value
        out[key] = current
    return out


def eliminatoire(
    criteria: Sequence[CritereSpec], evaluations: Iterable[EvaluationInput]
) -> list[tuple[CritereSpec, int]]:
    """(critère, évaluateur id) for each counted évaluation (no conflict, complete) that gave the
    minimum of its scale on an éliminatoire criterion: the dossier is « non retenable » unless a
    motivated override exists (the services record it)."""
    scorer = Scorer(criteria)
    blocking = [c for c in criteria if c.eliminatoire]
    hits: list[tuple[CritereSpec, int]] = []
    if not blocking:
        return hits
    for ev in evaluations:
        if ev.conflit or scorer.total(ev.notes) is None:
            continue
        hits.extend((c, ev.evaluateur_id) for c in blocking if ev.notes.get(c.id) == c.echelle_min)
    return hits


# --- Cotation égalité femmes-hommes ----------------------------------------------------------

DEFAULT_COTATION_LEVELS: tuple[tuple[int, str], ...] = (
    (0, "L'égalité F/H n'est pas un objectif de l'action"),
    (1, "L'égalité F/H est un objectif significatif (intégré) de l'action"),
    (2, "L'égalité F/H est l'objectif principal de l'action"),
)

DEFAULT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("diagnostic", "Le diagnostic de l'action est-il sexué (situation des femmes et des hommes) ?"),
    ("objectifs", "L'action se fixe-t-elle des objectifs d'égalité entre les femmes et les hommes ?"),
    (
        "moyens",
        "Des moyens sont-ils prévus pour lever les freins à la participation du sexe sous-représenté ?",
    ),
    ("indicateurs", "Les indicateurs de suivi et d'évaluation sont-ils sexués ?"),
    ("principal", "L'égalité entre les femmes et les hommes est-elle l'objectif principal de l'action ?"),
)

# Yes to the principal question → level 2; otherwise at least 3 yes among the other questions → 1;
# otherwise 0. Data, so that a campagne can change it (Paramètres).
DEFAULT_RULE: dict[str, Any] = {
    "principal_question": "principal",
    "principal_implies": 2,
    "threshold_for_1": 3,
}


def propose_cotation(answers: Mapping[str, bool], rule: Mapping[str, Any] | None = None) -> int:
    """The level the questionnaire suggests, by `rule` (DEFAULT_RULE when None)."""
    rule = DEFAULT_RULE if rule is None else rule
    principal = rule.get("principal_question")
    if principal and answers.get(str(principal)):
        return int(rule["principal_implies"])
    yes = sum(1 for code, value in answers.items() if value and code != principal)
    return 1 if yes >= int(rule["threshold_for_1"]) else 0


@dataclass(frozen=True)
class CotationSettings:
    """A campagne's cotation F/H: level wordings, questionnaire, rule (stored as JSON)."""

    levels: tuple[tuple[int, str], ...] = DEFAULT_COTATION_LEVELS
    questions: tuple[tuple[str, str], ...] = DEFAULT_QUESTIONS
    rule: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_RULE))

    def propose(self, answers: Mapping[str, bool]) -> int:
        return propose_cotation(answers, self.rule)

    @property
    def level_values(self) -> tuple[int, ...]:
        return tuple(n for n, _ in self.levels)

    def label(self, level: int | None) -> str:
        return next((text for n, text in self.levels if n == level), "")

    def problems(self) -> list[str]:
        """French problems (empty when the settings are usable)."""
        out: list[str] = []
        values = [n for n, _ in self.levels]
        if values != list(range(len(values))) or len(values) < 2:
            out.append("cotation F/H : les niveaux doivent être numérotés 0, 1, 2… sans trou (au moins deux)")
        if any(not text.strip() for _, text in self.levels):
            out.append("cotation F/H : chaque niveau doit avoir un libellé")
        codes = [code for code, _ in self.questions]
        if any(not code.strip() for code in codes) or len(set(codes)) != len(codes):
            out.append("cotation F/H : chaque question doit avoir un code unique")
        if any(not text.strip() for _, text in self.questions):
            out.append("cotation F/H : chaque question doit avoir un libellé")
        principal = self.rule.get("principal_question")
        if principal and principal not in codes:
            out.append(f"règle de cotation : la question « {principal} » n'existe pas")
        try:
            implies = int(self.rule.get("principal_implies", 2))
            threshold = int(self.rule["threshold_for_1"])
        except (KeyError, TypeError, ValueError):
            out.append("règle de cotation : seuil du niveau 1 manquant ou non entier")
            return out
        if implies not in values:
            out.append(f"règle de cotation : le niveau {implies} n'existe pas")
        if 1 not in values:
            out.append("règle de cotation : le niveau 1 n'existe pas")
        others = len([c for c in codes if c != principal])
        if not 1 <= threshold <= max(others, 1):
            out.append(f"règle de cotation : le seuil du niveau 1 doit être entre 1 et {max(others, 1)}")
        return out

    def to_json(self) -> str:
        return json.dumps(
            {
                "levels": [list(level) for level in self.levels],
                "questions": [list(q) for q in self.questions],
                "rule": dict(self.rule),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> CotationSettings:
        data = json.loads(text)
        return cls(
            levels=tuple((int(n), str(t)) for n, t in data.get("levels", DEFAULT_COTATION_LEVELS)),
            questions=tuple((str(c), str(t)) for c, t in data.get("questions", DEFAULT_QUESTIONS)),
            rule=dict(data.get("rule", DEFAULT_RULE)),
        )
