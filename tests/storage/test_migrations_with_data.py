"""Every migration tested from the previous schema with data (DESIGN.md §12): a database left at
revision 0001 with a campagne, a dossier and a comité is opened by the app, which makes a backup
first, upgrades it to head and keeps every row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import func, select, text

from instructeur.services.comites import ComiteService
from instructeur.services.scenarios import ScenarioService
from instructeur.storage.db import connect, open_database
from instructeur.storage.migrate import alembic_config, current_revision, head_revision
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComiteMembre,
    ComitePoint,
    Contrat,
    Dossier,
    Financeur,
    LigneFinancement,
    Porteur,
)


def _database_at_0001_with_data(url: str) -> None:
    raw = connect(url)
    with raw.engine.connect() as conn:
        if raw.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        command.upgrade(alembic_config(conn), "0001")
        conn.commit()
    with raw.engine.begin() as conn:
        conn.execute(
            Contrat.__table__.insert(),
            [{"id": 1, "nom": "Contrat de ville", "periode_debut": 2024, "periode_fin": 2030}],
        )
        conn.execute(
            Financeur.__table__.insert(),
            [{"id": 1, "contrat_id": 1, "code": "ETAT", "nom": "État", "type": "etat"}],
        )
        conn.execute(Campagne.__table__.insert(), [{"id": 1, "contrat_id": 1, "annee": 2026}])
        conn.execute(Porteur.__table__.insert(), [{"id": 1, "raison_sociale": "Élan Solidaire"}])
        conn.execute(
            Dossier.__table__.insert(),
            [
                {
                    "id": 1,
                    "campagne_id": 1,
                    "porteur_id": 1,
                    "reference": "26-000001",
                    "intitule": "Atelier « sociolinguistique »",
                    "cout_total_cents": 12_500_00,
                    "statut": "en_comite",
                }
            ],
        )
        conn.execute(
            LigneFinancement.__table__.insert(),
            [
                {
                    "id": 1,
                    "dossier_id": 1,
                    "financeur_id": 1,
                    "demande_cents": 5_000_00,
                    "propose_cents": 4_000_00,
                }
            ],
        )
        conn.execute(
            Comite.__table__.insert(),
            [{"id": 1, "campagne_id": 1, "date_seance": date(2026, 4, 9), "lieu": "Salle du conseil"}],
        )
        conn.execute(
            ComiteMembre.__table__.insert(),
            [{"id": 1, "comite_id": 1, "nom": "Mme Sophie Hennebelle", "financeur_id": 1}],
        )
        conn.execute(
            ComitePoint.__table__.insert(), [{"id": 1, "comite_id": 1, "dossier_id": 1, "position": 1}]
        )
    assert current_revision(raw) == "0001"
    raw.close()


def test_a_0001_database_with_data_is_backed_up_then_upgraded(engine_url: str, tmp_path: Path) -> None:
    _database_at_0001_with_data(engine_url)
    backups = tmp_path / "sauvegardes"
    backups.mkdir()

    db = open_database(engine_url, backup_dir=backups)
    try:
        assert current_revision(db) == head_revision()
        made = sorted(backups.iterdir())
        assert len(made) == 1 and made[0].name.endswith(f"_avant_{head_revision()}.sqlite")
        saved = connect(made[0])
        try:
            assert current_revision(saved) == "0001"  # the backup is the database before migrating
            with saved.engine.connect() as conn:
                assert conn.execute(text("SELECT reference FROM dossier")).scalar_one() == "26-000001"
        finally:
            saved.close()

        with db.session() as s:
            dossier = s.get(Dossier, 1)
            assert dossier is not None and dossier.intitule == "Atelier « sociolinguistique »"
            assert s.scalar(select(func.count()).select_from(LigneFinancement)) == 1
            assert s.scalar(select(LigneFinancement.propose_cents)) == 4_000_00
            assert s.scalar(select(func.count()).select_from(ComitePoint)) == 1
        # The new tables work on the migrated data.
        service = ComiteService(db, user="test")
        service.set_conflict(1, 1, "Administratrice de l'association")
        (point,) = service.agenda(1)
        assert point.membres_en_conflit == ("Mme Sophie Hennebelle",)
        scenarios = ScenarioService(db, user="test")
        scenario_id = scenarios.create_scenario(1, "Hypothèse basse")
        assert scenarios.scenario_lines(scenario_id)[1][1] == {1: 4_000_00}
    finally:
        db.close()
