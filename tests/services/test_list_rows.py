"""`DossierService.list_rows`: what the dossiers list, its columns and its filters need."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from instructeur.domain.statuts import Statut
from instructeur.services.contrats import ContratService
from instructeur.services.dossiers import DossierService, Ligne
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.labels import LabelService
from instructeur.services.porteurs import PorteurData, PorteurService
from instructeur.storage.db import Database
from instructeur.storage.models import LigneFinancement
from tests.factories import build_world, create_dossier


def test_rows_carry_ids_for_filters_and_columns(db: Database) -> None:
    world = build_world(db)
    objectifs = ContratService(db).objectifs(world.contrat_id)
    leaf = next(o for o in objectifs if o.niveau >= 1 and o.parent_id is not None)
    by_id = {o.id: o for o in objectifs}
    axe = leaf
    while axe.parent_id is not None:
        axe = by_id[axe.parent_id]
    q1, q2 = sorted(world.quartiers.values())[:2]
    a = create_dossier(
        db,
        world,
        "26-000001",
        objectif_id=leaf.id,
        quartiers=(q1, q2),
        cotation_declaree=1,
        reconduite=True,
        date_depot=date(2025, 12, 1),
        lignes=(
            Ligne(world.financeurs["ETAT"], "", 5_000_00),
            Ligne(world.financeurs["CAF"], "", 0),
            Ligne(None, "Fonds propres", 7_500_00),
        ),
    )
    b = create_dossier(db, world, "26-000002", quartiers=())
    evaluateur = EvaluateurService(db, user="test").create(world.contrat_id, "Claire Évrard")
    EvaluateurService(db, user="test").assign([a], evaluateur)
    LabelService(db, user="test").add_label([a], "Priorité")

    rows = DossierService(db).list_rows(world.campagne_id)
    assert [r.id for r in rows] == [a, b]
    ra, rb = rows
    assert ra.objectif_id == leaf.id and ra.objectif_code == leaf.code
    assert ra.axe_id == axe.id and ra.axe_code == axe.code
    assert ra.objectif_path[0] == axe.id and ra.objectif_path[-1] == leaf.id
    assert set(ra.quartier_ids) == {q1, q2}
    assert ra.financeur_ids == (world.financeurs["ETAT"],)  # the CAF line asks for nothing
    assert ra.demande_cents == 5_000_00
    assert ra.label_ids and ra.labels == "Priorité"
    assert ra.evaluateur_ids == (evaluateur,) and ra.evaluateurs == "Claire Évrard"
    assert ra.cotation_declaree == 1 and ra.cotation_instruite is None and ra.cotation == 1
    assert ra.reconduite is True and ra.date_depot == date(2025, 12, 1)
    assert ra.score is None and ra.vote_cents is None and ra.decision is None
    assert ra.porteur == "Élan Solidaire" and ra.porteur_id == world.porteur_id
    assert rb.objectif_id is None and rb.axe_id is None and rb.objectif_path == ()
    assert rb.quartier_ids == () and rb.label_ids == () and rb.evaluateur_ids == ()
    assert rb.statut is Statut.DEPOSE and rb.reconduite is False


def test_vote_total_sums_financeur_lines_only(db: Database) -> None:
    world = build_world(db)
    d = create_dossier(db, world)
    with db.session() as s:
        for ligne in s.query(LigneFinancement).filter_by(dossier_id=d):
            ligne.vote_cents = 1_000_00 if ligne.financeur_id else 99_00
    (row,) = DossierService(db).list_rows(world.campagne_id)
    assert row.vote_cents == 2_000_00


def test_query_count_does_not_grow_with_rows(db: Database) -> None:
    world = build_world(db)
    for n in range(12):
        create_dossier(db, world, f"26-{n:06d}")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = DossierService(db).list_rows(world.campagne_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(rows) == 12
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 7


def test_totals_by_porteur(db: Database) -> None:
    world = build_world(db)
    other = PorteurService(db, user="test").create(PorteurData(raison_sociale="Eau Vive"))
    d1 = create_dossier(db, world, "26-000001")
    create_dossier(db, world, "26-000002")
    with db.session() as s:
        for ligne in s.query(LigneFinancement).filter_by(dossier_id=d1):
            ligne.vote_cents = 100_00 if ligne.financeur_id else 5_00
    totals = DossierService(db).totals_by_porteur()
    assert totals == {world.porteur_id: (2, 200_00)}
    assert DossierService(db).totals_by_porteur([other]) == {}


def _list_selects(db: Database, campagne_id: int, expected_rows: int) -> list[str]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = DossierService(db).list_rows(campagne_id, with_scores=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(rows) == expected_rows
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_one_query_for_the_rows_one_for_the_cadre_one_for_the_classements(db: Database) -> None:
    """The number of queries does not grow with the dossiers: one for the rows, one for the
    cadre's labels, one for the cross-cutting classements (Saint-Omer's ambitions)."""
    world = build_world(db)
    for n in range(5):
        create_dossier(db, world, f"26-{n:06d}")
    five = _list_selects(db, world.campagne_id, 5)
    for n in range(5, 25):
        create_dossier(db, world, f"26-{n:06d}")
    assert _list_selects(db, world.campagne_id, 25) == five
    assert len(five) == 3, five
    assert sum("dossier_classement" in s for s in five) == 1


def test_aggregated_values_sorted_and_money_integer(db: Database) -> None:
    """Several quartiers, labels and évaluateurs come back sorted by name with their ids in the
    same order; money sums are Python ints on both engines (PostgreSQL's SUM gives numeric)."""
    world = build_world(db)
    names = sorted(world.quartiers, key=lambda nom: nom)
    quartiers = tuple(world.quartiers[n] for n in reversed(names[:3]))
    d = create_dossier(
        db,
        world,
        "26-000001",
        quartiers=quartiers,
        lignes=(
            Ligne(world.financeurs["CAF"], "", 1_000_00),
            Ligne(world.financeurs["ETAT"], "", 2_500_00),
        ),
    )
    with db.session() as s:
        for ligne in s.query(LigneFinancement).filter_by(dossier_id=d):
            ligne.vote_cents = 700_00
    evaluateurs = EvaluateurService(db, user="test")
    zoe = evaluateurs.create(world.contrat_id, "Zoé Martin")
    anne = evaluateurs.create(world.contrat_id, "Anne Durand")
    evaluateurs.assign([d], zoe)
    evaluateurs.assign([d], anne)
    LabelService(db, user="test").add_label([d], "Zéro déchet")
    LabelService(db, user="test").add_label([d], "Action phare")

    (row,) = DossierService(db).list_rows(world.campagne_id)
    assert row.quartiers == ", ".join(names[:3])
    assert row.quartier_ids == tuple(world.quartiers[n] for n in names[:3])
    assert row.evaluateurs == "Anne Durand, Zoé Martin" and row.evaluateur_ids == (anne, zoe)
    assert row.labels == "Action phare, Zéro déchet"
    assert row.financeur_ids == (world.financeurs["CAF"], world.financeurs["ETAT"])  # plan order
    assert row.demande_cents == 3_500_00 and type(row.demande_cents) is int
    assert row.vote_cents == 1_400_00 and type(row.vote_cents) is int
