"""Official QPV file → codes, communes and INSEE codes of the contrat's quartiers (Boulonnais)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from instructeur.errors import UserError
from instructeur.imports.qpv import QpvImportRejected, import_qpv
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, Commune, Contrat, Quartier
from tests.factories import World

HEADER = "code_qp;lib_qp;insee_reg;lib_reg;insee_dep;lib_dep;insee_com;lib_com;siren_epci;lib_epci"
CAB = "200040715;CA du Boulonnais"
ROWS = [
    f"QN06213A;Damrémont;32;Hauts-de-France;62;Pas-de-Calais;62160;Boulogne-sur-Mer;{CAB}",
    f"QN06214B;Centre-Ville;32;Hauts-de-France;62;Pas-de-Calais;62160;Boulogne-sur-Mer;{CAB}",
    f"QN06215C;Chemin Vert - Beaurepaire Et Marlborough;32;Hauts-de-France;62;Pas-de-Calais;62160;Boulogne-sur-Mer;{CAB}",
    f"QN06215C;Chemin Vert - Beaurepaire Et Marlborough;32;Hauts-de-France;62;Pas-de-Calais;62758;Saint-Martin-Boulogne;{CAB}",
    f"QN06216D;Résidences Sud du Boulonnais;32;Hauts-de-France;62;Pas-de-Calais;62160;Boulogne-sur-Mer;{CAB}",
    f"QN06216D;Résidences Sud du Boulonnais;32;Hauts-de-France;62;Pas-de-Calais;62643;Outreau;{CAB}",
    f"QN06216D;Résidences Sud du Boulonnais;32;Hauts-de-France;62;Pas-de-Calais;62667;Le Portel;{CAB}",
    f"QN06217E;La Tour d'Outreau;32;Hauts-de-France;62;Pas-de-Calais;62643;Outreau;{CAB}",
    "QN05901X;Lille Sud;32;Hauts-de-France;59;Nord;59350;Lille;200093201;Métropole Européenne de Lille",
]


def write(path: Path, rows: list[str], delimiter: str = ";", encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([HEADER, *rows]).replace(";", delimiter) + "\n", encoding=encoding)
    return path


def quartiers(db: Database) -> dict[str, tuple[str | None, list[tuple[str, str | None]]]]:
    with db.session() as s:
        return {
            q.nom: (q.code, [(c.nom, c.insee) for c in q.communes])
            for q in s.scalars(select(Quartier).options(selectinload(Quartier.communes)))
        }


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "utf-8"), (",", "cp1252")])
def test_boulonnais_codes_and_communes(
    db: Database, world: World, tmp_path: Path, delimiter: str, encoding: str
) -> None:
    result = import_qpv(db, write(tmp_path / "qpv.csv", ROWS, delimiter, encoding), user="t")
    assert result.summary() == "4 QPV mis à jour (codes renseignés), 1 créé, 0 ignoré"
    assert result.created == ("La Tour d'Outreau : QN06217E",)
    assert result.rows_outside == 1
    got = quartiers(db)
    assert got["Damrémont"] == ("QN06213A", [("Boulogne-sur-Mer", "62160")])
    assert got["Centre Ville"][0] == "QN06214B"
    assert got["Chemin Vert - Beaurepaire et Marlborough"] == (
        "QN06215C",
        [("Boulogne-sur-Mer", "62160"), ("Saint-Martin-Boulogne", "62758")],
    )
    assert got["Résidences Sud du Boulonnais"][0] == "QN06216D"
    assert sorted(got["Résidences Sud du Boulonnais"][1]) == [
        ("Boulogne-sur-Mer", "62160"), ("Le Portel", "62667"), ("Outreau", "62643"),
    ]  # fmt: skip
    assert got["La Tour d'Outreau"] == ("QN06217E", [("Outreau", "62643")])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Commune).where(Commune.nom == "Lille")) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "quartier")) == 5

    again = import_qpv(db, tmp_path / "qpv.csv", user="t")
    assert again.summary() == "0 QPV mis à jour (codes renseignés), 0 créé, 0 ignoré, 5 déjà à jour"


def test_epci_siren_brings_new_communes(db: Database, world: World, tmp_path: Path) -> None:
    with db.session() as s:
        s.get(Contrat, world.contrat_id).epci_siren = "200040715"  # type: ignore[union-attr]
    rows = [*ROWS, f"QN06218F;Wimereux Centre;32;Hauts-de-France;62;Pas-de-Calais;62893;Wimereux;{CAB}"]
    result = import_qpv(db, write(tmp_path / "qpv.csv", rows), world.contrat_id, user="t")
    assert result.communes_created == ("Wimereux",)
    assert quartiers(db)["Wimereux Centre"] == ("QN06218F", [("Wimereux", "62893")])


def test_invalid_code_rejects_everything(db: Database, world: World, tmp_path: Path) -> None:
    rows = [*ROWS[:2], "QX1;Damrémont bis;32;HdF;62;PdC;62160;Boulogne-sur-Mer;200040715;CAB"]
    before = quartiers(db)
    with pytest.raises(QpvImportRejected) as info:
        import_qpv(db, write(tmp_path / "qpv.csv", rows), user="t")
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (4, "code_qp")
    assert problem.reason.startswith("code QPV invalide : « QX1 »")
    assert quartiers(db) == before


def test_dry_run_writes_nothing_and_code_conflict_is_ignored(
    db: Database, world: World, tmp_path: Path
) -> None:
    before = quartiers(db)
    result = import_qpv(db, write(tmp_path / "qpv.csv", ROWS), user="t", dry_run=True)
    assert result.summary().startswith("4 QPV mis à jour") and result.dry_run
    assert quartiers(db) == before
    with db.session() as s:
        s.get(Quartier, world.quartiers["Damrémont"]).code = "QN06299Z"  # type: ignore[union-attr]
    result = import_qpv(db, tmp_path / "qpv.csv", user="t")
    assert result.ignored == ("Damrémont : code QN06299Z déjà renseigné, QN06213A dans le fichier",)
    assert quartiers(db)["Damrémont"][0] == "QN06299Z"


def test_contrat_must_be_named_when_several(db: Database, world: World, tmp_path: Path) -> None:
    from instructeur.referentiels import load_referentiel
    from instructeur.services.contrats import ContratService

    ContratService(db, user="t").create_from_referentiel(load_referentiel("saint-omer-2024"))
    with pytest.raises(UserError, match="plusieurs contrats"):
        import_qpv(db, write(tmp_path / "qpv.csv", ROWS), user="t")
    assert import_qpv(db, tmp_path / "qpv.csv", world.contrat_id, user="t").summary().startswith("4 QPV")
