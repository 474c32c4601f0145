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
