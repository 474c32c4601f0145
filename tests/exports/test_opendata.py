"""The SCDL « subventions » CSV of the retained dossiers: content, refusal when a required field is
missing, and validation against the SCDL Table Schema with frictionless."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import Report, Resource, Schema

from instructeur.cli.main import main
from instructeur.errors import UserError, ValidationError
from instructeur.exports.opendata import SCDL_COLUMNS, export_scdl, montant_scdl
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Financeur
from tests.exports import ETAT_SIRET, HYPERLINK, Scenario, build_scenario
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "scdl_subventions_schema.json"
# Fictitious but valid (Luhn) SIRETs for the financeurs that have none in the scenario.
EPCI_SIRET = "99900010200015"
CAF_SIRET = "99900020100015"


def _give_sirets(db: Database, sc: Scenario) -> None:  # noqa: F811
    with db.session() as s:
        for code, siret in (("EPCI", EPCI_SIRET), ("CAF", CAF_SIRET)):
            financeur = s.get(Financeur, sc.world.financeurs[code])
            assert financeur is not None
            financeur.siret = siret


def _validate(path: Path) -> Report:
    """frictionless validation of a CSV in the test's temporary folder against the SCDL schema."""
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == SCDL_COLUMNS
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_montant_uses_a_decimal_point() -> None:
    assert montant_scdl(1_250_050) == "12500.50"
    assert montant_scdl(7) == "0.07"
    assert montant_scdl(300_001) == "3000.01"


def test_fixture_sirets_are_valid() -> None:
    from instructeur.domain.identifiers import siret_problem

    assert [siret_problem(s) for s in (ETAT_SIRET, EPCI_SIRET, CAF_SIRET)] == [None] * 3


def test_scdl_rows_and_schema_validation(db: Database, tmp_path: Path) -> None:  # noqa: F811
    sc = build_scenario(db)
    _give_sirets(db, sc)
    with db.session() as s:  # an older alphanumeric RNA is not in the schema's form: left out
        d1 = s.get(Dossier, sc.d["D1"])
        assert d1 is not None
        d1.porteur.rna = "W62A001234"
    path = export_scdl(db, sc.world.campagne_id, tmp_path / "scdl.csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    data = _read(path)
    # One row per retained dossier × financeur with a voted amount; D3 (refusé) is absent.
    assert [(r["referenceDecision"], r["montant"]) for r in data] == [
        ("26-000001", "3000.01"),
        ("26-000001", "4000.00"),
        ("26-000002", "98000.00"),
        ("26-000002", "5000.00"),
    ]
    d1_etat, d1_epci, d2_etat, d2_caf = data
    assert d1_etat["nomAttribuant"].startswith("État")
    assert [r["idAttribuant"] for r in data] == [ETAT_SIRET, EPCI_SIRET, ETAT_SIRET, CAF_SIRET]
    assert d1_etat["nomBeneficiaire"] == HYPERLINK  # data, written as is, quoted by the csv module
    assert d1_etat["idBeneficiaire"] == "44306184100047"
    assert d2_etat["rnaBeneficiaire"] == "W623001234"
    assert d1_etat["rnaBeneficiaire"] == ""
    assert d1_etat["objet"] == "-Atelier"
    assert d1_etat["dateConvention"] == "2026-06-15"  # transition to « retenu »
    assert d2_etat["dateConvention"] == "2026-06-16"  # the comité's date
    for r in data:
        assert r["nature"] == "aide en numéraire"
        assert r["conditionsVersement"] == "unique"
        assert r["datesPeriodeVersement"] == "2026-01-01/2026-12-31"
        assert r["notificationUE"] == "non"
        assert r["pourcentageSubvention"] == "1"
        assert r["idRAE"] == ""
        assert r["dispositifAide"] == "Politique de la ville — contrat de ville"
    assert '"=HYPERLINK(""x"")"' in raw.decode("utf-8")

    report = _validate(path)
    errors = report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors
    assert errors == [] and report.stats["errors"] == 0
    assert report.tasks[0].stats["rows"] == 4


def test_schema_catches_what_the_export_refuses(tmp_path: Path) -> None:
    """The fixture is a real check: an empty idAttribuant, a SIREN, a bad RNA, a comma decimal fail."""
    good = [
        "Ville", "99900030000015", "2026-06-15", "26-1", "Asso", "44306184100047", "W623001234", "Objet",
        "1000.00", "aide en numéraire", "unique", "2026-01-01/2026-12-31", "", "non", "1", "PV",
    ]  # fmt: skip
    bad = [list(good) for _ in range(4)]
    bad[0][1] = ""
    bad[1][1] = "999000300"
    bad[2][6] = "W62A001234"
    bad[3][8] = "1000,00"
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([SCDL_COLUMNS, good, *bad])
    report = _validate(path)
    found = sorted((row, field, kind) for row, field, kind in report.flatten(["rowNumber", "fieldName", "type"]))
    assert found == [
        (3, "idAttribuant", "constraint-error"),
        (4, "idAttribuant", "constraint-error"),
        (5, "rnaBeneficiaire", "constraint-error"),
        (6, "montant", "type-error"),
    ]


def test_missing_required_fields_refuse_and_write_nothing(db: Database, tmp_path: Path) -> None:  # noqa: F811
    sc = build_scenario(db)  # only ETAT has a SIRET
    target = tmp_path / "scdl.csv"
    with pytest.raises(ValidationError) as info:
        export_scdl(db, sc.world.campagne_id, target)
    assert info.value.problems == [
        "financeur EPCI : SIRET manquant (idAttribuant) — Paramètres › Financeurs",
        "financeur CAF : SIRET manquant (idAttribuant) — Paramètres › Financeurs",
    ]
    assert not target.exists()


def test_cli_refuses_with_one_line_per_problem_then_exports(
    db: Database, engine_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    sc = build_scenario(db)
    url = engine_url  # the database the `db` fixture opened
    target = tmp_path / "scdl.csv"
    argv = ["--db", url, "export", "opendata", "--campagne", str(sc.world.campagne_id), "-o", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "instructeur : financeur EPCI : SIRET manquant (idAttribuant) — Paramètres › Financeurs",
        "instructeur : financeur CAF : SIRET manquant (idAttribuant) — Paramètres › Financeurs",
    ]
    assert not target.exists()
    _give_sirets(db, sc)
    assert main(argv) == 0
    assert "(4 subventions)" in capsys.readouterr().out
    assert _validate(target).valid


def test_scdl_errors(db: Database, tmp_path: Path) -> None:  # noqa: F811
    sc = build_scenario(db)
    _give_sirets(db, sc)
    with pytest.raises(UserError, match="campagne 999 introuvable"):
        export_scdl(db, 999, tmp_path / "x.csv")
    with pytest.raises(UserError, match="écriture impossible"):
        export_scdl(db, sc.world.campagne_id, tmp_path / "missing" / "x.csv")
