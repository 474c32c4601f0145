"""The SCDL « subventions » CSV of the retained dossiers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from instructeur.errors import UserError
from instructeur.exports.opendata import SCDL_COLUMNS, export_scdl, montant_scdl
from instructeur.storage.db import Database
from tests.exports import ETAT_SIRET, HYPERLINK, build_scenario
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture


def test_montant_uses_a_decimal_point() -> None:
    assert montant_scdl(1_250_050) == "12500.50"
    assert montant_scdl(7) == "0.07"
    assert montant_scdl(300_001) == "3000.01"


def test_scdl_rows(db: Database, tmp_path: Path) -> None:  # noqa: F811
    sc = build_scenario(db)
    path = export_scdl(db, sc.world.campagne_id, tmp_path / "scdl.csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == SCDL_COLUMNS
    assert rows[0][:6] == ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
                           "nomBeneficiaire", "idBeneficiaire"]  # fmt: skip
    data = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    # One row per retained dossier × financeur with a voted amount; D3 (refusé) is absent.
    assert [(r["referenceDecision"], r["montant"]) for r in data] == [
        ("26-000001", "3000.01"),
        ("26-000001", "4000.00"),
        ("26-000002", "98000.00"),
        ("26-000002", "5000.00"),
    ]
    d1_etat, d1_epci, d2_etat, d2_caf = data
    assert d1_etat["nomAttribuant"].startswith("État")
    assert d1_etat["idAttribuant"] == ETAT_SIRET  # from the setting financeur.ETAT.siret
    assert d2_caf["idAttribuant"] == ""  # unknown
    assert d1_etat["nomBeneficiaire"] == HYPERLINK  # data, written as is, quoted by the csv module
    assert d1_etat["idBeneficiaire"] == "44306184100047"
    assert d2_etat["rnaBeneficiaire"] == "W623001234"
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


def test_scdl_errors(db: Database, tmp_path: Path) -> None:  # noqa: F811
    sc = build_scenario(db)
    with pytest.raises(UserError, match="campagne 999 introuvable"):
        export_scdl(db, 999, tmp_path / "x.csv")
    with pytest.raises(UserError, match="écriture impossible"):
        export_scdl(db, sc.world.campagne_id, tmp_path / "missing" / "x.csv")
