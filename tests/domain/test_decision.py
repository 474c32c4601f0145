"""The one rule of a comité decision (instructeur/domain/decision.py), used by the séance and by
« Modifier la décision »; and the fiche's rule that a voted amount only comes from a decision."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from instructeur.domain.decision import (
    EnveloppeLoad,
    check_decision,
    decision_basics,
    vote_change_problems,
)

ETAT = EnveloppeLoad(1, "ETAT", enveloppe_cents=10_000_00, others_cents=4_000_00, previous_cents=0)


def test_basics() -> None:
    assert decision_basics("retenu", {1: 100}, None) == []
    assert decision_basics("peut-etre", {}, None) == [
        "décision inconnue : « peut-etre » (retenu, ajourne ou refuse)"
    ]
    assert decision_basics("refuse", {1: 100}, None) == [
        "décision « Refusé » : aucun montant ne peut être voté",
        "une motivation est obligatoire pour la décision « Refusé »",
    ]
    assert decision_basics("ajourne", {}, "  ") == [
        "une motivation est obligatoire pour la décision « Ajourné »"
    ]
    assert "montant voté négatif" in decision_basics("retenu", {1: -1}, None)[0]


def test_cout_total_and_enveloppe() -> None:
    ok = check_decision("retenu", {1: 6_000_00}, 6_000_00, None, None, [ETAT], "26-1")
    assert ok.ok and ok.exceeded == ()
    over_cost = check_decision("retenu", {1: 6_000_01}, 6_000_00, None, None, [ETAT], "26-1")
    assert over_cost.problems[0].startswith(
        "dossier 26-1 : le total voté (6\u00a0000,01\u00a0€) dépasse le coût total"
    )
    over = check_decision("retenu", {1: 7_000_00}, 9_000_00, None, None, [ETAT])
    assert over.problems == (
        "enveloppe ETAT dépassée de 1\u00a0000,00\u00a0€ (enveloppe 10\u00a0000,00\u00a0€) : "
        "une motivation de dérogation est obligatoire",
    )
    derogation = check_decision("retenu", {1: 7_000_00}, 9_000_00, None, "Prioritaire", [ETAT])
    assert derogation.ok and [(e.code, e.over_cents) for e in derogation.exceeded] == [("ETAT", 1_000_00)]
    # A vote that does not rise is not checked again (its earlier dérogation stands).
    kept = EnveloppeLoad(1, "ETAT", 10_000_00, 4_000_00, previous_cents=7_000_00)
    assert check_decision("retenu", {1: 7_000_00}, 9_000_00, None, None, [kept]).ok
    # Refused or ajourné: no amount counts.
    assert check_decision("refuse", {}, 0, "Hors cadre", None, [ETAT]).ok


@given(
    enveloppe=st.integers(0, 10**9),
    others=st.integers(0, 10**9),
    previous=st.integers(0, 10**9),
    vote=st.integers(0, 10**9),
    cout=st.integers(0, 2 * 10**9),
    override=st.sampled_from([None, "", "  ", "Prioritaire"]),
)
def test_an_overrun_never_passes_without_a_derogation(
    enveloppe: int, others: int, previous: int, vote: int, cout: int, override: str | None
) -> None:
    env = EnveloppeLoad(7, "CAF", enveloppe, others, previous)
    check = check_decision("retenu", {7: vote}, cout, None, override, [env])
    rises_over = vote > previous and others + vote > enveloppe
    assert bool(check.exceeded) == rises_over
    if check.ok:
        assert vote <= cout
        assert not rises_over or (override or "").strip()
    if vote > cout:
        assert not check.ok


def test_vote_change_problems() -> None:
    names = {1: "État", 2: "EPCI"}
    same = [(1, 4_000_00), (2, 0), (None, None)]
    assert vote_change_problems(same, [(2, None), (1, 4_000_00), (None, None)], names) == []
    changed = vote_change_problems(same, [(1, 99_999_00), (2, 0)], names)
    assert changed == [
        "plan de financement, État : le montant voté (4\u00a0000,00\u00a0€ → 99\u00a0999,00\u00a0€) ne se modifie "
        "que par une décision du comité (« Modifier la décision… » dans l'onglet « Comité et suivi »)"
    ]
    assert "aucun → 1,00" in vote_change_problems([], [(None, 1_00)])[0]
    assert "autre ressource" in vote_change_problems([], [(None, 1_00)])[0]
    assert "4\u00a0000,00\u00a0€ → aucun" in vote_change_problems(same, [(2, 0)], names)[0]
