"""Notation on both engines: notes within each criterion's scale, conflicts of interest, the
matrix with per-évaluation optimistic locking, campagne scores and ranks."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData
from instructeur.services.notation import MatrixChange, NotationService
from instructeur.storage.db import Database
from instructeur.storage.models import Note
from tests.factories import build_world, create_dossier, create_grille


@dataclass
class Setup:
    campagne_id: int
    criteres: list[int]  # A (0–3, poids 2), B (0–20, poids 1), C (1–5, poids 3)
    evaluateurs: list[int]
    dossiers: list[int]


def _setup(db: Database, n_dossiers: int = 3, n_evaluateurs: int = 3) -> Setup:
    world = build_world(db)
    grille_id, criteres = create_grille(
        db,
        world.campagne_id,
        [
            CritereData("Public QPV", poids=2, echelle_min=0, echelle_max=3),
            CritereData("Budget", poids=1, echelle_min=0, echelle_max=20),
            CritereData("Faisabilité", poids=3, echelle_min=1, echelle_max=5),
        ],
    )
    service = EvaluateurService(db, user="chef")
    evaluateurs = [
        service.create(world.contrat_id, nom) for nom in ("Alice", "Bruno", "Chloé")[:n_evaluateurs]
    ]
    dossiers = [create_dossier(db, world, reference=f"26-00000{k + 1}") for k in range(n_dossiers)]
    for eid in evaluateurs:
        service.assign(dossiers, eid)
    return Setup(world.campagne_id, criteres, evaluateurs, dossiers)


def _note(db: Database, setup: Setup, dossier: int, evaluateur: int, a: int, b: int, c: int) -> int:
    notation = NotationService(db, user=f"user{evaluateur}")
    ev = notation.evaluation(dossier, evaluateur)
    return notation.save_notes(ev.id, ev.version, dict(zip(setup.criteres, (a, b, c), strict=True)))


def test_notes_total_and_guidance(db: Database) -> None:
    setup = _setup(db)
    notation = NotationService(db, user="alice")
    ev = notation.evaluation(setup.dossiers[0], setup.evaluateurs[0])
    assert ev.total is None and not ev.complete and ev.grille_numero_version == 1
    assert [c.libelle for c in ev.criteres] == ["Public QPV", "Budget", "Faisabilité"]
    version = notation.save_notes(ev.id, ev.version, {setup.criteres[0]: 2}, "Bon ancrage")
    partial = notation.evaluation(setup.dossiers[0], setup.evaluateurs[0])
    assert partial.version == version > ev.version and partial.total is None
    assert partial.commentaire == "Bon ancrage" and partial.date_evaluation is not None
    notation.save_notes(ev.id, version, {setup.criteres[1]: 15, setup.criteres[2]: 4})
    full = notation.evaluation(setup.dossiers[0], setup.evaluateurs[0])
    assert full.total == Fraction(130, 9) and str(full.total_display) == "14.44"
    assert full.notes == {setup.criteres[0]: 2, setup.criteres[1]: 15, setup.criteres[2]: 4}
    assert full.commentaire == "Bon ancrage"  # None leaves the comment alone
    # None erases a note.
    notation.save_notes(ev.id, full.version, {setup.criteres[1]: None})
    assert notation.evaluation(setup.dossiers[0], setup.evaluateurs[0]).total is None


def test_notes_out_of_scale_are_refused_naming_the_criterion(db: Database) -> None:
    setup = _setup(db)
    notation = NotationService(db)
    ev = notation.evaluation(setup.dossiers[0], setup.evaluateurs[0])
    with pytest.raises(ValidationError) as info:
        notation.save_notes(
            ev.id, ev.version, {setup.criteres[0]: 4, setup.criteres[1]: 21, setup.criteres[2]: 0}
        )
    assert info.value.problems == [
        "dossier 26-000001, « Public QPV » : note 4 hors de l'échelle 0–3",
        "dossier 26-000001, « Budget » : note 21 hors de l'échelle 0–20",
        "dossier 26-000001, « Faisabilité » : note 0 hors de l'échelle 1–5",
    ]
    with db.session() as s:
        assert s.query(Note).count() == 0


def test_conflict_requires_a_motif_refuses_notes_and_leaves_the_aggregate(db: Database) -> None:
    setup = _setup(db)
    d = setup.dossiers[0]
    alice, bruno, _ = setup.evaluateurs
    _note(db, setup, d, alice, 3, 20, 5)  # 20
    _note(db, setup, d, bruno, 0, 0, 1)  # 0
    notation = NotationService(db, user="bruno")
    ev = notation.evaluation(d, bruno)
    with pytest.raises(ValidationError, match="motif est obligatoire"):
        notation.declare_conflict(ev.id, ev.version, "  ")
    version = notation.declare_conflict(ev.id, ev.version, "Trésorier de l'association")
    with pytest.raises(
        UserError, match="conflit d'intérêts déclaré : cet évaluateur ne peut pas noter ce dossier"
    ):
        notation.save_notes(ev.id, version, {setup.criteres[0]: 1})
    declared = notation.evaluation(d, bruno)
    assert declared.conflit and declared.conflit_motif == "Trésorier de l'association"
    assert declared.notes[setup.criteres[0]] == 0  # notes kept, excluded
    score = notation.scores(setup.campagne_id)[d].score
    assert (score.score, score.n_counted, score.n_conflicts, score.n_incomplete) == (20, 1, 1, 1)
    notation.withdraw_conflict(ev.id, declared.version)
    score = notation.scores(setup.campagne_id)[d].score
    assert (score.score, score.spread, score.disagreement) == (10, 20, True)


def test_matrix_rows_columns_and_running_totals(db: Database) -> None:
    setup = _setup(db)
    alice = setup.evaluateurs[0]
    _note(db, setup, setup.dossiers[1], alice, 2, 15, 4)
    matrix = NotationService(db).matrix(setup.campagne_id, alice)
    assert [c.libelle for c in matrix.columns] == ["Public QPV", "Budget", "Faisabilité"]
    assert [r.reference for r in matrix.rows] == ["26-000001", "26-000002", "26-000003"]
    assert [r.total for r in matrix.rows] == [None, Fraction(130, 9), None]
    assert matrix.rows[1].updated_by == f"user{alice}" and matrix.evaluateur_nom == "Alice"


def test_matrix_save_is_one_transaction_and_a_stale_row_names_the_other_user(db: Database) -> None:
    setup = _setup(db)
    alice = setup.evaluateurs[0]
    a, b, c = setup.criteres
    matrix = NotationService(db).matrix(setup.campagne_id, alice)
    r1, r2, _ = matrix.rows
    # Alice's colleague saves row 2 from another machine.
    NotationService(db, user="marie").save_matrix([MatrixChange(r2.evaluation_id, r2.version, {a: 1})])
    with pytest.raises(ConcurrentEditError, match="modifié par marie"):
        NotationService(db, user="alice").save_matrix(
            [
                MatrixChange(r1.evaluation_id, r1.version, {a: 3, b: 20, c: 5}),
                MatrixChange(r2.evaluation_id, r2.version, {a: 2}),
            ]
        )
    fresh = NotationService(db).matrix(setup.campagne_id, alice)
    assert fresh.rows[0].notes == {} and fresh.rows[1].notes == {a: 1}  # nothing of the refused save
    versions = NotationService(db, user="alice").save_matrix(
        [
            MatrixChange(fresh.rows[0].evaluation_id, fresh.rows[0].version, {a: 3, b: 20, c: 5}),
            MatrixChange(fresh.rows[1].evaluation_id, fresh.rows[1].version, {b: 10, c: 3}, "À revoir"),
        ]
    )
    after = NotationService(db).matrix(setup.campagne_id, alice)
    assert [r.total for r in after.rows[:2]] == [
        20,
        Fraction(20 * (2 * 1 * 20 + 1 * 10 * 3 + 3 * 2 * 15), 6 * 60),
    ]
    assert versions == {r.evaluation_id: r.version for r in after.rows[:2]}
    assert after.rows[1].commentaire == "À revoir"


def test_scores_ranks_ties_and_unscored_dossiers(db: Database) -> None:
    setup = _setup(db, n_dossiers=4, n_evaluateurs=2)
    d1, d2, d3, d4 = setup.dossiers
    alice, bruno = setup.evaluateurs
    _note(db, setup, d1, alice, 3, 20, 5)  # 20
    _note(db, setup, d1, bruno, 3, 10, 5)  # 20 × (2 + 1/2 + 3)/6 = 55/3
    _note(db, setup, d2, alice, 0, 0, 1)  # 0
    _note(db, setup, d2, bruno, 3, 20, 5)  # 20   → mean 10, spread 20
    _note(db, setup, d3, alice, 3, 0, 3)  # 20 × (2 + 0 + 3/2)/6 = 35/3
    _note(db, setup, d3, bruno, 0, 20, 3)  # 20 × (0 + 1 + 3/2)/6 = 25/3 → mean 10, spread 10/3
    scores = NotationService(db).scores(setup.campagne_id)
    assert scores[d1].score.score == Fraction(115, 6)  # (20 + 55/3)/2
    assert scores[d1].score.spread == Fraction(5, 3) and not scores[d1].score.disagreement
    assert scores[d2].score.score == 10 and scores[d2].score.disagreement
    assert scores[d3].score.score == 10 and not scores[d3].score.disagreement
    assert scores[d4].score.score is None and scores[d4].score.n_incomplete == 2
    assert {d: row.rank for d, row in scores.items()} == {d1: 1, d2: 2, d3: 2, d4: None}
    assert str(scores[d1].score.score_display) == "19.17"
    # A lower threshold flags d3 too.
    assert NotationService(db).scores(setup.campagne_id, threshold=3)[d3].score.disagreement


def test_normalised_scores_cancel_a_strict_evaluateur(db: Database) -> None:
    setup = _setup(db, n_dossiers=2, n_evaluateurs=2)
    d1, d2 = setup.dossiers
    alice, bruno = setup.evaluateurs
    # Alice (generous) prefers d1, Bruno (strict) prefers d2 by the same z-margin.
    _note(db, setup, d1, alice, 3, 20, 5)  # 20
    _note(db, setup, d2, alice, 3, 20, 3)  # 20 × (2 + 1 + 3/2)/6 = 15
    _note(db, setup, d1, bruno, 0, 0, 3)  # 20 × (3/2)/6 = 5
    _note(db, setup, d2, bruno, 0, 20, 3)  # 20 × (1 + 3/2)/6 = 25/3
    raw = NotationService(db).scores(setup.campagne_id)
    assert raw[d1].score.score == Fraction(25, 2) and raw[d2].score.score == Fraction(35, 3)
    assert raw[d1].rank == 1
    normalised = NotationService(db).scores(setup.campagne_id, normalise=True)
    # Alice: z(d1)=+1, z(d2)=−1 ; Bruno: z(d1)=−1, z(d2)=+1 → both dossiers at the pooled mean.
    assert normalised[d1].score.score == normalised[d2].score.score
    assert normalised[d1].rank == normalised[d2].rank == 1
