"""« Recevable » needs every mandatory recevabilité point, on both engines, whatever the entry
point (one dossier, the batch, `move_statut` itself); the cotation F/H proposal saved as is lets
the dossier become « instruit »."""

from __future__ import annotations

import dataclasses

import pytest

from instructeur.domain.statuts import Statut
from instructeur.errors import UserError, ValidationError
from instructeur.services.campagnes import CampagneService, RecevabiliteItemEdit
from instructeur.services.dossiers import DossierService, move_statut
from instructeur.services.fiche import FicheService
from instructeur.services.instruction import InstructionService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier
from tests.factories import World, build_world, create_dossier

ALL_MISSING = (
    "Dossier complet (formulaire CERFA 12156 et budget de l'action), "
    "Contrat d'engagement républicain signé, "
    "Compte rendu financier N-1 reçu (CERFA 15059), pour une action reconduite, "
    "Public majoritairement issu des quartiers prioritaires, "
    "Relevé d'identité bancaire et statuts à jour"
)
YES3 = {"diagnostic": True, "objectifs": True, "moyens": True, "indicateurs": False, "principal": False}


def _tick(db: Database, dossier_id: int, *, keep_unticked: tuple[str, ...] = ()) -> None:
    fiche = FicheService(db, user="chef")
    detail = DossierService(db).get(dossier_id)
    rows = [dataclasses.replace(r, ok=r.libelle not in keep_unticked) for r in fiche.recevabilite(dossier_id)]
    fiche.save_fiche(dossier_id, detail.version, detail.data, rows)


def _optional_rib(db: Database, world: World) -> None:
    """The campagne makes its last point (RIB) optional."""
    campagnes = CampagneService(db, user="chef")
    items = campagnes.recevabilite_items(world.campagne_id)
    edits = [RecevabiliteItemEdit(i.id, i.libelle, i.obligatoire) for i in items]
    edits[-1] = dataclasses.replace(edits[-1], obligatoire=False)
    campagnes.save_recevabilite_items(world.campagne_id, edits)


def test_recevable_refused_with_the_missing_points_named(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world, reference="26-000123")
    service = DossierService(db, user="chef")
    assert service.recevabilite_missing(dossier_id)[1] == "Contrat d'engagement républicain signé"
    with pytest.raises(UserError) as info:
        service.change_statut(dossier_id, Statut.RECEVABLE)
    assert str(info.value) == (
        f"dossier 26-000123 : recevabilité incomplète — points obligatoires non cochés : {ALL_MISSING}"
    )
    _tick(db, dossier_id, keep_unticked=("Contrat d'engagement républicain signé",))
    with pytest.raises(UserError) as info:
        service.change_statut(dossier_id, Statut.RECEVABLE)
    assert str(info.value) == (
        "dossier 26-000123 : recevabilité incomplète — point obligatoire non coché : "
        "Contrat d'engagement républicain signé"
    )
    detail = service.get(dossier_id)
    assert detail.statut is Statut.DEPOSE and len(detail.transitions) == 1  # nothing written


def test_recevable_accepted_when_every_mandatory_point_is_ticked(db: Database) -> None:
    world = build_world(db)
    _optional_rib(db, world)
    dossier_id = create_dossier(db, world)
    _tick(db, dossier_id, keep_unticked=("Relevé d'identité bancaire et statuts à jour",))  # optional now
    service = DossierService(db, user="chef")
    assert service.recevabilite_missing(dossier_id) == []
    service.change_statut(dossier_id, Statut.RECEVABLE)
    assert service.get(dossier_id).statut is Statut.RECEVABLE
    # Other moves from « déposé » do not need the points.
    other = create_dossier(db, world, reference="26-000002")
    service.change_statut(other, Statut.INCOMPLET)
    assert service.get(other).statut is Statut.INCOMPLET


