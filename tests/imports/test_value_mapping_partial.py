"""Value mapping from the command line and from a template's « Correspondances » sheet; partial
import (`--lignes-valides`) writing the rejected rows with their « Motif », corrected and imported
again (both engines)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from instructeur.cli.main import main
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier, Porteur
from tests.factories import World, build_world
from tests.imports.test_dossiers_import import BAD_SIRET, messy_file, write_xlsx

CHEMIN_VERT = "Chemin Vert - Beaurepaire et Marlborough"
HEADERS = [
    "N° dossier",
    "Structure",
    "Intitulé de l'action",
    "Montant demandé État",
    "Quartier(s)",
    "Objectif",
]


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


def quartiers_of(url: str, reference: str) -> list[str]:
    db = open_database(url)
    try:
        with db.session() as s:
            d = s.scalars(select(Dossier).where(Dossier.reference == reference)).one()
            return sorted(q.nom for q in d.quartiers)
    finally:
        db.close()


def count(url: str, model: type[Dossier] | type[Porteur]) -> int:
    db = open_database(url)
    try:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.close()


def test_value_mapping_from_the_command_line_and_a_template(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    rows = [
        ["V-1", "Asso A", "Atelier", "1 000", "Chemin Vert Sud", None],
        ["V-2", "Asso B", "Danse", "500", "Chemin Vert Sud, Damrémont", None],
    ]
    path = str(write_xlsx(tmp_path / "v.xlsx", rows, HEADERS))
    argv = ["--db", url, "import", "dossiers", path, "--campagne", str(world.campagne_id)]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "quartier inconnu : « Chemin Vert Sud »" in err
    assert (
        f"Valeur sans correspondance : quartier « Chemin Vert Sud » (propositions : « {CHEMIN_VERT} »" in out
    )

    code, out, err = run(capsys, *argv, "--valeur", f"quartier=Chemin Vert Sud={CHEMIN_VERT}")
    assert (code, err) == (0, ""), err
    assert quartiers_of(url, "V-1") == [CHEMIN_VERT]
    assert quartiers_of(url, "V-2") == [CHEMIN_VERT, "Damrémont"]

    # The same mapping saved with the import template, read back with --correspondances.
    modele = tmp_path / "modele.xlsx"
    code, _, _ = run(
        capsys, "import", "modele", "-o", str(modele), "--valeur", f"quartier=Les Tours={CHEMIN_VERT}"
    )
    assert code == 0
    sheet = load_workbook(modele)["Correspondances"]
    assert [c.value for c in sheet[1]] == ["Champ", "Valeur du fichier", "Valeur retenue"]
    assert [c.value for c in sheet[2]] == ["quartier", "les tours", CHEMIN_VERT]
    rows = [["V-3", "Asso C", "Chorale", "300", "Les Tours", None]]
    other = str(write_xlsx(tmp_path / "w.xlsx", rows, HEADERS))
    argv = ["--db", url, "import", "dossiers", other, "--campagne", str(world.campagne_id)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "quartier inconnu : « Les Tours »" in err
    code, _, err = run(capsys, *argv, "--correspondances", str(modele))
    assert (code, err) == (0, ""), err
    assert quartiers_of(url, "V-3") == [CHEMIN_VERT]

    code, _, err = run(capsys, *argv, "--valeur", "quartier=sans cible")
    assert code == 2 and "CHAMP=VALEUR DU FICHIER=VALEUR RETENUE" in err


def test_partial_import_writes_rejects_that_reimport(
    base: tuple[str, World], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, world = base
    path = str(messy_file(tmp_path, "xlsx"))
    argv = ["--db", url, "import", "dossiers", path, "--campagne", str(world.campagne_id)]
    code, _, _ = run(capsys, *argv)
    assert code == 2 and count(url, Dossier) == 0  # all or nothing stays the default

    porteurs = count(url, Porteur)
    code, out, err = run(capsys, *argv, "--lignes-valides")
    assert code == 0, err
    rejects = tmp_path / "dossiers-rejets.xlsx"
    assert f"4 lignes rejetées écrites dans {rejects} (colonne « Motif »)" in out
    assert "3 dossiers créés" in out.splitlines()[-1]
    assert f"colonne « SIRET » : SIRET invalide : « {BAD_SIRET} »" in err
    assert count(url, Dossier) == 3
    # Only the porteurs of imported rows were created (Les Amis du Portel).
    assert count(url, Porteur) == porteurs + 1

    wb = load_workbook(rejects)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[0] == "N° dossier" and header[-1] == "Motif"
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0] for r in data] == ["26-003", "26-004", "26-005", "26-001"]
    motifs = [r[-1] for r in data]
    assert motifs[0] == f"colonne « SIRET » : SIRET invalide : « {BAD_SIRET} » (clé de contrôle erronée)"
    assert motifs[1] == "colonne « Montant demandé État » : montant négatif : « -500 »"
    assert motifs[2].startswith("colonne « Quartier(s) » : quartier inconnu : « Zorglub »")
    assert motifs[3] == "colonne « N° dossier » : référence en double dans le fichier (déjà ligne 4)"

    # The user corrects the rows in the rejects file and imports it.
    ws.cell(row=2, column=3).value = None  # no SIRET rather than a wrong one
    ws.cell(row=3, column=6, value="500")
    ws.cell(row=4, column=8, value="Damrémont")
    ws.cell(row=5, column=1, value="26-007")
    wb.save(rejects)
    code, out, err = run(
        capsys, "--db", url, "import", "dossiers", str(rejects), "--campagne", str(world.campagne_id)
    )
    assert (code, err) == (0, ""), err
    assert "Colonnes ignorées (non reconnues) : « Suivi interne », « Motif »" in out
    assert out.splitlines()[-1] == "4 dossiers créés, 0 mis à jour, 0 inchangé"
    assert count(url, Dossier) == 7
