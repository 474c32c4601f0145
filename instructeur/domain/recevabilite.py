"""Recevabilité of a dossier (DESIGN.md §3): « recevable » needs every mandatory point of the
campagne's checklist ticked. Pure rules: the statut move (`services.dossier_statut.move_statut`),
hence the fiche, the batch action and every other entry point, call them; the fiche calls them to
say in advance what is missing."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple


class Point(NamedTuple):
    """One point of the campagne's recevabilité checklist."""

    id: int
    libelle: str
    obligatoire: bool


def missing_mandatory(items: Iterable[Point], checked_ids: Collection[int]) -> list[str]:
    """Libellés of the mandatory points not ticked, in the checklist's order."""
    return [item.libelle for item in items if item.obligatoire and item.id not in checked_ids]


def recevabilite_problem(missing: list[str]) -> str | None:
    """French reason why the dossier may not become « recevable », or None when it may."""
    if not missing:
        return None
    word = "points obligatoires non cochés" if len(missing) > 1 else "point obligatoire non coché"
    return f"recevabilité incomplète — {word} : " + ", ".join(missing)


def unticked_mandatory(
    items: Iterable[Point], before_ids: Collection[int], after_ids: Collection[int]
) -> list[str]:
    """Libellés of the mandatory points ticked before and no longer ticked after a save."""
    return [i.libelle for i in items if i.obligatoire and i.id in before_ids and i.id not in after_ids]


def untick_problem(unticked: list[str]) -> str | None:
    """A dossier already past « recevable » keeps its mandatory points: French reason why the save
    is refused, None when nothing mandatory was unticked."""
    if not unticked:
        return None
    s = "s" if len(unticked) > 1 else ""
    return (
        f"recevabilité : le dossier est déjà recevable, point{s} obligatoire{s} décoché{s} : "
        + ", ".join(unticked)
        + " (rouvrez-le en « Déposé » pour décocher)"
    )
