"""Relevé de décisions (PDF): the text a reader finds in it, and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from instructeur.cli.main import main
from instructeur.domain.statuts import Statut
from instructeur.exports.releve import render_releve
from instructeur.services.comites import ComiteService, MembreData
from instructeur.services.dossiers import Ligne
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Dossier
from tests.factories import World, build_world, create_dossier


@pytest.fixture
def db(engine_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(engine_url, backup_dir=tmp_path)
    yield database
    database.close()


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _instruit(db: Database, ids: list[int], cotations: list[tuple[int, int]]) -> None:
    with db.session() as s:
        for did, (declaree, instruite) in zip(ids, cotations, strict=True):
            d = s.get(Dossier, did)
            assert d is not None
            d.statut = Statut.INSTRUIT.value
            d.cotation_declaree, d.cotation_instruite, d.avis = declaree, instruite, "favorable"
            for ligne in d.lignes:
                if ligne.financeur_id is not None:
                    ligne.propose_cents = ligne.demande_cents


def _seance(db: Database) -> tuple[World, int]:
    world = build_world(db)
    etat, epci = world.financeurs["ETAT"], world.financeurs["EPCI"]
    ids = [
        create_dossier(
            db,
            world,
            "26-000001",
            intitule="Atelier sociolinguistique",
            cout_total_cents=30_000_00,
            lignes=(
                Ligne(etat, "", 12_500_00),
                Ligne(epci, "", 45_000_00 // 10),
                Ligne(None, "Fonds propres", 13_000_00),
            ),
        ),
        create_dossier(db, world, "26-000002", intitule="Chantier éducatif"),
        create_dossier(
            db,
            world,
            "26-000003",
            intitule="Café des parents",
            cout_total_cents=60_000_00,
            lignes=(
                Ligne(etat, "", 5_000_00),
                Ligne(epci, "", 50_000_00),
                Ligne(None, "Fonds propres", 5_000_00),
            ),
        ),
    ]
    _instruit(db, ids, [(0, 1), (1, 1), (2, 2)])
    service = ComiteService(db, user="test")
    comite_id = service.create(
        world.campagne_id,
        "financeurs",
        date(2026, 4, 9),
        "Salle du conseil, hôtel communautaire",
        [
            MembreData("Mme Sophie Hennebelle", "Sous-préfète", etat),
            MembreData("M. Thierry Wacquet", "Vice-président", epci),
            MembreData(
                "M. Franck Delobel", "Responsable action sociale", world.financeurs["CAF"], present=False
            ),
        ],
    )
    service.add_points(comite_id, ids, order="manuel")
    _, membres = service.get(comite_id)
    service.set_conflict(membres[1].id, ids[1], "Président de l'association")
    service.open_seance(comite_id)
    p1, p2, p3 = service.agenda(comite_id)
    service.decide(p1.id, p1.version, "retenu", {etat: 12_500_00, epci: 4_500_00}, "Fournir le bilan", None)
    service.decide(p2.id, p2.version, "refuse", {}, None, "Hors des priorités du contrat")
    # The EPCI enveloppe (50 000 €) is exceeded with a motivated override.
    service.decide(
        p3.id, p3.version, "retenu", {epci: 50_000_00}, None, None, override_motivation="Action prioritaire"
    )
    service.close(comite_id)
    return world, comite_id


def test_the_releve_reads_like_a_releve(db: Database, tmp_path: Path) -> None:
    _, comite_id = _seance(db)
    path = render_releve(db, comite_id, tmp_path / "releve.pdf")
    raw = _text(path)
    assert "\u202f" not in raw
    text = raw.replace("\u00a0", " ")  # pypdf gives the no-break spaces back as spaces
    assert "Relevé de décisions du comité des financeurs du 9 avril 2026" in text
    assert "09/04/2026" in text and "Salle du conseil, hôtel communautaire" in text
    assert "Mme Sophie Hennebelle, Sous-préfète" in text
    assert "Excusés" in text and "M. Franck Delobel" in text
    lines = text.splitlines()
    assert any("ETAT 12 500,00 €" in line for line in lines)  # the amount on one line
    assert any("EPCI 4 500,00 €" in line for line in lines)
    assert "26-000001" in text and "Atelier sociolinguistique" in text and "Retenu" in text
    assert "Refusé" in text and "Hors des priorités du contrat" in text
    assert "N'a pas pris part : M. Thierry Wacquet" in text
    assert "Dérogation à l'enveloppe EPCI : Action prioritaire" in text
    assert text.index("26-000001") < text.index("26-000002") < text.index("26-000003")
    # Enveloppes: voted and reste (ETAT 100 000 € − 12 500 €; EPCI exceeded).
    assert "87 500,00 €" in text
    assert "-4 500,00 €" in text and "dépassée" in text
    # Cotation F/H before (demandé, déclarée) / after (voté, instruite).
    assert "Demandé (entrée)" in text and "Voté (sortie)" in text
    assert "Pour le comité, le président" in text
    assert "1 / " in text


def test_cli_export_releve_exit_codes(
    engine_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(engine_url, backup_dir=tmp_path)
    try:
        world, comite_id = _seance(db)
    finally:
        db.close()
    target = tmp_path / "releve.pdf"
    assert main(["--db", engine_url, "export", "releve", "--comite", str(comite_id), "-o", str(target)]) == 0
    assert "Relevé de décisions écrit" in capsys.readouterr().out
    assert PdfReader(str(target)).pages
    assert main(["--db", engine_url, "comites", "list", "--campagne", str(world.campagne_id)]) == 0
    assert "Comité des financeurs du 09/04/2026" in capsys.readouterr().out
    assert (
        main(["--db", engine_url, "export", "releve", "--comite", "999", "-o", str(tmp_path / "x.pdf")]) == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["instructeur : comité 999 introuvable"]


def test_dossier_ids_are_real(db: Database) -> None:
    _seance(db)
    with db.session() as s:
        assert set(s.scalars(select(Dossier.statut))) == {"retenu", "refuse"}
