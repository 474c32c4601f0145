"""The database keeps every note within its critère's scale and in its évaluation's grille
(migration 0008), on both engines, whoever writes: raw SQL here, as a script or a SQL client would."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData, GrilleService
from instructeur.services.notation import NotationService
from instructeur.storage.backup import check_database
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier, create_grille


@dataclass
class Scored:
    evaluation_id: int
    version: int
    grille_id: int
    criteres: list[int]  # Public (0–3), Budget (1–5)
    other_grille: int
    other_critere: int


def _scored(db: Database) -> Scored:
    world = build_world(db)
    grille_id, _ = create_grille(
        db,
        world.campagne_id,
        [
            CritereData("Public", echelle_min=0, echelle_max=3),
            CritereData("Budget", echelle_min=1, echelle_max=5),
        ],
    )
    grilles = GrilleService(db, user="chef")
    evaluateurs = EvaluateurService(db, user="chef")
    alice = evaluateurs.create(world.contrat_id, "Alice Martin")
    dossier = create_dossier(db, world, reference="26-000001")
    evaluateurs.assign([dossier], alice)
    # a version 2: the évaluation, without notes yet, moves to it; version 1 is « another grille »
    current = grilles.new_version(grille_id)
    ev = NotationService(db).evaluation(dossier, alice)
    assert ev.grille_id == current
    criteres = [c.id for c in grilles.get(current).criteres]
    return Scored(ev.id, ev.version, current, criteres, grille_id, grilles.get(grille_id).criteres[0].id)


def _run(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _notes(db: Database, evaluation_id: int) -> dict[int, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT critere_id, valeur FROM note WHERE evaluation_id = :e"), {"e": evaluation_id}
        )
        return {int(c): int(v) for c, v in rows}


def test_a_note_outside_its_scale_is_refused_by_the_database(db: Database) -> None:
    sc = _scored(db)
    public, budget = sc.criteres
    insert = "INSERT INTO note (evaluation_id, critere_id, valeur) VALUES (:e, :c, :v)"
    _run(db, insert, e=sc.evaluation_id, c=public, v=3)  # the top of 0–3
    for critere, value in ((budget, 0), (budget, 6), (budget, -1)):
        with pytest.raises(IntegrityError, match="hors de l.échelle"):
            _run(db, insert, e=sc.evaluation_id, c=critere, v=value)
    with pytest.raises(IntegrityError, match="hors de l.échelle"):
        _run(db, "UPDATE note SET valeur = 4 WHERE critere_id = :c", c=public)
    with pytest.raises(IntegrityError, match="autre grille"):
        _run(db, insert, e=sc.evaluation_id, c=sc.other_critere, v=1)
    assert _notes(db, sc.evaluation_id) == {public: 3}


def test_a_scale_narrowed_below_a_note_is_refused(db: Database) -> None:
    sc = _scored(db)
    public, budget = sc.criteres
    NotationService(db, user="alice").save_notes(sc.evaluation_id, sc.version, {public: 3, budget: 1})
    with pytest.raises(IntegrityError, match="échelle du critère réduite"):
        _run(db, "UPDATE critere SET echelle_max = 2 WHERE id = :c", c=public)
    with pytest.raises(IntegrityError, match="échelle du critère réduite"):
        _run(db, "UPDATE critere SET echelle_min = 2 WHERE id = :c", c=budget)
    _run(db, "UPDATE critere SET echelle_max = 4 WHERE id = :c", c=public)  # widening is fine
    _run(db, "UPDATE critere SET libelle = 'Public QPV' WHERE id = :c", c=public)


def test_an_evaluation_with_notes_stays_on_its_grille(db: Database) -> None:
    sc = _scored(db)
    move = "UPDATE evaluation SET grille_id = :g WHERE id = :e"
    _run(db, move, g=sc.other_grille, e=sc.evaluation_id)  # no notes yet: it may move
    _run(db, move, g=sc.grille_id, e=sc.evaluation_id)
    _run(
        db,
        "INSERT INTO note (evaluation_id, critere_id, valeur) VALUES (:e, :c, 2)",
        e=sc.evaluation_id,
        c=sc.criteres[0],
    )
    with pytest.raises(IntegrityError, match="autre grille alors qu.elle a des notes"):
        _run(db, move, g=sc.other_grille, e=sc.evaluation_id)


def test_the_services_still_save_and_refuse_in_french(db: Database) -> None:
    """The triggers back the services' own checks; the user still reads the services' message."""
    from instructeur.errors import ValidationError

    sc = _scored(db)
    public, budget = sc.criteres
    notation = NotationService(db, user="alice")
    version = notation.save_notes(sc.evaluation_id, sc.version, {public: 2, budget: 5})
    with pytest.raises(ValidationError, match="note 6 hors de l'échelle 1–5"):
        notation.save_notes(sc.evaluation_id, version, {budget: 6})
    notation.save_notes(sc.evaluation_id, version, {public: None, budget: 1})
    assert _notes(db, sc.evaluation_id) == {budget: 1}


def test_downgrade_drops_the_guards_and_upgrade_puts_them_back(db: Database) -> None:
    from alembic import command

    from instructeur.storage.migrate import alembic_config

    sc = _scored(db)
    insert = "INSERT INTO note (evaluation_id, critere_id, valeur) VALUES (:e, :c, 9)"
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
    _run(db, insert, e=sc.evaluation_id, c=sc.criteres[0])  # 0007 had no guard
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
    # the row written before stays; `instructeur check` counts it
    assert check_database(db).problems == [
        "1 note(s) hors de l'échelle de leur critère ou d'une autre grille que celle de leur évaluation"
    ]
    with pytest.raises(IntegrityError):  # new ones are refused again
        _run(db, insert, e=sc.evaluation_id, c=sc.criteres[1])
    _run(db, "DELETE FROM note")
    assert check_database(db).problems == []
