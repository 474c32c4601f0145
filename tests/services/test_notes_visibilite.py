"""The campagne's option « an évaluateur reads the others' notes of a dossier once their own is
complete » through the notation service, on both engines (the rule: domain/notes_visibilite.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from instructeur.domain.notes_visibilite import OwnEvaluation, others_visible
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import EvaluationDto, NotationService
from instructeur.services.notes_visibilite import NotesVisibiliteService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog
from tests.factories import build_world, create_dossier


@dataclass
class Case:
    campagne_id: int
    dossier: int
    alice: int
    bob: int


def _case(db: Database) -> Case:
    world = build_world(db)
    dossier = create_dossier(db, world)
    evs = EvaluateurService(db, user="test")
    alice, bob = evs.create(world.contrat_id, "Alice Martin"), evs.create(world.contrat_id, "Bob Durand")
    evs.assign([dossier], alice)
    evs.assign([dossier], bob)
    complete(NotationService(db, user="test"), dossier, bob)
    return Case(world.campagne_id, dossier, alice, bob)


def complete(notation: NotationService, dossier: int, evaluateur: int, upto: int | None = None) -> EvaluationDto:
    ev = notation.evaluation(dossier, evaluateur)
    weighted = [c for c in ev.criteres if c.poids > 0][:upto]
    notation.save_notes(ev.id, ev.version, {c.id: c.echelle_max for c in weighted})
    return notation.evaluation(dossier, evaluateur)


def _seen(notation: NotationService, case: Case) -> dict[str, int]:
    """évaluateur name → number of notes Alice reads."""
    return {e.evaluateur_nom: len(e.notes) for e in notation.evaluations_of(case.dossier, viewer=[case.alice])}


def test_rule() -> None:
    assert not others_visible(False, [OwnEvaluation(True, False)])
    assert not others_visible(True, [])
    assert not others_visible(True, [OwnEvaluation(False, False)])
    assert not others_visible(True, [OwnEvaluation(True, True)])
    assert others_visible(True, [OwnEvaluation(True, False)])


def test_others_notes_only_after_completing_ones_own(db: Database) -> None:
    case = _case(db)
    notation = NotationService(db, user="test")
    option = NotesVisibiliteService(db, user="claire")
    n_bob = len(notation.evaluation(case.dossier, case.bob).notes)
    assert n_bob > 1
    # Staff (no viewer) read everything.
    assert {e.evaluateur_nom for e in notation.evaluations_of(case.dossier)} == {"Alice Martin", "Bob Durand"}
    # Option off (default): never the others'.
    complete(notation, case.dossier, case.alice, upto=1)
    assert _seen(notation, case) == {"Alice Martin": 1}
    assert option.get(case.campagne_id) is False
    # Option on, Alice's évaluation incomplete: still not.
    option.set(case.campagne_id, True)
    assert option.get(case.campagne_id) is True
    assert _seen(notation, case) == {"Alice Martin": 1}
    # Complete: Bob's notes appear.
    own = complete(notation, case.dossier, case.alice)
    assert _seen(notation, case) == {"Alice Martin": len(own.notes), "Bob Durand": n_bob}
    # A declared conflict hides everything, her own notes too.
    notation.declare_conflict(own.id, own.version, "présidente de l'association")
    assert _seen(notation, case) == {"Alice Martin": 0}
    # Off again: recorded in the journal both times.
    option.set(case.campagne_id, False)
    option.set(case.campagne_id, False)  # unchanged: no new line
    with db.session() as s:
        lines = s.scalars(
            select(AuditLog.changes).where(AuditLog.entity == "campagne", AuditLog.action == "update")
        ).all()
    assert sum("notes_apres_notation" in (c or "") for c in lines) == 2
