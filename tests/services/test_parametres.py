"""Paramètres services: contrat, financeurs, quartiers, enveloppes, recevabilité, copy of a campagne
(both engines through the `db` fixture)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from instructeur.domain.scoring import CotationSettings
from instructeur.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
from instructeur.services.campagnes import CampagneService, RecevabiliteItemEdit
from instructeur.services.contrats import ContratService, FinanceurEdit, QuartierEdit
from instructeur.services.grilles import GrilleService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, RecevabiliteCheck
from tests.factories import build_world, create_dossier

SIREN_CAB = "200040442"  # CA du Boulonnais (valid Luhn key)


def audit_actions(db: Database, entity: str) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditLog.action).where(AuditLog.entity == entity).order_by(AuditLog.id)))


# --- contrat -------------------------------------------------------------------------------------


def test_update_contrat_checks_siren_and_refuses_a_concurrent_edit(db: Database) -> None:
    world = build_world(db)
    alice, bob = ContratService(db, user="alice"), ContratService(db, user="bob")
    detail = alice.detail(world.contrat_id)
    with pytest.raises(ValidationError) as bad:
        alice.update_contrat(world.contrat_id, detail.version, "", "CAB", "123456789", (2030, 2024))
    assert any("SIREN invalide" in p for p in bad.value.problems)
    assert any("nom du contrat" in p for p in bad.value.problems)
    assert any("période" in p for p in bad.value.problems)

    v2 = alice.update_contrat(
        world.contrat_id, detail.version, "Quartiers 2030", "CA du Boulonnais", "200 040 442", (2024, 2030)
    )
    assert v2 == detail.version + 1
    assert alice.detail(world.contrat_id).epci_siren == SIREN_CAB
    with pytest.raises(ConcurrentEditError, match="alice"):
        bob.update_contrat(world.contrat_id, detail.version, "Autre nom", "CAB", None, (2024, 2030))
    assert alice.get(world.contrat_id).nom == "Quartiers 2030"
    assert "update" in audit_actions(db, "contrat")


def test_signataires_are_replaced_in_order(db: Database) -> None:
    world = build_world(db)
    service = ContratService(db, user="test")
    service.save_signataires(world.contrat_id, ["La Préfète", " ", "Le Président de la CAB"])
    assert service.detail(world.contrat_id).signataires == ("La Préfète", "Le Président de la CAB")


def test_empty_contrat(db: Database) -> None:
    service = ContratService(db, user="test")
    with pytest.raises(ValidationError):
        service.create_empty("")
    cid = service.create_empty(
        "Contrat de ville de Trifouilly", epci_nom="CC de Trifouilly", periode=(2024, 2030)
    )
    assert service.get(cid).nom == "Contrat de ville de Trifouilly"
    assert service.quartiers(cid) == [] and service.objectifs(cid) == []


# --- financeurs ----------------------------------------------------------------------------------


def test_save_financeurs_adds_renames_reorders_and_refuses_deleting_a_used_one(db: Database) -> None:
    world = build_world(db)
    create_dossier(db, world)  # uses ETAT and EPCI
    service = ContratService(db, user="test")
    rows = service.financeurs(world.contrat_id)
    edits = [FinanceurEdit(f.id, f.code, f.nom, f.type) for f in rows]

    with pytest.raises(ValidationError) as bad:
        service.save_financeurs(world.contrat_id, [*edits, FinanceurEdit(None, "etat", "Doublon", "martien")])
    assert any("déjà utilisé" in p for p in bad.value.problems)
    assert any("type « martien » inconnu" in p for p in bad.value.problems)

    # Removing ETAT (a dossier asks it, and it has an enveloppe) is refused with the count.
    without_etat = [e for e in edits if e.code != "ETAT"]
    with pytest.raises(ValidationError) as refused:
        service.save_financeurs(world.contrat_id, without_etat)
    assert refused.value.problems == [
        "financeur ETAT (État — Préfecture du Pas-de-Calais) : suppression impossible, 1 dossier le sollicite ; "
        "une enveloppe lui est attribuée dans 1 campagne"
    ]

    new_order = [
        FinanceurEdit(None, "ville", "Ville de Boulogne-sur-Mer", "commune"),
        *[e for e in edits if e.code != "CAF"],
    ]
    ids = service.save_financeurs(world.contrat_id, new_order)  # CAF (unused) is deleted
    after = service.financeurs(world.contrat_id)
    assert [f.code for f in after] == ["VILLE", "ETAT", "EPCI"]
    assert [f.id for f in after] == ids

    # Swapping two codes works despite the unique constraint.
    etat, epci = after[1], after[2]
    service.save_financeurs(
        world.contrat_id,
        [
            FinanceurEdit(after[0].id, "VILLE", after[0].nom, "commune"),
            FinanceurEdit(etat.id, "EPCI", etat.nom, "etat"),
            FinanceurEdit(epci.id, "ETAT", epci.nom, "epci"),
        ],
    )
    assert [f.code for f in service.financeurs(world.contrat_id)] == ["VILLE", "EPCI", "ETAT"]
    assert "financeurs" in audit_actions(db, "contrat")


def test_save_financeurs_refuses_a_stale_version(db: Database) -> None:
    world = build_world(db)
    service = ContratService(db, user="test")
    versions = service.financeur_versions(world.contrat_id)
    rows = service.financeurs(world.contrat_id)
    edits = [FinanceurEdit(f.id, f.code, f.nom, f.type, versions[f.id]) for f in rows]
    renamed = [FinanceurEdit(e.id, e.code, e.nom + " (modifié)", e.type, e.version) for e in edits]
    service.save_financeurs(world.contrat_id, renamed)
    with pytest.raises(ConcurrentEditError):
        service.save_financeurs(world.contrat_id, edits)


# --- quartiers -----------------------------------------------------------------------------------


def test_quartier_crud_with_code_validation_and_deletion_refusal(db: Database) -> None:
    world = build_world(db)
    service = ContratService(db, user="test")
    with pytest.raises(ValidationError) as bad:
        service.save_quartier(
            world.contrat_id, QuartierEdit(None, "qpv", "Nouveau", code="XX123", population=-3)
        )
    assert any("code QPV invalide" in p for p in bad.value.problems)
    assert any("population" in p for p in bad.value.problems)
    with pytest.raises(ValidationError):
        service.save_quartier(world.contrat_id, QuartierEdit(None, "veille", "Veille", code="QN06201M"))

    qid = service.save_quartier(
        world.contrat_id,
        QuartierEdit(
            None,
            "qpv",
            "Le Chemin Vert Nord",
            code="qn 06201m",
            population=2400,
            communes=("Boulogne-sur-Mer", "Outreau-Neuf"),
            aliases=("Chemin Vert",),
        ),
    )
    row = next(q for q in service.quartiers(world.contrat_id) if q.id == qid)
    assert row.code == "QN06201M" and row.population == 2400
    assert row.communes == ("Boulogne-sur-Mer", "Outreau-Neuf") and row.aliases == ("Chemin Vert",)

    with pytest.raises(ValidationError, match="déjà attribué"):
        service.save_quartier(world.contrat_id, QuartierEdit(None, "qpv", "Autre", code="QN06201M"))

    service.save_quartier(
        world.contrat_id,
        QuartierEdit(qid, "qpv", "Chemin Vert", code="QN06201M", population=2500, version=row.version),
    )
    with pytest.raises(ConcurrentEditError):
        service.save_quartier(world.contrat_id, QuartierEdit(qid, "qpv", "X", version=row.version))

    service.delete_quartier(qid)
    assert qid not in {q.id for q in service.quartiers(world.contrat_id)}
    with pytest.raises(NotFoundError):
        service.delete_quartier(qid)

    # A quartier targeted by a dossier cannot be deleted.
    target = next(iter(world.quartiers.values()))
    create_dossier(db, world, quartiers=(target,))
    assert next(q for q in service.quartiers(world.contrat_id) if q.id == target).dossiers == 1
    with pytest.raises(UserError, match="1 dossier le cible"):
        service.delete_quartier(target)
    assert audit_actions(db, "quartier") == ["create", "update", "delete"]


# --- campagne ------------------------------------------------------------------------------------


def test_update_campagne_and_concurrent_edit(db: Database) -> None:
    world = build_world(db)
    alice, bob = CampagneService(db, user="alice"), CampagneService(db, user="bob")
    d = alice.detail(world.campagne_id)
    with pytest.raises(ValidationError):
        alice.update(world.campagne_id, d.version, "AAP", "fermee", None, None)
    v = alice.update(world.campagne_id, d.version, "Appel à projets 2026", "ouverte", None, None)
    assert v == d.version + 1
    assert alice.get(world.campagne_id).statut == "ouverte"
    with pytest.raises(ConcurrentEditError):
        bob.update(world.campagne_id, d.version, "AAP", "comite", None, None)


def test_save_enveloppes_and_suivi(db: Database) -> None:
    world = build_world(db)
    service = CampagneService(db, user="test")
    with pytest.raises(ValidationError, match="négatif"):
        service.save_enveloppes(world.campagne_id, {world.financeurs["ETAT"]: -1})
    service.save_enveloppes(
        world.campagne_id, {world.financeurs["ETAT"]: 120_000_00, world.financeurs["CAF"]: 10_000_00}
    )
    suivi = {e.code: e for e in service.enveloppes_suivi(world.campagne_id)}
    assert suivi["ETAT"].enveloppe_cents == 120_000_00
    assert suivi["EPCI"].enveloppe_cents == 50_000_00  # untouched
    assert suivi["CAF"].has_enveloppe and suivi["CAF"].reste_cents == 10_000_00
    assert suivi["ETAT"].vote_cents == 0
    assert "enveloppes" in audit_actions(db, "campagne")


def test_recevabilite_items_refuse_deleting_a_checked_one(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    service = CampagneService(db, user="test")
    items = service.recevabilite_items(world.campagne_id)
    assert len(items) == 5
    with db.session() as s:
        s.add(RecevabiliteCheck(dossier_id=dossier_id, item_id=items[0].id, ok=True))
    assert service.recevabilite_items(world.campagne_id)[0].n_checks == 1

    with pytest.raises(ValidationError, match="suppression impossible, 1 dossier"):
        service.save_recevabilite_items(
            world.campagne_id, [RecevabiliteItemEdit(i.id, i.libelle, i.obligatoire) for i in items[1:]]
        )
    with pytest.raises(ValidationError, match="libellé obligatoire"):
        service.save_recevabilite_items(world.campagne_id, [RecevabiliteItemEdit(None, " ")])
    edits = [
        RecevabiliteItemEdit(items[0].id, "Dossier complet (reformulé)", False),
        RecevabiliteItemEdit(None, "Attestation d'assurance", True),
        *[RecevabiliteItemEdit(i.id, i.libelle, i.obligatoire) for i in items[2:]],
    ]  # items[1] (never checked) removed
    service.save_recevabilite_items(world.campagne_id, edits)
    after = service.recevabilite_items(world.campagne_id)
    assert [i.libelle for i in after][:2] == ["Dossier complet (reformulé)", "Attestation d'assurance"]
    assert after[0].id == items[0].id and after[0].n_checks == 1 and not after[0].obligatoire
    assert len(after) == 5


def test_copy_campagne_with_grille_enveloppes_items_and_cotation(db: Database) -> None:
    world = build_world(db)
    grilles = GrilleService(db, user="test")
    grilles.create_default(world.campagne_id)
    settings = CotationSettings()
    grilles.save_cotation_settings(world.campagne_id, settings)
    service = CampagneService(db, user="test")
    service.save_recevabilite_items(world.campagne_id, [RecevabiliteItemEdit(None, "Seul critère", False)])

    new_id = service.copy_from(world.campagne_id, 2027)
    row = service.get(new_id)
    assert (row.annee, row.statut, row.nb_dossiers, row.contrat_id) == (
        2027,
        "preparation",
        0,
        world.contrat_id,
    )
    assert {e.financeur_code: e.montant_cents for e in service.enveloppes(new_id)} == {
        "ETAT": 100_000_00,
        "EPCI": 50_000_00,
    }
    assert [(i.libelle, i.obligatoire) for i in service.recevabilite_items(new_id)] == [
        ("Seul critère", False)
    ]
    source, copy = grilles.get_for_campagne(world.campagne_id), grilles.get_for_campagne(new_id)
    assert source is not None and copy is not None
    assert [c.libelle for c in copy.criteres] == [c.libelle for c in source.criteres]
    assert json.loads(grilles.cotation_settings(new_id).to_json()) == json.loads(settings.to_json())
    with pytest.raises(ValidationError, match="existe déjà"):
        service.copy_from(world.campagne_id, 2027)
