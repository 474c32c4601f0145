"""Dossier service on both engines: validation, history, statut rules, concurrent edits."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierFilter, DossierService, Ligne, plan_warnings
from instructeur.services.instruction import InstructionService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, Dossier
from tests.factories import build_world, create_dossier, dossier_data, tick_recevabilite


def test_create_then_read_back_everything(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    detail = DossierService(db).get(dossier_id)
    assert detail.data == dossier_data(world)
    assert detail.statut is Statut.DEPOSE
    assert detail.porteur == "Élan Solidaire"
    assert [t.vers_statut for t in detail.transitions] == [Statut.DEPOSE]


def test_list_rows_sum_requested_amounts_per_financeur_lines(db: Database) -> None:
    world = build_world(db)
    create_dossier(db, world, reference="26-000001")
    create_dossier(
        db,
        world,
        reference="26-000002",
        lignes=(Ligne(world.financeurs["CAF"], "", 1_00),),
        cout_total_cents=1_00,
    )
    rows = DossierService(db).list_rows(world.campagne_id)
    assert [(r.reference, r.demande_cents) for r in rows] == [("26-000001", 9_000_00), ("26-000002", 1_00)]
    assert rows[0].quartiers
    only_caf = DossierService(db).list_rows(
        world.campagne_id, DossierFilter(financeur_id=world.financeurs["CAF"])
    )
    assert [r.reference for r in only_caf] == ["26-000002"]


def test_validation_names_each_field(db: Database) -> None:
    world = build_world(db)
    bad = dossier_data(
        world,
        reference=" ",
        public_prevu=10,
        public_femmes=8,
        public_hommes=5,
        part_qpv_pct=120,
        lignes=(Ligne(world.financeurs["ETAT"], "", -5),),
    )
    with pytest.raises(ValidationError) as info:
        DossierService(db).create(world.campagne_id, bad)
    text = " | ".join(info.value.problems)
    for expected in (
        "référence",
        "femmes + hommes",
        "part du public QPV",
        "ligne 1 : montant demandé négatif",
    ):
        assert expected in text


def test_duplicate_reference_in_a_campagne_is_refused(db: Database) -> None:
    world = build_world(db)
    create_dossier(db, world, reference="26-000001")
    with pytest.raises(ValidationError, match="existe déjà"):
        create_dossier(db, world, reference="26-000001")


def test_plan_warning_when_resources_differ_from_cost(db: Database) -> None:
    world = build_world(db)
    data = dossier_data(world, cout_total_cents=20_000_00)
    assert plan_warnings(data) == [
        "les ressources (12\u00a0500,00\u00a0€) diffèrent du coût total (20\u00a0000,00\u00a0€)"
    ]


def test_concurrent_edit_second_save_is_refused_and_nothing_is_lost(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    alice, bob = DossierService(db, user="alice"), DossierService(db, user="bob")
    seen_by_alice, seen_by_bob = alice.get(dossier_id), bob.get(dossier_id)

    alice.update(
        dossier_id, seen_by_alice.version, dataclasses.replace(seen_by_alice.data, intitule="Version d'Alice")
    )
    with pytest.raises(ConcurrentEditError) as info:
        bob.update(
            dossier_id, seen_by_bob.version, dataclasses.replace(seen_by_bob.data, intitule="Version de Bob")
        )
    assert "modifié par alice" in info.value.message
    now = bob.get(dossier_id)
    assert now.data.intitule == "Version d'Alice"
    assert now.version == seen_by_alice.version + 1
    # Bob reloads and saves again: accepted.
    bob.update(dossier_id, now.version, dataclasses.replace(now.data, intitule="Version de Bob"))
    assert bob.get(dossier_id).data.intitule == "Version de Bob"


def test_optimistic_locking_between_two_live_sessions(db: Database) -> None:
    """Two sessions read the same row; the later flush fails instead of overwriting (both engines)."""
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    with Session(db.engine) as first, Session(db.engine) as second:
        d1 = first.get(Dossier, dossier_id)
        d2 = second.get(Dossier, dossier_id)
        assert d1 is not None and d2 is not None
        d1.intitule = "premier"
        first.commit()
        d2.intitule = "second"
        with pytest.raises(StaleDataError):
            second.commit()
    assert DossierService(db).get(dossier_id).data.intitule == "premier"


def test_update_records_field_changes_in_the_audit_log(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    service = DossierService(db, user="claire")
    d = service.get(dossier_id)
    service.update(dossier_id, d.version, dataclasses.replace(d.data, intitule="Nouveau titre"))
    with db.session() as s:
        entries = s.scalars(
            select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.action == "update")
        ).all()
    assert len(entries) == 1 and entries[0].utilisateur == ("claire" if db.is_sqlite else "postgres")  # session_user
    assert "Nouveau titre" in entries[0].changes


def _instruct(service: DossierService, dossier_id: int) -> None:
    """Cotation, avis favorable and a proposed amount: what « instruit » needs (no grille here)."""
    instruction = InstructionService(service.db, user=service.user)
    d = service.get(dossier_id)
    version = instruction.save_cotation(dossier_id, d.version, {}, 0, None)
    etat = next(ligne.financeur_id for ligne in d.data.lignes if ligne.financeur_id is not None)
    instruction.save_avis(dossier_id, version, "favorable", None, {etat: 4_000_00})


def test_life_cycle_with_history_and_motivations(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    tick_recevabilite(db, dossier_id)
    service = DossierService(db, user="chef")
    assert set(service.allowed_transitions(dossier_id)) == {
        Statut.RECEVABLE,
        Statut.INCOMPLET,
        Statut.IRRECEVABLE,
    }
    with pytest.raises(UserError, match="motivation est obligatoire"):
        service.change_statut(dossier_id, Statut.IRRECEVABLE)
    with pytest.raises(UserError, match="non autorisé"):
        service.change_statut(dossier_id, Statut.RETENU)
    service.change_statut(dossier_id, Statut.RECEVABLE)
    service.change_statut(dossier_id, Statut.EN_INSTRUCTION)
    with pytest.raises(
        UserError, match="instruction incomplète : cotation égalité F/H instruite, avis technique"
    ):
        service.change_statut(dossier_id, Statut.INSTRUIT)
    _instruct(service, dossier_id)
    service.change_statut(dossier_id, Statut.INSTRUIT)
    service.change_statut(dossier_id, Statut.EN_COMITE)
    service.change_statut(dossier_id, Statut.REFUSE, "Hors des priorités du contrat")
    # A decision can be reopened with a motivation; nothing is erased.
    with pytest.raises(UserError, match="motivation"):
        service.change_statut(dossier_id, Statut.EN_COMITE)
    service.change_statut(dossier_id, Statut.EN_COMITE, "Pièce complémentaire reçue")
    service.change_statut(dossier_id, Statut.RETENU)
    detail = service.get(dossier_id)
    assert detail.statut is Statut.RETENU and detail.decision is Statut.RETENU
    steps = [(t.de_statut, t.vers_statut, t.motivation) for t in detail.transitions]
    assert steps[-3:] == [
        (Statut.EN_COMITE, Statut.REFUSE, "Hors des priorités du contrat"),
        (Statut.REFUSE, Statut.EN_COMITE, "Pièce complémentaire reçue"),
        (Statut.EN_COMITE, Statut.RETENU, None),
    ]
    assert all(t.utilisateur == "chef" for t in detail.transitions[1:])


def test_a_decision_is_blocked_while_the_plan_does_not_add_up(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    tick_recevabilite(db, dossier_id)
    service = DossierService(db)
    for target in (Statut.RECEVABLE, Statut.EN_INSTRUCTION):
        service.change_statut(dossier_id, target)
    d = service.get(dossier_id)
    service.update(dossier_id, d.version, dataclasses.replace(d.data, cout_total_cents=13_000_00))
    _instruct(service, dossier_id)
    with pytest.raises(UserError, match="plan de financement équilibré"):
        service.change_statut(dossier_id, Statut.INSTRUIT)


def test_batch_statut_change_reports_refusals(db: Database) -> None:
    world = build_world(db)
    ids = [create_dossier(db, world, reference=f"26-00000{n}") for n in range(3)]
    for did in ids:
        tick_recevabilite(db, did)
    service = DossierService(db)
    service.change_statut(ids[0], Statut.INCOMPLET)
    result = service.change_statut_many(ids, Statut.RECEVABLE, "Pièces vérifiées le 12/03")
    assert result.changed == (ids[1], ids[2])
    assert len(result.refused) == 1 and result.refused[0][0] == ids[0]
    assert "non autorisé" in result.refused[0][1]
    assert service.get(ids[1]).transitions[-1].motivation == "Pièces vérifiées le 12/03"


def test_a_notified_refusal_is_final(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    tick_recevabilite(db, dossier_id)
    service = DossierService(db)
    for target in (Statut.RECEVABLE, Statut.EN_INSTRUCTION):
        service.change_statut(dossier_id, target)
    _instruct(service, dossier_id)
    service.change_statut(dossier_id, Statut.INSTRUIT)
    service.change_statut(dossier_id, Statut.EN_COMITE)
    service.change_statut(dossier_id, Statut.REFUSE, "Budget insuffisant")
    service.change_statut(dossier_id, Statut.NOTIFIE)
    assert service.allowed_transitions(dossier_id) == ()
