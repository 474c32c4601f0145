"""Cotation égalité F/H instruite (DESIGN.md §6): the questionnaire proposes a level, the
instructeur confirms it or retains another one with a justification. Pure rule, called by the
instruction service and by the fiche before it saves."""

from __future__ import annotations

JUSTIFICATION_REQUIRED = "justification obligatoire quand la cotation retenue diffère de la cotation proposée"


def override_problem(proposed: int | None, retained: int | None, justification: str | None) -> str | None:
    """French reason why the retained level cannot be saved as is, None when it can: a level
    other than the questionnaire's proposal needs a justification."""
    if retained is None or proposed is None or retained == proposed:
        return None
    return None if (justification or "").strip() else JUSTIFICATION_REQUIRED
