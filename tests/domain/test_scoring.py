"""Scoring arithmetic, hand-computed: every expected value is written as an exact fraction."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from instructeur.domain.scoring import (
    DEFAULT_QUESTIONS,
    DEFAULT_RULE,
    CotationSettings,
    CritereSpec,
    EvaluationInput,
    ScoredEvaluation,
    Scorer,
    aggregate,
    display,
    eliminatoire,
    propose_cotation,
    rank,
    score_evaluation,
    weighted_total_20,
    zscore_normalise,
)

# A (0–3, poids 2), B (0–20, poids 1), C (1–5, poids 3), D (0–3, poids 0: ignored)
A = CritereSpec(1, poids=2, echelle_min=0, echelle_max=3, libelle="A")
B = CritereSpec(2, poids=1, echelle_min=0, echelle_max=20, libelle="B")
C = CritereSpec(3, poids=3, echelle_min=1, echelle_max=5, libelle="C")
D = CritereSpec(4, poids=0, echelle_min=0, echelle_max=3, libelle="D")
MIXED = [A, B, C, D]


def test_mixed_scales_and_weights_give_the_exact_total() -> None:
    # 2×(2/3) + 1×(15/20) + 3×(3/4) = 4/3 + 3/4 + 9/4 = 13/3 ; / Σpoids 6 × 20 = 130/9
    assert weighted_total_20(MIXED, {1: 2, 2: 15, 3: 4}) == Fraction(130, 9)
    assert display(Fraction(130, 9)) == Decimal("14.44")


def test_a_criterion_weighted_zero_is_ignored_noted_or_not() -> None:
    assert weighted_total_20(MIXED, {1: 2, 2: 15, 3: 4, 4: 0}) == Fraction(130, 9)
    assert weighted_total_20(MIXED, {1: 2, 2: 15, 3: 4, 4: 3}) == Fraction(130, 9)


def test_extremes_of_each_scale() -> None:
    assert weighted_total_20(MIXED, {1: 0, 2: 0, 3: 1}) == 0
    assert weighted_total_20(MIXED, {1: 3, 2: 20, 3: 5}) == 20


def test_default_grille_all_satisfaisant_is_40_thirds() -> None:
    criteria = [CritereSpec(i) for i in range(1, 9)]
    total = weighted_total_20(criteria, dict.fromkeys(range(1, 9), 2))
    assert total == Fraction(40, 3)
    assert display(total) == Decimal("13.33")


def test_a_missing_weighted_note_makes_the_evaluation_incomplete() -> None:
    assert weighted_total_20(MIXED, {1: 2, 3: 4}) is None


def test_a_note_out_of_scale_is_an_error() -> None:
    with pytest.raises(ValueError):
        weighted_total_20(MIXED, {1: 4, 2: 15, 3: 4})
    with pytest.raises(ValueError):
        weighted_total_20(MIXED, {1: 2, 2: 15, 3: 0})  # C starts at 1


def test_display_rounds_half_up_only_for_display() -> None:
    assert display(Fraction(13335, 1000)) == Decimal("13.34")
    assert display(Fraction(-13335, 1000)) == Decimal("-13.34")
    assert display(None) is None


def _ev(evaluateur: int, total: Fraction | int | None, conflit: bool = False) -> ScoredEvaluation:
    return ScoredEvaluation(evaluateur, None if total is None else Fraction(total), conflit)


def test_aggregate_mean_spread_and_disagreement() -> None:
    score = aggregate([_ev(1, 12), _ev(2, 15), _ev(3, 18)])
    assert (score.score, score.spread, score.disagreement) == (15, 6, True)
    assert (score.n_counted, score.n_conflicts, score.n_incomplete) == (3, 0, 0)


def test_disagreement_flag_at_the_threshold() -> None:
    assert aggregate([_ev(1, 12), _ev(2, 17)]).disagreement is True  # spread 5 = threshold
    assert aggregate([_ev(1, 12), _ev(2, Fraction(84, 5))]).disagreement is False  # spread 4.8
    assert aggregate([_ev(1, 12), _ev(2, 15)], threshold=3).disagreement is True
    assert aggregate([_ev(1, 12), _ev(2, 15)], threshold=Decimal("3.5")).disagreement is False


def test_conflicts_and_incomplete_evaluations_do_not_count() -> None:
    score = aggregate([_ev(1, 20, conflit=True), _ev(2, 10), _ev(3, None), _ev(4, None, conflit=True)])
    assert score.score == 10 and score.spread == 0 and score.disagreement is False
    assert (score.n_counted, score.n_conflicts, score.n_incomplete) == (1, 2, 1)
    assert score.totals == ((2, Fraction(10)),)


def test_every_evaluateur_in_conflict_gives_no_score_and_no_rank() -> None:
    score = aggregate([_ev(1, 18, conflit=True), _ev(2, 9, conflit=True)])
    assert score.score is None and score.spread is None and score.n_conflicts == 2
    assert rank({10: score.score, 11: Fraction(5)}) == {10: None, 11: 1}


def test_aggregate_keeps_exact_means() -> None:
    # (130/9 + 40/3) / 2 = (130/9 + 120/9) / 2 = 125/9
    score = aggregate([_ev(1, Fraction(130, 9)), _ev(2, Fraction(40, 3))])
    assert score.score == Fraction(125, 9)
    assert score.spread == Fraction(10, 9)
    assert score.score_display == Decimal("13.89")


def test_score_evaluation_goes_through_the_scorer() -> None:
    scorer = Scorer(MIXED)
    scored = score_evaluation(scorer, EvaluationInput(7, {1: 2, 2: 15, 3: 4}))
    assert scored == ScoredEvaluation(7, Fraction(130, 9), False) and scored.counted


def test_competition_ranking_ties() -> None:
    assert rank({1: Fraction(18), 2: Fraction(15), 3: Fraction(15), 4: Fraction(12), 5: None}) == {
        1: 1,
        2: 2,
        3: 2,
        4: 4,
        5: None,
    }


def test_ranking_uses_exact_values_not_the_rounded_display() -> None:
    # 40/3 = 13.3333… and 13.33 both display « 13,33 » but are not tied.
    assert rank({1: Fraction(1333, 100), 2: Fraction(40, 3)}) == {2: 1, 1: 2}


def test_zscore_makes_a_strict_and_a_generous_evaluateur_agree() -> None:
    # Generous (13, 19): mean 16, σ 3; strict (5, 11): mean 8, σ 3 → z = (−1, +1) for both.
    # Pooled 13, 19, 5, 11: mean 12, variance (1 + 49 + 49 + 1)/4 = 25, σ 5 → 12 ∓ 5 = (7, 17).
    out = zscore_normalise({1: {100: 13, 200: 19}, 2: {100: 5, 200: 11}})
    assert out == {1: {100: Fraction(7), 200: Fraction(17)}, 2: {100: Fraction(7), 200: Fraction(17)}}
    # Raw means: dossier 100 → 9, dossier 200 → 15 (spread 8, a disagreement); normalised: no spread.
    normalised = aggregate([_ev(1, out[1][100]), _ev(2, out[2][100])])
    assert normalised.score == 7 and normalised.spread == 0


def test_zscore_of_a_single_or_constant_evaluateur_is_the_pooled_mean() -> None:
    # Pooled 13, 19, 4: mean 12; évaluateur 3 scored one dossier: σ = 0 → z = 0 → 12.
    out = zscore_normalise({1: {100: 13, 200: 19}, 3: {300: 4}})
    assert out[3] == {300: Fraction(12)}
    # Évaluateur 1: z = ∓1 → 12 ∓ √38 (pooled variance (1 + 49 + 64)/3 = 38).
    low, high = out[1][100], out[1][200]
    assert low + high == 24 and abs(float(high - 12) ** 2 - 38) < 1e-9


def test_eliminatoire_hits_only_counted_evaluations() -> None:
    elim = CritereSpec(1, echelle_min=0, echelle_max=3, eliminatoire=True, libelle="Public QPV")
    other = CritereSpec(2, libelle="Budget")
    criteria = [elim, other]
    hits = eliminatoire(
        criteria,
        [
            EvaluationInput(1, {1: 0, 2: 3}),  # complete, minimum on the éliminatoire criterion: hit
            EvaluationInput(2, {1: 0, 2: 3}, conflit=True),  # in conflict: excluded
            EvaluationInput(3, {1: 0}),  # incomplete: excluded
            EvaluationInput(4, {1: 1, 2: 0}),  # minimum on a non-éliminatoire criterion only
        ],
    )
    assert hits == [(elim, 1)]


def test_eliminatoire_uses_the_scale_minimum() -> None:
    elim = CritereSpec(1, echelle_min=1, echelle_max=5, eliminatoire=True)
    assert eliminatoire([elim], [EvaluationInput(1, {1: 1})]) == [(elim, 1)]
    assert eliminatoire([elim], [EvaluationInput(1, {1: 2})]) == []


def test_default_cotation_rule() -> None:
    no = dict.fromkeys((code for code, _ in DEFAULT_QUESTIONS), False)
    assert propose_cotation(no) == 0
    assert propose_cotation(no | {"principal": True}) == 2
    assert propose_cotation(no | {"diagnostic": True, "objectifs": True, "moyens": True}) == 1
    assert propose_cotation(no | {"diagnostic": True, "objectifs": True}) == 0
    assert propose_cotation({"principal": True}, DEFAULT_RULE) == 2


def test_the_cotation_rule_is_data() -> None:
    two = {"diagnostic": True, "objectifs": True}
    assert (
        propose_cotation(
            two, {"principal_question": "principal", "principal_implies": 2, "threshold_for_1": 2}
        )
        == 1
    )
    # Without a principal question, « principal » is counted like the others.
    assert (
        propose_cotation(two | {"principal": True}, {"principal_question": None, "threshold_for_1": 3}) == 1
    )


def test_cotation_settings_validation_and_json() -> None:
    settings = CotationSettings()
    assert settings.problems() == []
    assert CotationSettings.from_json(settings.to_json()) == settings
    assert settings.label(2).startswith("L'égalité F/H est l'objectif principal")
    bad = CotationSettings(
        levels=((0, "non"), (2, "oui")),
        questions=(("a", "Question ?"), ("a", "")),
        rule={"principal_question": "zz", "principal_implies": 2, "threshold_for_1": 9},
    )
    problems = " | ".join(bad.problems())
    for expected in ("sans trou", "code unique", "libellé", "« zz » n'existe pas", "seuil du niveau 1"):
        assert expected in problems
