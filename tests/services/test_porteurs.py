"""Porteurs on both engines: identifiers checked, deduplication, history, merging duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instructeur.domain.statuts import Statut
from instructeur.errors import ValidationError
from instructeur.services.dossiers import DossierService
from instructeur.services.porteurs import PorteurData, PorteurService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, LigneFinancement, Porteur
from tests.factories import build_world, create_dossier


def test_invalid_identifiers_are_named(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        PorteurService(db).create(PorteurData(raison_sociale="X", siret="73282932000075", rna="123"))
    assert [p.split(" :")[0] for p in info.value.problems] == ["SIRET", "RNA"]


def test_find_or_create_deduplicates_on_siret_with_spaces(db: Database) -> None:
    service = PorteurService(db)
    first = service.find_or_create(
        PorteurData(raison_sociale="Centre social Horizon", siret="732 829 320 00074")
    )
    again = service.find_or_create(PorteurData(raison_sociale="CS Horizon", siret="73282932000074"))
    assert first == again
    with pytest.raises(ValidationError, match="déjà utilisé"):
        service.create(PorteurData(raison_sociale="Autre", siret="73282932000074"))


def test_history_lists_votes_and_crf(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    with db.session() as s:
        ligne = s.scalars(select(LigneFinancement).where(LigneFinancement.dossier_id == dossier_id)).first()
        assert ligne is not None
        ligne.vote_cents = 4_000_00
    (row,) = PorteurService(db).history(world.porteur_id)
    assert (row.reference, row.demande_cents, row.vote_cents, row.statut) == (
        "26-000001",
        9_000_00,
        4_000_00,
        Statut.DEPOSE,
    )
    assert row.annee == 2026 and row.crf_recu_le is None


def test_merge_moves_dossiers_fills_gaps_and_keeps_an_audit_trail(db: Database) -> None:
    world = build_world(db)
    service = PorteurService(db, user="chef")
    duplicate = service.create(
        PorteurData(
            raison_sociale="ELAN SOLIDAIRE", siret="35600000000048", ville="Outreau", contact_email="a@b.fr"
        )
    )
    kept_dossier = create_dossier(db, world, reference="26-000001")
    moved_dossier = create_dossier(db, world, reference="26-000002", porteur_id=duplicate)
    service.merge(world.porteur_id, duplicate)
    kept = service.get(world.porteur_id)
    assert kept.data.ville == "Outreau" and kept.data.contact_email == "a@b.fr"
    assert kept.data.siret == "73282932000074"  # the kept porteur's own values win
    dossiers = DossierService(db)
    assert dossiers.get(moved_dossier).data.porteur_id == world.porteur_id
    assert dossiers.get(kept_dossier).data.porteur_id == world.porteur_id
    with db.session() as s:
        assert s.get(Porteur, duplicate) is None
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "merge")).one()
        assert "ELAN SOLIDAIRE" in entry.changes
        assert entry.utilisateur == ("chef" if db.is_sqlite else "postgres")  # PostgreSQL: session_user


def test_merge_takes_the_duplicate_siret_when_the_kept_one_has_none(db: Database) -> None:
    service = PorteurService(db)
    keep = service.create(PorteurData(raison_sociale="Compagnie du Vent"))
    dup = service.create(PorteurData(raison_sociale="Cie du Vent", siret="73282932000074"))
    service.merge(keep, dup)
    assert service.get(keep).data.siret == "73282932000074"
