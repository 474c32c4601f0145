"""Instruction on both engines: cotation F/H (proposal, override, gap), avis and proposed amounts,
the complete « instruit » rule (grille, conflicts, éliminatoire override) through change_statut."""

from __future__ import annotations

import pytest

from instructeur.domain.scoring import CotationSettings
from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData, GrilleService
from instructeur.services.instruction import JUSTIFICATION_REQUIRED, InstructionService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from instructeur.storage.models import LigneFinancement
from tests.factories import World, build_world, create_dossier, create_grille, tick_recevabilite

YES3 = {"diagnostic": True, "objectifs": True, "moyens": True, "indicateurs": False, "principal": False}


def _version(db: Database, dossier_id: int) -> int:
    return DossierService(db).get(dossier_id).version


def test_cotation_proposed_from_answers_and_override_needs_justification(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world, cotation_declaree=2)
    service = InstructionService(db, user="chef")
    empty = service.cotation(dossier_id)
    assert (empty.declaree, empty.proposee, empty.instruite, empty.answers) == (2, None, None, {})
    version = service.save_cotation(dossier_id, empty.version, YES3, 1)
    cot = service.cotation(dossier_id)
    assert (cot.proposee, cot.instruite, cot.justification) == (1, 1, None)
    assert cot.gap and not cot.overridden  # declared 2, instructed 1
    with pytest.raises(ValidationError, match=JUSTIFICATION_REQUIRED):
        service.save_cotation(dossier_id, version, YES3, 2, "  ")
    version = service.save_cotation(dossier_id, version, YES3, 2, "Public exclusivement féminin")
    cot = service.cotation(dossier_id)
    assert (cot.proposee, cot.instruite, cot.justification) == (1, 2, "Public exclusivement féminin")
    assert cot.overridden and not cot.gap
    assert cot.answers == YES3
    with pytest.raises(ValidationError, match="question « budget » inconnue"):
        service.save_cotation(dossier_id, version, {"budget": True}, 0)
    with pytest.raises(ValidationError, match="0, 1, 2"):
        service.save_cotation(dossier_id, version, {}, 3, "trop haut")
    with pytest.raises(ConcurrentEditError, match="chef"):
        service.save_cotation(dossier_id, version - 1, YES3, 1)


