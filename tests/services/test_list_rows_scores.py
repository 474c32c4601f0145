"""Scores, rank and cotation gap in `DossierService.list_rows` equal the notation service's (both
engines), in a number of queries that does not grow with the rows."""

from __future__ import annotations

from sqlalchemy import event

from instructeur.domain import grille_defaut
from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierFilter, DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier
from tests.factories import World, build_world, create_dossier
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture

N_CRITERIA = len(grille_defaut.CRITERES)


def _scenario(db: Database) -> tuple[int, dict[str, int], World]:  # noqa: F811
    """Five dossiers: A and B tie (rank 1, 1; B in disagreement), C third in disagreement, D
    incomplete, E conflict only."""
    world = build_world(db)
    ids = {ref: create_dossier(db, world, ref) for ref in ("A", "B", "C", "D", "E")}
    evaluateurs = EvaluateurService(db, user="t")
    e1 = evaluateurs.create(world.contrat_id, "Anne")
    e2 = evaluateurs.create(world.contrat_id, "Bruno")
    evaluateurs.assign(list(ids.values()), e1)
    evaluateurs.assign([ids["A"], ids["B"], ids["C"], ids["E"]], e2)
    notation = NotationService(db, user="t")

    def score(ref: str, evaluateur: int, value: int | None, count: int = N_CRITERIA) -> None:
        ev = notation.evaluation(ids[ref], evaluateur)
        notes = {c.id: value for c in ev.criteres[:count]}
        notation.save_notes(ev.id, ev.version, notes)

    score("A", e1, 2)
    score("A", e2, 2)
    score("B", e1, 3)
    score("B", e2, 1)  # mean 2 = A's: tie
    score("C", e1, 3)
    score("C", e2, 0)  # spread 20 → disagreement
    score("D", e1, 3, count=3)  # incomplete: no score
    ev = notation.evaluation(ids["E"], e1)
    notation.declare_conflict(ev.id, ev.version, "lien familial")
    with db.session() as s:
        for ref, declared, instructed in (("A", 1, 2), ("B", 1, 1), ("C", None, 0)):
            d = s.get(Dossier, ids[ref])
            assert d is not None
            d.cotation_declaree, d.cotation_instruite = declared, instructed
    return world.campagne_id, ids, world


def test_scores_rank_and_gap_equal_the_notation_service(db: Database) -> None:  # noqa: F811
    campagne_id, ids, world = _scenario(db)
    expected = NotationService(db).scores(campagne_id)
    rows = {r.id: r for r in DossierService(db).list_rows(campagne_id)}
    for did, row in rows.items():
        score = expected[did]
        assert row.score == score.score.score
        assert row.score_spread == score.score.spread
        assert row.disagreement is score.score.disagreement
        assert row.rank == score.rank
    by_ref = {ref: rows[did] for ref, did in ids.items()}
    assert by_ref["A"].rank == by_ref["B"].rank == 1 and by_ref["C"].rank == 3  # 40/3, 40/3, 10
    assert by_ref["B"].disagreement and by_ref["C"].disagreement and not by_ref["A"].disagreement
    assert by_ref["D"].score is None and by_ref["D"].rank is None
    assert by_ref["E"].score is None
    assert by_ref["A"].cotation_gap and not by_ref["B"].cotation_gap and not by_ref["C"].cotation_gap


def test_rank_is_the_campagne_s_whatever_the_filter(db: Database) -> None:  # noqa: F811
    campagne_id, ids, world = _scenario(db)
    expected = NotationService(db).scores(campagne_id)
    with db.session() as s:
        d = s.get(Dossier, ids["A"])
        assert d is not None
        d.statut = Statut.EN_INSTRUCTION.value
    (row,) = DossierService(db).list_rows(
        campagne_id, DossierFilter(statuts=frozenset({Statut.EN_INSTRUCTION}))
    )
    assert row.id == ids["A"] and row.rank == expected[ids["A"]].rank == 1


def _selects(db: Database, campagne_id: int) -> int:  # noqa: F811
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        DossierService(db).list_rows(campagne_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_query_count_with_scores_does_not_grow_with_rows(db: Database) -> None:  # noqa: F811
    campagne_id, ids, world = _scenario(db)
    before = _selects(db, campagne_id)
    more = [create_dossier(db, world, f"Z{n:02d}") for n in range(15)]
    evaluateurs = EvaluateurService(db, user="t")
    evaluateurs.assign(more, evaluateurs.all(world.contrat_id)[0].id)
    assert _selects(db, campagne_id) == before <= 10  # 6 for the list + 4 for the scores
