"""Évaluateurs: creation, batch assignment (default grille created once), unassignment."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from instructeur.domain import grille_defaut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import Database
from instructeur.storage.models import Critere, Evaluation, Grille, Note
from tests.factories import build_world, create_dossier


def test_create_and_list(db: Database) -> None:
    world = build_world(db)
    service = EvaluateurService(db, user="test")
    e1 = service.create(
        world.contrat_id, "  Karim   Lemaître ", world.financeurs["EPCI"], "k@exemple.invalid"
    )
    e2 = service.create(world.contrat_id, "Claire Vandenbussche")
    rows = service.all(world.contrat_id)
    assert [(r.id, r.nom, r.financeur, r.nb_dossiers) for r in rows] == [
        (e2, "Claire Vandenbussche", None, 0),
        (e1, "Karim Lemaître", "Communauté d'agglomération", 0),
    ]
    with pytest.raises(ValidationError, match="nom obligatoire"):
        service.create(world.contrat_id, " ")
    with pytest.raises(ValidationError, match="financeur"):
        service.create(world.contrat_id, "X", financeur_id=999_999)


def test_assign_creates_the_default_grille_once_and_skips_assigned(db: Database) -> None:
    world = build_world(db)
    a, b, c = (create_dossier(db, world, f"26-00000{n}") for n in range(1, 4))
    service = EvaluateurService(db, user="test")
    e = service.create(world.contrat_id, "Claire")
    first = service.assign([a, b], e)
    assert first.assigned == (a, b) and first.skipped == ()
    second = service.assign([b, c, 999_999], e)
    assert second.assigned == (c,)
    assert [i for i, _ in second.skipped] == [b, 999_999]
    assert "déjà confié à Claire" in second.skipped[0][1]
    with db.session() as s:
        grilles = s.scalars(select(Grille).where(Grille.campagne_id == world.campagne_id)).all()
        assert len(grilles) == 1
        criteres = s.scalars(
            select(Critere).where(Critere.grille_id == grilles[0].id).order_by(Critere.position)
        ).all()
        assert len(criteres) == 8 == len(grille_defaut.CRITERES)
        assert {(c.echelle_min, c.echelle_max, c.poids) for c in criteres} == {(0, 3, 1)}
        assert json.loads(criteres[0].niveaux or "[]") == list(grille_defaut.NIVEAUX)
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 3
    assert service.all(world.contrat_id)[0].nb_dossiers == 3
    assert service.grille_of(world.campagne_id) == grilles[0].id
    with pytest.raises(NotFoundError):
        service.assign([a], 999_999)


def test_unassign_keeps_scored_evaluations(db: Database) -> None:
    world = build_world(db)
    a, b = create_dossier(db, world, "26-000001"), create_dossier(db, world, "26-000002")
    service = EvaluateurService(db, user="test")
    e = service.create(world.contrat_id, "Claire")
    service.assign([a, b], e)
    with db.session() as s:
        ev = s.scalar(select(Evaluation).where(Evaluation.dossier_id == b))
        critere = s.scalar(select(Critere.id).limit(1))
        assert ev is not None and critere is not None
        s.add(Note(evaluation_id=ev.id, critere_id=critere, valeur=2))
    result = service.unassign([a, b], e)
    assert result.assigned == (a,)
    assert result.skipped[0][0] == b and "déjà noté" in result.skipped[0][1]
    with db.session() as s:
        assert s.scalars(select(Evaluation.dossier_id)).all() == [b]
    assert service.unassign([a], e).skipped[0][0] == a
