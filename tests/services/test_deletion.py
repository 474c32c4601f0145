"""Deleting a dossier, a comité or a campagne created by mistake (services/deletion.py), on both
engines: allowed while nothing depends on it, refused with the reason and counts otherwise; a
journal line each time; no orphan row left."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Table, func, select

from instructeur.domain.statuts import Statut
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.comites import ComiteService, MembreData
from instructeur.services.deletion import DeletionService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AuditLog,
    Base,
    Campagne,
    Comite,
    ComitePoint,
    Dossier,
    Enveloppe,
    Evaluation,
)
from tests.factories import World, build_world, create_dossier
from tests.services.test_comites import _instruit_dossiers


def _rows_pointing_at(db: Database, table_name: str, ident: int) -> dict[str, int]:
    """Rows of any table whose foreign key points at `table_name`.id = ident (orphans if > 0)."""
    found = {}
    with db.session() as s:
        for table in Base.metadata.sorted_tables:
            assert isinstance(table, Table)
            for fk in table.foreign_keys:
                if fk.column.table.name == table_name:
                    n = s.scalar(select(func.count()).select_from(table).where(fk.parent == ident)) or 0
                    if n:
                        found[f"{table.name}.{fk.parent.name}"] = n
    return found


def _journal(db: Database, entity: str, ident: int) -> list[tuple[str, dict[str, object]]]:
    with db.session() as s:
        return [
            (a, json.loads(c))
            for a, c in s.execute(
                select(AuditLog.action, AuditLog.changes).where(
                    AuditLog.entity == entity, AuditLog.entity_id == ident
                )
            )
        ]


def test_a_new_dossier_is_deleted_with_everything_that_hangs_on_it(db: Database) -> None:
    world = build_world(db)
    keep = create_dossier(db, world, "26-000001")
    did = create_dossier(db, world, "26-000002", reconduction_de_id=keep)
    reconduit = create_dossier(db, world, "26-000003", reconduction_de_id=did)
    evaluateur = EvaluateurService(db, user="test").create(world.contrat_id, "Claire")
    EvaluateurService(db, user="test").assign([did], evaluateur)  # assigned, never scored
    service = DeletionService(db, user="alice")
    preview = service.preview_dossier(did)
    assert preview.allowed and preview.name == "le dossier 26-000002 « Atelier sociolinguistique »"
    assert "3 lignes du plan de financement" in preview.question

    assert service.delete_dossier(did) == preview.name
    with db.session() as s:
        assert s.get(Dossier, did) is None
        assert s.get(Dossier, keep) is not None
        kept = s.get(Dossier, reconduit)
        assert kept is not None and kept.reconduction_de_id is None
    assert _rows_pointing_at(db, "dossier", did) == {}
    assert ("delete", {"campagne": world.campagne_id, "intitule": "Atelier sociolinguistique",
                       "porteur": world.porteur_id, "reference": "26-000002"}) in _journal(db, "dossier", did)  # fmt: skip


def test_a_dossier_with_notes_or_a_decision_is_not_deleted(db: Database) -> None:
    world = build_world(db)
    did = create_dossier(db, world, "26-000001")
    evaluateurs = EvaluateurService(db, user="test")
    evaluateur = evaluateurs.create(world.contrat_id, "Claire")
    evaluateurs.assign([did], evaluateur)
    notation = NotationService(db, user="test")
    ev = notation.evaluation(did, evaluateur)
    notation.save_notes(ev.id, ev.version, {ev.criteres[0].id: 3, ev.criteres[1].id: 2})
    service = DeletionService(db, user="alice")
    with pytest.raises(UserError) as caught:
        service.delete_dossier(did)
    assert caught.value.message == (
        "le dossier 26-000001 « Atelier sociolinguistique » ne peut pas être supprimé : 2 notes d'évaluation"
    )
    assert not service.preview_dossier(did).allowed

    (decided,) = _instruit_dossiers(db, world, ["26-000009"])
    comites = ComiteService(db, user="test")
    comite_id = comites.create(world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    comites.add_points(comite_id, [decided], order="manuel")
    with pytest.raises(UserError, match="inscrit à l'ordre du jour"):
        service.delete_dossier(decided)
    comites.open_seance(comite_id)
    _decide_all(db)
    with pytest.raises(UserError, match="une décision du comité est enregistrée"):
        service.delete_dossier(decided)
    with db.session() as s:
        assert s.get(Dossier, did) is not None and s.get(Dossier, decided) is not None


def _decide_all(db: Database, first_only: bool = False) -> None:
    """A decision recorded on the agenda (the séance's own rules are tested in test_comites)."""
    with db.session() as s:
        for point in s.scalars(select(ComitePoint).order_by(ComitePoint.id)):
            point.decision = "ajourne"
            point.dossier.statut = point.dossier.decision = "ajourne"
            if first_only:
                break


def _comite_with_agenda(db: Database, world: World) -> tuple[int, list[int]]:
    ids = _instruit_dossiers(db, world, ["26-000011", "26-000012"])
    comites = ComiteService(db, user="test")
    comite_id = comites.create(
        world.campagne_id, "financeurs", date(2026, 4, 9), "Mairie",
        [MembreData("Mme Hennebelle", "Sous-préfète", world.financeurs["ETAT"])],
    )  # fmt: skip
    comites.add_points(comite_id, ids, order="manuel")
    return comite_id, ids


def test_a_comite_in_preparation_is_deleted_and_its_dossiers_go_back_to_instruit(db: Database) -> None:
    world = build_world(db)
    comite_id, ids = _comite_with_agenda(db, world)
    service = DeletionService(db, user="alice")
    preview = service.preview_comite(comite_id)
    assert preview.allowed and preview.name == "le comité des financeurs du 09/04/2026"
    assert "2 dossiers retirés de l'ordre du jour" in preview.question
    service.delete_comite(comite_id)
    with db.session() as s:
        assert s.get(Comite, comite_id) is None
        assert {d.statut for d in s.scalars(select(Dossier).where(Dossier.id.in_(ids)))} == {
            Statut.INSTRUIT.value
        }
    assert _rows_pointing_at(db, "comite", comite_id) == {}
    ((action, entry),) = _journal(db, "comite", comite_id)[-1:]
    assert action == "delete" and entry["dossiers"] == ["26-000011", "26-000012"]


def test_a_comite_with_a_decision_is_not_deleted(db: Database) -> None:
    world = build_world(db)
    comite_id, _ = _comite_with_agenda(db, world)
    ComiteService(db, user="test").open_seance(comite_id)
    service = DeletionService(db, user="alice")
    with pytest.raises(UserError, match="ne peut pas être supprimé : la séance est ouverte"):
        service.delete_comite(comite_id)
    _decide_all(db, first_only=True)
    with pytest.raises(UserError) as caught:
        service.delete_comite(comite_id)
    assert caught.value.message == (
        "le comité des financeurs du 09/04/2026 ne peut pas être supprimé : 1 décision enregistrée"
    )


def test_a_campagne_is_deleted_only_when_empty(db: Database) -> None:
    world = build_world(db)
    create_dossier(db, world, "26-000001")
    ComiteService(db, user="test").create(world.campagne_id, "financeurs", None, None, [])
    service = DeletionService(db, user="alice")
    with pytest.raises(UserError) as caught:
        service.delete_campagne(world.campagne_id)
    assert caught.value.message == (
        "la campagne 2026 « Appel à projets » ne peut pas être supprimée : 1 dossier, 1 comité"
    )
    empty = CampagneService(db, user="test").create(
        world.contrat_id, 2027, enveloppes={world.financeurs["ETAT"]: 10_000_00}
    )
    EvaluateurService(db, user="test").grille_of(empty)  # a default grille
    with db.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(Enveloppe).where(Enveloppe.campagne_id == empty)) == 1
        )
    assert service.preview_campagne(empty).allowed
    service.delete_campagne(empty)
    with db.session() as s:
        assert s.get(Campagne, empty) is None
        assert s.get(Campagne, world.campagne_id) is not None
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert _rows_pointing_at(db, "campagne", empty) == {}
    assert _journal(db, "campagne", empty)[-1][0] == "delete"
