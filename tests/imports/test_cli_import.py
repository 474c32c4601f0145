"""`instructeur import dossiers|qpv|modele`: report, stderr lines, exit codes, dry run, template."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from instructeur.cli.main import main
from instructeur.imports import dossiers as imp
from instructeur.imports.headers import FIELDS, propose_mapping
from instructeur.imports.reader import read_table
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier, Porteur, Quartier
from tests.factories import World, build_world
from tests.imports.test_dossiers_import import BAD_SIRET, messy_file, messy_rows, write_xlsx
from tests.imports.test_qpv_import import ROWS, write


@pytest.fixture
def base(engine_url: str, tmp_path: Path) -> tuple[str, World]:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    db.close()
    return engine_url, world


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count(url: str, model: type[Dossier] | type[Porteur]) -> int:
    db = open_database(url)
    try:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.close()


def test_messy_file_exit_2_with_one_line_per_problem(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    path = messy_file(tmp_path, "xlsx")
    code, out, err = run(
        capsys, "--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id)
    )
    assert code == 2
    lines = err.splitlines()
    assert (
        lines[0]
        == f"dossiers.xlsx, ligne 6, colonne « SIRET » : SIRET invalide : « {BAD_SIRET} » (clé de contrôle erronée)"
    )
    assert lines[1] == "dossiers.xlsx, ligne 7, colonne « Montant demandé État » : montant négatif : « -500 »"
    assert lines[2].startswith(
        "dossiers.xlsx, ligne 8, colonne « Quartier(s) » : quartier inconnu : « Zorglub »"
    )
    assert (
        lines[3]
        == "dossiers.xlsx, ligne 9, colonne « N° dossier » : référence en double dans le fichier (déjà ligne 4)"
    )
    assert (
        lines[4]
        == "instructeur : 4 lignes rejetées, rien n'a été importé ; corrigez le fichier puis relancez"
    )
    assert "Traceback" not in err
    assert "en-têtes ligne 3" in out and "Ligne 11 ignorée (ligne de total)" in out
    assert "Colonnes ignorées (non reconnues) : « Suivi interne »" in out
    assert count(url, Dossier) == 0


def test_fixed_file_dry_run_then_import_then_update(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    path = str(messy_file(tmp_path, "csv", fixed=True))
    campagne = str(world.campagne_id)
    code, out, _ = run(capsys, "--db", url, "import", "dossiers", path, "--campagne", campagne, "--dry-run")
    assert code == 0
    assert "7 dossiers créés, 0 mis à jour, 0 inchangé (simulation : rien n'a été écrit)" in out
    assert count(url, Dossier) == 0

    code, out, err = run(capsys, "--db", url, "import", "dossiers", path, "--campagne", campagne)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "7 dossiers créés, 0 mis à jour, 0 inchangé"
    assert count(url, Dossier) == 7
    porteurs = count(url, Porteur)

    rows = messy_rows(fixed=True)
    rows[0][4] = "13 000"
    v2 = str(write_xlsx(tmp_path / "v2.xlsx", rows))
    code, out, _ = run(capsys, "--db", url, "import", "dossiers", v2, "--campagne", campagne)
    assert code == 0
    assert out.splitlines()[-1] == (
        "0 dossier créé, 1 mis à jour (référence 26-001 : Coût total 12\u00a0500,00\u00a0€ → 13\u00a0000,00\u00a0€), "
        "6 inchangés"
    )
    assert count(url, Porteur) == porteurs


def test_mapping_option(base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, world = base
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [["M-1", "Asso", "Action", "750"]],
        ["Code", "Structure", "Intitulé", "Agglo 2026"],
    )
    argv = ["--db", url, "import", "dossiers", str(path), "--campagne", str(world.campagne_id)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "référence" in err  # « Code » alone is not recognised
    code, out, err = run(capsys, *argv, "--mapping", "reference=Code", "demande:EPCI=D")
    assert (code, err) == (0, ""), err
    assert "1 dossier créé" in out
    code, _, err = run(capsys, *argv, "--mapping", "bidule=A")
    assert code == 2 and "champ inconnu « bidule »" in err


def test_import_qpv_command(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = base
    path = str(write(tmp_path / "qpv.csv", ROWS))
    code, out, _ = run(capsys, "--db", url, "import", "qpv", path)
    assert code == 0
    assert "4 QPV mis à jour (codes renseignés), 1 créé, 0 ignoré" in out.splitlines()[0]
    db = open_database(url)
    with db.session() as s:
        assert s.scalar(select(Quartier.code).where(Quartier.nom == "Damrémont")) == "QN06213A"
    db.close()
    bad = str(write(tmp_path / "bad.csv", ["QX1;Damrémont;32;HdF;62;PdC;62160;Boulogne-sur-Mer;1;CAB"]))
    code, _, err = run(capsys, "--db", url, "import", "qpv", bad)
    assert code == 2 and err.startswith("bad.csv, ligne 2, colonne « code_qp » : code QPV invalide")


def test_template_lists_headers_and_is_importable(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    out_path = tmp_path / "modele.xlsx"
    code, out, _ = run(
        capsys, "--db", url, "import", "modele", "-o", str(out_path), "--campagne", str(world.campagne_id)
    )
    assert code == 0 and "Modèle d'import écrit" in out
    wb = load_workbook(out_path)
    assert wb.sheetnames == ["Dossiers", "Aide", "Correspondances"]
    headers = [c.value for c in wb["Dossiers"][1]]
    for spec in FIELDS:
        if spec.key != "nouvelle":
            assert spec.label in headers
    assert {"Montant demandé ETAT", "Montant demandé EPCI", "Montant demandé CAF"} <= set(headers)
    aide = {row[0]: row[1:] for row in wb["Aide"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert aide["SIRET"][0] == "oui" or aide["SIRET"][0] == "non"
    assert aide["N° dossier"][0] == "oui" and "N° Dauphin" in aide["N° dossier"][2]
    assert "14 chiffres" in aide["SIRET"][1]

    db = open_database(url)
    try:
        financeurs = imp.campagne_financeurs(db, world.campagne_id)
        mapping = propose_mapping(read_table(out_path), financeurs)
        assert not mapping.unrecognised and not mapping.unknown_amounts
        assert len(mapping.columns) == len(headers)
        ws = wb["Dossiers"]
        values = {"N° dossier": "T-1", "Raison sociale": "Asso du modèle", "Intitulé de l'action": "Action test",
                  "Montant demandé ETAT": "1 500", "Quartier(s)": "Damrémont", "Date de début": "01/09/2026",
                  "Cotation F/H déclarée": "G2", "Nouvelle / reconduite": "N"}  # fmt: skip
        for column, header in enumerate(headers, start=1):
            ws.cell(row=2, column=column, value=values.get(header))
        wb.save(tmp_path / "rempli.xlsx")
        result = imp.apply(db, world.campagne_id, tmp_path / "rempli.xlsx", user="t")
        assert len(result.created_ids) == 1
        with db.session() as s:
            d = s.get(Dossier, result.created_ids[0])
            assert d is not None
            assert (d.reference, d.cout_total_cents, d.cotation_declaree, d.reconduite) == (
                "T-1",
                150_000,
                2,
                False,
            )
    finally:
        db.close()