def test_the_campagne_rule_drives_the_proposal(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    GrilleService(db).save_cotation_settings(
        world.campagne_id,
        CotationSettings(
            rule={"principal_question": "principal", "principal_implies": 2, "threshold_for_1": 4}
        ),
    )
    service = InstructionService(db)
    with pytest.raises(ValidationError, match=JUSTIFICATION_REQUIRED):
        service.save_cotation(dossier_id, _version(db, dossier_id), YES3, 1)  # 3 yes < 4 → proposed 0
    service.save_cotation(dossier_id, _version(db, dossier_id), YES3, 0)
    assert service.cotation(dossier_id).proposee == 0


def test_avis_motivation_and_proposed_amounts(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)  # coût 12 500 €; ETAT 5 000, EPCI 4 000, fonds propres 3 500
    etat, epci, caf = world.financeurs["ETAT"], world.financeurs["EPCI"], world.financeurs["CAF"]
    service = InstructionService(db, user="chef")
    with pytest.raises(ValidationError, match="motivation de l'avis : obligatoire"):
        service.save_avis(dossier_id, _version(db, dossier_id), "reserve", "", {etat: 4_000_00})
    with pytest.raises(ValidationError) as info:
        service.save_avis(dossier_id, _version(db, dossier_id), "favorable", None, {etat: -1, caf: 1_00})
    assert info.value.problems == [
        "proposé ETAT : un montant ne peut pas être négatif",
        "proposé CAF : ce financeur n'est pas dans le plan de financement",
    ]
    with pytest.raises(ValidationError, match=r"total proposé \(13\xa0000,00\xa0€\) supérieur au coût total"):
        service.save_avis(
            dossier_id, _version(db, dossier_id), "favorable", None, {etat: 9_000_00, epci: 4_000_00}
        )
    result = service.save_avis(
        dossier_id,
        _version(db, dossier_id),
        "reserve",
        "Calendrier à préciser",
        {etat: 6_000_00, epci: 3_000_00},
    )
    assert result.warnings == (
        "proposé ETAT (6\u00a0000,00\u00a0€) supérieur au demandé (5\u00a0000,00\u00a0€)",
    )
    assert result.version == _version(db, dossier_id)
    with db.session() as s:
        proposes = {
            ligne.financeur_id: ligne.propose_cents
            for ligne in s.query(LigneFinancement).filter_by(dossier_id=dossier_id)
        }
    assert proposes == {etat: 6_000_00, epci: 3_000_00, None: None}
    detail = DossierService(db).get(dossier_id)
    assert (detail.avis, detail.avis_motivation) == ("reserve", "Calendrier à préciser")


def _grille_with_eliminatoire(db: Database, world: World) -> list[int]:
    return create_grille(
        db, world.campagne_id, [CritereData("Public QPV", eliminatoire=True), CritereData("Budget")]
    )[1]


def test_instruit_refused_with_the_full_list_then_accepted(db: Database) -> None:
    world = build_world(db)
    criteres = _grille_with_eliminatoire(db, world)
    dossier_id = create_dossier(db, world, cout_total_cents=13_000_00)  # plan 12 500 €: unbalanced
    tick_recevabilite(db, dossier_id)
    dossiers = DossierService(db, user="chef")
    dossiers.change_statut(dossier_id, Statut.RECEVABLE)
    dossiers.change_statut(dossier_id, Statut.EN_INSTRUCTION)
    instruction = InstructionService(db, user="chef")
    with pytest.raises(UserError) as info:
        dossiers.change_statut(dossier_id, Statut.INSTRUIT)
    assert str(info.value) == (
        "dossier 26-000001 : instruction incomplète : cotation égalité F/H instruite, avis technique, "
        "plan de financement équilibré (ressources 12\u00a0500,00\u00a0€, coût total 13\u00a0000,00\u00a0€), "
        "grille d'analyse : aucun évaluateur n'a noté ce dossier"
    )
    # Two évaluateurs: one in conflict, one incomplete.
    evaluateurs = EvaluateurService(db)
    alice = evaluateurs.create(world.contrat_id, "Alice")
    bruno = evaluateurs.create(world.contrat_id, "Bruno")
    evaluateurs.assign([dossier_id], alice)
    evaluateurs.assign([dossier_id], bruno)
    notation = NotationService(db, user="alice")
    ev_a = notation.evaluation(dossier_id, alice)
    ev_b = notation.evaluation(dossier_id, bruno)
    notation.declare_conflict(ev_b.id, ev_b.version, "Administrateur du porteur")
    assert instruction.missing(dossier_id)[-1] == "grille d'analyse : aucune évaluation complète"
    version = notation.save_notes(ev_a.id, ev_a.version, {criteres[1]: 3})
    assert "grille d'analyse : aucune évaluation complète" in instruction.missing(dossier_id)
    notation.save_notes(ev_a.id, version, {criteres[0]: 0})  # minimum on the éliminatoire criterion
    instruction.save_cotation(dossier_id, _version(db, dossier_id), YES3, 1)
    instruction.save_avis(dossier_id, _version(db, dossier_id), "favorable", None)
    d = DossierService(db).get(dossier_id)
    dossiers.update(
        dossier_id, d.version, d.data.__class__(**{**d.data.__dict__, "cout_total_cents": 12_500_00})
    )
    assert instruction.missing(dossier_id) == [
        "montant proposé pour au moins un financeur",
        "critère éliminatoire « Public QPV » noté au minimum par Alice (dérogation motivée nécessaire)",
    ]
    instruction.save_avis(
        dossier_id, _version(db, dossier_id), "favorable", None, {world.financeurs["ETAT"]: 4_000_00}
    )
    with pytest.raises(ValidationError, match="motivation est obligatoire"):
        instruction.override_eliminatoire(dossier_id, " ")
    instruction.override_eliminatoire(dossier_id, "Action itinérante : public QPV atteint hors les murs")
    assert instruction.override(dossier_id) == "Action itinérante : public QPV atteint hors les murs"
    scores = NotationService(db).scores(world.campagne_id)
    assert scores[dossier_id].eliminatoire and not scores[dossier_id].non_retenable
    assert instruction.missing(dossier_id) == []
    dossiers.change_statut(dossier_id, Statut.INSTRUIT)
    assert DossierService(db).get(dossier_id).statut is Statut.INSTRUIT
    # Withdrawing the override makes it non retenable again.
    instruction.withdraw_override(dossier_id, "Revoir en comité technique")
    assert instruction.override(dossier_id) is None
    assert NotationService(db).scores(world.campagne_id)[dossier_id].non_retenable


def test_every_evaluateur_in_conflict_blocks_instruit(db: Database) -> None:
    world = build_world(db)
    _grille_with_eliminatoire(db, world)
    dossier_id = create_dossier(db, world)
    evaluateurs = EvaluateurService(db)
    alice = evaluateurs.create(world.contrat_id, "Alice")
    evaluateurs.assign([dossier_id], alice)
    notation = NotationService(db)
    ev = notation.evaluation(dossier_id, alice)
    notation.declare_conflict(ev.id, ev.version, "Salariée du porteur")
    instruction = InstructionService(db)
    instruction.save_cotation(dossier_id, _version(db, dossier_id), {}, 0)
    instruction.save_avis(dossier_id, _version(db, dossier_id), "defavorable", "Hors priorités")
    assert instruction.missing(dossier_id) == [
        "grille d'analyse : tous les évaluateurs ont déclaré un conflit d'intérêts"
    ]
    with pytest.raises(UserError, match="aucun critère éliminatoire"):
        instruction.override_eliminatoire(dossier_id, "sans objet")


def test_without_grille_the_rule_is_the_fields_only(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    instruction = InstructionService(db)
    instruction.save_cotation(dossier_id, _version(db, dossier_id), YES3, 1)
    instruction.save_avis(dossier_id, _version(db, dossier_id), "defavorable", "Budget disproportionné")
    assert instruction.missing(dossier_id) == []
