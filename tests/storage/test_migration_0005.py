"""Migration 0005 on both engines: a 0004 database with a cadre and a dossier rattaché is upgraded
(rows kept, its objectifs are the main cadre), then takes classifications, links, classements and a
financeur's SIRET; downgrading drops the additional trees only, and upgrading again works."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from instructeur.storage.db import connect, open_database
from instructeur.storage.migrate import alembic_config, current_revision, head_revision

ROWS_0004 = (
    "INSERT INTO contrat (id, nom, epci_nom, periode_debut, periode_fin, niveaux, version) "
    "VALUES (1, 'CV', '', 2024, 2030, 'Axe | Objectif', 1)",
    "INSERT INTO financeur (id, contrat_id, code, nom, type, position, version) "
    "VALUES (1, 1, 'ETAT', 'État', 'etat', 0, 1)",
    "INSERT INTO objectif (id, contrat_id, parent_id, code, titre, niveau, position) "
    "VALUES (1, 1, NULL, '1', 'Cohésion', 0, 0)",
    "INSERT INTO objectif (id, contrat_id, parent_id, code, titre, niveau, position) "
    "VALUES (2, 1, 1, '1.1', 'Lien social', 1, 0)",
    "INSERT INTO campagne (id, contrat_id, annee, libelle, statut, version) "
    "VALUES (1, 1, 2026, 'AAP', 'preparation', 1)",
    "INSERT INTO porteur (id, raison_sociale, version) VALUES (1, 'Élan', 1)",
    "INSERT INTO dossier (id, campagne_id, porteur_id, reference, intitule, description, objectifs_action, "
    "objectif_id, pluriannuel, reconduite, cout_total_cents, statut, version) "
    "VALUES (1, 1, 1, '26-1', 'Atelier', '', '', 2, false, false, 100, 'depose', 1)",
)


def _database_at(url: str, revision: str) -> None:
    raw = connect(url)
    with raw.engine.connect() as conn:
        if raw.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        command.upgrade(alembic_config(conn), revision)
        conn.commit()
    raw.close()


def _downgrade(url: str, revision: str) -> None:
    raw = connect(url)
    with raw.engine.connect() as conn:
        if raw.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        command.downgrade(alembic_config(conn), revision)
        conn.commit()
    raw.close()


def test_a_0004_database_is_upgraded_and_takes_classifications(engine_url: str, tmp_path: Path) -> None:
    _database_at(engine_url, "0004")
    raw = connect(engine_url)
    with raw.engine.begin() as conn:
        for sql in ROWS_0004:
            conn.execute(text(sql))
    raw.close()

    db = open_database(engine_url, backup_dir=tmp_path)
    try:
        assert current_revision(db) == head_revision()
        with db.session() as s:
            assert s.execute(text("SELECT objectif_id FROM dossier")).scalar_one() == 2
            assert s.execute(text("SELECT count(*) FROM objectif WHERE classification_id IS NULL")).scalar_one() == 2
            assert s.execute(text("SELECT siret FROM financeur")).scalar_one() is None
            s.execute(text("UPDATE financeur SET siret = '13000548100010'"))
            s.execute(
                text(
                    "INSERT INTO classification (id, contrat_id, code, nom, niveaux, position) "
                    "VALUES (1, 1, 'AMB', 'Ambitions', 'Ambition | Engagement', 0)"
                )
            )
            s.execute(
                text(
                    "INSERT INTO objectif (id, contrat_id, classification_id, parent_id, code, titre, niveau, position) "
                    "VALUES (3, 1, 1, NULL, 'A1', 'Mieux repérer', 0, 0)"
                )
            )
            s.execute(text("INSERT INTO objectif_lien (objectif_id, lie_a_id) VALUES (3, 2)"))
            s.execute(text("INSERT INTO dossier_classement (dossier_id, objectif_id) VALUES (1, 3)"))
        # codes stay unique across the contrat's trees, a link is recorded once
        for sql in (
            "INSERT INTO objectif (contrat_id, classification_id, code, titre, niveau, position) "
            "VALUES (1, 1, '1.1', 'Doublon', 0, 1)",
            "INSERT INTO objectif_lien (objectif_id, lie_a_id) VALUES (3, 2)",
            "INSERT INTO dossier_classement (dossier_id, objectif_id) VALUES (1, 999)",
        ):
            with pytest.raises(IntegrityError), db.session() as s:
                s.execute(text(sql))
        # deleting the classification takes its nodes, their links and the classements with it
        with db.session() as s:
            s.execute(text("DELETE FROM classification WHERE id = 1"))
        with db.session() as s:
            assert s.execute(text("SELECT count(*) FROM objectif")).scalar_one() == 2
            assert s.execute(text("SELECT count(*) FROM objectif_lien")).scalar_one() == 0
            assert s.execute(text("SELECT count(*) FROM dossier_classement")).scalar_one() == 0
    finally:
        db.close()


def test_downgrade_to_0004_keeps_the_main_cadre_and_upgrades_again(engine_url: str, tmp_path: Path) -> None:
    _database_at(engine_url, "0005")
    raw = connect(engine_url)
    with raw.engine.begin() as conn:
        for sql in ROWS_0004:
            conn.execute(text(sql))
        conn.execute(
            text(
                "INSERT INTO classification (id, contrat_id, code, nom, niveaux, position) "
                "VALUES (1, 1, 'AMB', 'Ambitions', 'Ambition', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO objectif (id, contrat_id, classification_id, code, titre, niveau, position) "
                "VALUES (3, 1, 1, 'A1', 'Mieux repérer', 0, 0)"
            )
        )
    raw.close()
    _downgrade(engine_url, "0004")
    raw = connect(engine_url)
    with raw.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM objectif")).scalar_one() == 2
        assert conn.execute(text("SELECT objectif_id FROM dossier")).scalar_one() == 2
    raw.close()
    db = open_database(engine_url, backup_dir=tmp_path)
    try:
        assert current_revision(db) == head_revision()
    finally:
        db.close()
