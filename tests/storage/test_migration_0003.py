"""Migration 0003 on both engines: a 0002 database with data is upgraded (rows kept), then the
money columns refuse an amount above AMOUNT_HARD_MAX_CENTS and a notification may be « à refaire »."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from instructeur.domain.money import AMOUNT_HARD_MAX_CENTS
from instructeur.storage.db import Database, connect, open_database
from instructeur.storage.migrate import alembic_config, current_revision, head_revision
from instructeur.storage.models import (
    Campagne,
    Contrat,
    Dossier,
    Enveloppe,
    Financeur,
    LigneFinancement,
    Notification,
    Porteur,
)

MAX = AMOUNT_HARD_MAX_CENTS


def _database_at_0002_with_data(url: str) -> None:
    raw = connect(url)
    with raw.engine.connect() as conn:
        if raw.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        command.upgrade(alembic_config(conn), "0002")
        conn.commit()
    with raw.engine.begin() as conn:
        conn.execute(
            Contrat.__table__.insert(), [{"id": 1, "nom": "CV", "periode_debut": 2024, "periode_fin": 2030}]
        )
        conn.execute(
            Financeur.__table__.insert(),
            [{"id": 1, "contrat_id": 1, "code": "ETAT", "nom": "État", "type": "etat"}],
        )
        conn.execute(Campagne.__table__.insert(), [{"id": 1, "contrat_id": 1, "annee": 2026}])
        conn.execute(
            Enveloppe.__table__.insert(),
            [{"id": 1, "campagne_id": 1, "financeur_id": 1, "montant_cents": MAX}],
        )
        conn.execute(Porteur.__table__.insert(), [{"id": 1, "raison_sociale": "Élan"}])
        conn.execute(
            Dossier.__table__.insert(),
            [{"id": 1, "campagne_id": 1, "porteur_id": 1, "reference": "26-1", "intitule": "Atelier",
              "cout_total_cents": 12_500_00, "statut": "notifie", "decision": "retenu"}],
        )  # fmt: skip
        conn.execute(
            LigneFinancement.__table__.insert(),
            [
                {
                    "id": 1,
                    "dossier_id": 1,
                    "financeur_id": 1,
                    "demande_cents": 5_000_00,
                    "vote_cents": 4_000_00,
                }
            ],
        )
        conn.execute(
            Notification.__table__.insert(),
            [{"id": 1, "dossier_id": 1, "modele": "attribution", "etat": "notifie", "fichier": "/tmp/l.pdf"}],
        )
    assert current_revision(raw) == "0002"
    raw.close()


def _refused(db: Database, sql: str) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(text(sql))


def test_a_0002_database_is_upgraded_and_gets_the_backstops(engine_url: str, tmp_path: Path) -> None:
    _database_at_0002_with_data(engine_url)
    db = open_database(engine_url, backup_dir=tmp_path)
    try:
        assert current_revision(db) == head_revision()  # 0003 and what came after (0004: journal chain)
        with db.session() as s:
            assert (
                s.execute(text("SELECT montant_cents FROM enveloppe")).scalar_one() == MAX
            )  # the bound is allowed
            assert s.execute(text("SELECT vote_cents FROM ligne_financement")).scalar_one() == 4_000_00
            assert s.execute(text("SELECT etat FROM notification")).scalar_one() == "notifie"
        for sql in (
            f"UPDATE enveloppe SET montant_cents = {MAX + 1}",
            f"UPDATE dossier SET cout_total_cents = {MAX + 1}",
            f"UPDATE ligne_financement SET demande_cents = {MAX + 1}",
            f"UPDATE ligne_financement SET propose_cents = {MAX + 1}",
            f"UPDATE ligne_financement SET vote_cents = {MAX + 1}",
            "UPDATE notification SET etat = 'perdue'",
        ):
            _refused(db, sql)
        with db.session() as s:
            s.execute(text("UPDATE notification SET etat = 'a_refaire'"))
        with db.session() as s:
            assert s.execute(text("SELECT etat FROM notification")).scalar_one() == "a_refaire"
            # Still enforced after the copy SQLite's batch mode made: the earlier constraints.
        _refused(db, "UPDATE ligne_financement SET vote_cents = -1")
        _refused(
            db,
            "INSERT INTO ligne_financement (dossier_id, libelle, demande_cents, position) VALUES (999, 'x', 1, 0)",
        )
    finally:
        db.close()


def test_comite_and_scenario_amounts_are_bounded(db: Database) -> None:
    from tests.factories import build_world, create_dossier

    world = build_world(db)
    dossier_id = create_dossier(db, world)
    etat = world.financeurs["ETAT"]
    with db.session() as s:
        s.execute(
            text(
                "INSERT INTO comite (campagne_id, type, statut, version) VALUES (:c, 'financeurs', 'clos', 1)"
            ),
            {"c": world.campagne_id},
        )
        comite_id = s.execute(text("SELECT max(id) FROM comite")).scalar_one()
        s.execute(
            text("INSERT INTO comite_point (comite_id, dossier_id, position, version) VALUES (:c, :d, 1, 1)"),
            {"c": comite_id, "d": dossier_id},
        )
        point_id = s.execute(text("SELECT max(id) FROM comite_point")).scalar_one()
        s.execute(
            text(
                "INSERT INTO scenario (comite_id, nom, created_at, version) VALUES (:c, 'S', CURRENT_TIMESTAMP, 1)"
            ),
            {"c": comite_id},
        )
        scenario_id = s.execute(text("SELECT max(id) FROM scenario")).scalar_one()
    _refused(
        db,
        f"INSERT INTO comite_vote (point_id, financeur_id, montant_cents) VALUES ({point_id}, {etat}, {MAX + 1})",
    )
    _refused(
        db,
        "INSERT INTO scenario_montant (scenario_id, dossier_id, financeur_id, montant_cents) "
        f"VALUES ({scenario_id}, {dossier_id}, {etat}, {MAX + 1})",
    )
    with db.session() as s:
        s.execute(
            text(
                f"INSERT INTO comite_vote (point_id, financeur_id, montant_cents) VALUES ({point_id}, {etat}, {MAX})"
            )
        )
