"""The cotation F/H override rule (pure): a level other than the questionnaire's proposal needs a
justification; confirming the proposal or leaving the dossier « non coté » does not."""

from __future__ import annotations

from instructeur.domain.cotation import JUSTIFICATION_REQUIRED, override_problem


def test_cotation_override_needs_a_justification() -> None:
    assert override_problem(1, 1, None) is None  # the proposal confirmed
    assert override_problem(1, None, None) is None  # non cotée: nothing to justify (but nothing recorded)
    assert override_problem(None, 2, None) is None  # no proposal to differ from
    assert override_problem(1, 2, None) == JUSTIFICATION_REQUIRED
    assert override_problem(1, 0, "   ") == JUSTIFICATION_REQUIRED
    assert override_problem(1, 2, "Public exclusivement féminin") is None
