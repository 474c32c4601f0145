"""The dossiers list: one `DossierRow` per dossier of a campagne with what the columns and the
filters need, in a handful of set-based queries whatever the size (no query per row, the SQL is in
`dossier_list.py`); the score columns; the porteurs directory's totals. `DossierService` inherits
these reading methods."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from instructeur.domain import scoring
from instructeur.services.dossier_list import DossierFilter, DossierRow, Execute, ListScore, dossier_rows
from instructeur.services.notation import load_scores, normalised, scored_evaluations
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, LigneFinancement

__all__ = ["DossierFilter", "DossierListing", "DossierRow", "ListScore"]


def session_execute(s: Session) -> Execute:
    """How the services run `dossier_list`'s SQL: as text on the session's connection (Core rows,
    no ORM result layer for thousands of tuples)."""
    conn = s.connection()
    return lambda sql, params: conn.execute(text(sql), params).all()


def _list_scores(s: Session, campagne_id: int, normalise: bool) -> dict[int, ListScore]:
    """Scores with the notation service's loading and arithmetic (`NotationService.scores`): four
    queries for the whole campagne; ranked over the whole campagne whatever the filter."""
    loaded = load_scores(s, campagne_id=campagne_id)
    evaluated = {did: scored_evaluations(loaded, did) for did in loaded.evaluations}
    if normalise:
        evaluated = normalised(evaluated)
    aggregates = {did: scoring.aggregate(scored) for did, (scored, _) in evaluated.items()}
    ranks = scoring.rank({did: a.score for did, a in aggregates.items()})
    return {
        did: ListScore(a.score, a.spread, a.disagreement, ranks.get(did)) for did, a in aggregates.items()
    }


class DossierListing:
    """The reading side of `DossierService` for lists (needs `self.db`)."""

    db: Database

    def list_rows(
        self,
        campagne_id: int,
        filtre: DossierFilter | None = None,
        *,
        normalise: bool = False,
        with_scores: bool = True,
    ) -> list[DossierRow]:
        """The dossiers of a campagne in référence order (`normalise`: scores z-score normalised
        per évaluateur, see `notation.normalised`; `with_scores=False` leaves them out, for a
        first paint that `list_scores` completes).

        The statements are `dossier_list`'s, which the main window's first paint runs too.
        """
        with self.db.session() as s:
            return dossier_rows(
                session_execute(s),
                campagne_id,
                filtre,
                postgresql=not self.db.is_sqlite,
                scores=(lambda: _list_scores(s, campagne_id, normalise)) if with_scores else None,
            )

    def list_scores(self, campagne_id: int, *, normalise: bool = False) -> dict[int, ListScore]:
        """The score columns of `list_rows`, alone (dossier id → values)."""
        with self.db.session() as s:
            return _list_scores(s, campagne_id, normalise)

    def totals_by_porteur(self, porteur_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
        """porteur id → (number of dossiers, total voté in cents) over every campagne (the
        porteurs directory). Two grouped queries; `None` means every porteur."""
        with self.db.session() as s:
            counts = select(Dossier.porteur_id, func.count(Dossier.id)).group_by(Dossier.porteur_id)
            voted = (
                select(Dossier.porteur_id, func.sum(LigneFinancement.vote_cents))
                .join(LigneFinancement, LigneFinancement.dossier_id == Dossier.id)
                .where(LigneFinancement.financeur_id.is_not(None))
                .group_by(Dossier.porteur_id)
            )
            if porteur_ids is not None:
                counts = counts.where(Dossier.porteur_id.in_(porteur_ids))
                voted = voted.where(Dossier.porteur_id.in_(porteur_ids))
            totals = {pid: int(v or 0) for pid, v in s.execute(voted)}
            return {pid: (int(n), totals.get(pid, 0)) for pid, n in s.execute(counts)}