def test_batch_moves_the_complete_dossiers_and_names_the_refused(db: Database) -> None:
    world = build_world(db)
    ids = [create_dossier(db, world, reference=f"26-00001{n}") for n in range(3)]
    _tick(db, ids[1])
    result = DossierService(db, user="chef").change_statut_many(ids, Statut.RECEVABLE)
    assert result.changed == (ids[1],)
    assert result.refused == (
        (
            ids[0],
            f"dossier 26-000010 : recevabilité incomplète — points obligatoires non cochés : {ALL_MISSING}",
        ),
        (
            ids[2],
            f"dossier 26-000012 : recevabilité incomplète — points obligatoires non cochés : {ALL_MISSING}",
        ),
    )
    statuts = [DossierService(db).get(i).statut for i in ids]
    assert statuts == [Statut.DEPOSE, Statut.RECEVABLE, Statut.DEPOSE]


def test_move_statut_itself_refuses_an_incomplete_recevabilite(db: Database) -> None:
    """The séance, the notifications and any future caller share `move_statut`."""
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    with pytest.raises(UserError, match="Contrat d'engagement républicain signé"), db.session() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        move_statut(s, d, Statut.RECEVABLE, "script")
    assert DossierService(db).get(dossier_id).statut is Statut.DEPOSE


def test_the_proposed_cotation_saved_as_is_lets_the_dossier_be_instruit(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world, cout_total_cents=12_500_00)
    _tick(db, dossier_id)
    dossiers = DossierService(db, user="chef")
    dossiers.change_statut(dossier_id, Statut.RECEVABLE)
    dossiers.change_statut(dossier_id, Statut.EN_INSTRUCTION)
    instruction = InstructionService(db, user="chef")
    instruction.save_avis(
        dossier_id, dossiers.get(dossier_id).version, "favorable", None, {world.financeurs["ETAT"]: 4_000_00}
    )
    # Answers saved with « non cotée »: the proposal is known, the cotation is still missing.
    instruction.save_cotation(dossier_id, dossiers.get(dossier_id).version, YES3, None)
    assert instruction.cotation(dossier_id).proposee == 1
    assert instruction.missing(dossier_id) == ["cotation égalité F/H instruite"]
    with pytest.raises(UserError, match="cotation égalité F/H instruite"):
        dossiers.change_statut(dossier_id, Statut.INSTRUIT)
    # The proposed level, without justification: accepted, and « instruit » follows.
    instruction.save_cotation(dossier_id, dossiers.get(dossier_id).version, YES3, 1)
    assert instruction.missing(dossier_id) == []
    dossiers.change_statut(dossier_id, Statut.INSTRUIT)
    assert dossiers.get(dossier_id).statut is Statut.INSTRUIT


def test_a_recevable_dossier_cannot_lose_a_mandatory_point(db: Database) -> None:
    world = build_world(db)
    _optional_rib(db, world)
    dossier_id = create_dossier(db, world)
    _tick(db, dossier_id, keep_unticked=("Contrat d'engagement républicain signé",))
    _tick(db, dossier_id)  # déposé: ticking and unticking are free
    DossierService(db, user="chef").change_statut(dossier_id, Statut.RECEVABLE)
    with pytest.raises(
        ValidationError, match="déjà recevable, point obligatoire décoché : Contrat d'engagement"
    ):
        _tick(db, dossier_id, keep_unticked=("Contrat d'engagement républicain signé",))
    _tick(
        db, dossier_id, keep_unticked=("Relevé d'identité bancaire et statuts à jour",)
    )  # optional: allowed
    assert DossierService(db).recevabilite_missing(dossier_id) == []
    # Reopened to « déposé », the point may be unticked again.
    DossierService(db, user="chef").change_statut(dossier_id, Statut.DEPOSE, "Pièce retirée par le porteur")
    _tick(db, dossier_id, keep_unticked=("Contrat d'engagement républicain signé",))
    assert DossierService(db).recevabilite_missing(dossier_id) == ["Contrat d'engagement républicain signé"]
