"""`instructeur referentiels exporter|importer|liste` and `instructeur cadre exporter|importer`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from instructeur.cli.main import main


@pytest.fixture(autouse=True)
def _own_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSTRUCTEUR_DATA_DIR", str(tmp_path / "donnees"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_referentiel_goes_out_and_comes_back_under_another_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "calaisis.json"
    code, out, err = run(capsys, "referentiels", "exporter", "calaisis-2015", "--code", "calaisis-bis", "-o", str(out_file))
    assert code == 0, err
    assert "Référentiel « calaisis-bis » écrit" in out
    assert json.loads(out_file.read_text(encoding="utf-8"))["code"] == "calaisis-bis"

    code, out, err = run(capsys, "referentiels", "importer", str(out_file))
    assert code == 0, err
    assert out.startswith("Référentiel « calaisis-bis » importé")
    code, out, _ = run(capsys, "referentiels", "liste")
    assert code == 0 and "calaisis-bis" in out

    code, _, err = run(capsys, "referentiels", "importer", str(out_file))
    assert code == 2 and "ajoutez --remplacer" in err
    code, _, err = run(capsys, "referentiels", "importer", str(out_file), "--remplacer")
    assert code == 0, err


def test_a_broken_file_gives_one_french_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "casse.json"
    bad.write_text('{"code": "x", "nom": ', encoding="utf-8")
    code, out, err = run(capsys, "referentiels", "importer", str(bad))
    assert code == 2 and out == ""
    assert err.startswith("instructeur : Référentiel invalide") and "JSON mal formé" in err and "Traceback" not in err
    data = json.loads((Path(__file__).parents[2] / "resources/referentiels/boulonnais-2024.json").read_text("utf-8"))
    data["code"] = "autre"
    del data["cadre"][0]["titre"]
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "referentiels", "importer", str(bad))
    assert code == 2 and "champ « titre » manquant" in err
    code, _, err = run(capsys, "referentiels", "exporter", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "indiquez le référentiel" in err


def test_cadre_and_contrat_export_import_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = str(tmp_path / "base.sqlite")
    code, _, err = run(capsys, "--db", base, "contrats", "create", "--referentiel", "saint-omer-2024")
    assert code == 0, err
    xlsx = tmp_path / "cadre.xlsx"
    code, out, err = run(capsys, "--db", base, "cadre", "exporter", "-o", str(xlsx))
    assert code == 0, err
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Niveau", "Intitulé", "Parent") and rows[1][:2] == ("1", "Axe")
    assert out.startswith(f"{len(rows) - 1} nœuds écrits")

    code, out, err = run(capsys, "--db", base, "cadre", "importer", str(xlsx), "--contrat", "1")
    assert code == 0, err
    assert "0 ajouté(s), 0 modifié(s), 0 supprimé(s)" in out
    code, _, err = run(capsys, "--db", base, "cadre", "exporter", "-o", str(xlsx), "--classification", "ZZZ")
    assert code == 2 and "« ZZZ » inconnue" in err

    json_file = tmp_path / "contrat.json"
    code, out, err = run(capsys, "--db", base, "referentiels", "exporter", "--contrat", "1", "-o", str(json_file))
    assert code == 0, err
    code, out, err = run(capsys, "referentiels", "importer", str(json_file))
    assert code == 0, err
    code, out, err = run(capsys, "referentiels", "show", json.loads(json_file.read_text("utf-8"))["code"])
    assert code == 0 and "EMANCIPATION" in out
