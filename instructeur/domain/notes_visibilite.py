"""Who reads which notes of a dossier (HotCRP's rules, DESIGN §6): one pure rule that the
notation service applies and that PostgreSQL enforces for évaluateur logins
(storage/roles_evaluateur.py, `equipe_notes_visibles`).

* The chef de projet, the instructeurs and the lecteurs read every évaluation.
* An évaluateur reads their own évaluations; on a dossier where they declared a conflict of
  interest, not even their own notes.
* The others' notes of a dossier: never, unless the campagne's option « notes des autres après
  sa propre notation » is on and the évaluateur's own évaluation of that dossier is complete
  (every weighted criterion scored) and without a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

NOTES_AFTER_SUBMIT_PREFIX = "notation.notes_apres_soumission."  # + campagne id (setting key)


@dataclass(frozen=True)
class OwnEvaluation:
    complete: bool
    conflit: bool


def others_visible(option: bool, own: list[OwnEvaluation]) -> bool:
    """May the évaluateur whose évaluations of the dossier are `own` read the others' notes?"""
    return option and any(e.complete and not e.conflit for e in own)


def own_notes_visible(conflit: bool) -> bool:
    """A conflicted évaluateur reads no note of that dossier, their own included."""
    return not conflit
