"""The comité des financeurs: préparation (comités, ordre du jour, conflits), simulations, séance.

* `ui.comite.preparation.PreparationWindow` — « Comités — <campagne> »: comités, membres, ordre du
  jour (glisser-déposer), conflits d'intérêts, relevé de décisions;
* `ui.comite.scenarios.ScenariosWindow` — « Simulations »: scénarios compared with the enveloppes,
  never touching a decision;
* `ui.comite.seance.SeanceWindow` — the projector mode of the séance.

All of them call `ComiteService` and `ScenarioService` (instructeur/services/{comites,scenarios}.py, see docs/COMITE_API.md);
`ui.actions.comite.ComiteActions` puts them into the main window's « Comité » menu.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from instructeur.domain.dates import format_date
from instructeur.domain.decision import DECISION_LABELS, DECISIONS
from instructeur.domain.etats import COMITE_STATUT_LABELS, COMITE_TYPE_LABELS

if TYPE_CHECKING:
    from instructeur.services.comites import ComiteRow

__all__ = [
    "COMITE_STATUT_LABELS",
    "COMITE_TYPE_LABELS",
    "DECISION_ICONS",
    "DECISION_LABELS",
    "comite_title",
    "decision_icon",
]

# The labels are the domain's (one wording for the windows, the services and the CLI).
DECISION_ICONS = {"retenu": "✓", "ajourne": "⏸", "refuse": "✗"}
DECISION_KEYS = DECISIONS


def decision_icon(decision: str | None) -> str:
    """✓ retenu, ⏸ ajourné (❚❚ when no font of the system draws ⏸), ✗ refusé, « · » undecided."""
    if decision == "ajourne":
        return _pause_icon()
    return DECISION_ICONS.get(decision or "", "·")


@functools.cache
def _pause_icon() -> str:
    from PySide6.QtGui import QFontMetrics, QGuiApplication

    return "⏸" if QFontMetrics(QGuiApplication.font()).inFontUcs4(0x23F8) else "❚❚"


def comite_title(row: ComiteRow) -> str:
    """« Comité des financeurs du 12/03/2026 »."""
    name = COMITE_TYPE_LABELS.get(row.type, row.type)
    return f"{name} du {format_date(row.date_seance)}" if row.date_seance else name
