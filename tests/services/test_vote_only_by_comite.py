"""A voted amount is written by a comité decision only: every other way of saving a dossier's
plan de financement (fiche, `DossierService.update`, creation) refuses a voté (both engines)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from instructeur.errors import ValidationError
from instructeur.services.dossiers import DossierService, Ligne
from instructeur.services.fiche import FicheService
from instructeur.storage.db import Database
from instructeur.storage.models import LigneFinancement
from tests.factories import build_world, create_dossier, dossier_data


def _with_vote(lignes: tuple[Ligne, ...], cents: int) -> tuple[Ligne, ...]:
    return (dataclasses.replace(lignes[0], vote_cents=cents), *lignes[1:])


def _votes(db: Database) -> list[int | None]:
    with db.session() as s:
        return list(s.scalars(select(LigneFinancement.vote_cents)))


def test_update_refuses_a_vote(db: Database) -> None:
    world = build_world(db)
    did = create_dossier(db, world)
    service = DossierService(db, user="test")
    detail = service.get(did)
    data = dataclasses.replace(detail.data, lignes=_with_vote(detail.data.lignes, 99_999_00))
    with pytest.raises(ValidationError) as refused:
        service.update(did, detail.version, data)
    assert "ne se modifie que par une décision du comité" in str(refused.value)
    assert "(aucun → 99\u00a0999,00\u00a0€)" in str(refused.value)
    assert not any(_votes(db))
    assert service.get(did).version == detail.version


@pytest.mark.parametrize("via", ["service", "fiche"])
def test_creation_refuses_a_vote(db: Database, via: str) -> None:
    world = build_world(db)
    data = dossier_data(world)
    data = dataclasses.replace(data, lignes=_with_vote(data.lignes, 1_000_00))
    with pytest.raises(ValidationError):
        if via == "service":
            DossierService(db, user="test").create(world.campagne_id, data)
        else:
            FicheService(db, user="test").create_dossier(world.campagne_id, data)
    assert _votes(db) == []
