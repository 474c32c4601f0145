"""`instructeur contrats create|list` and `instructeur campagnes create` (new or copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from instructeur.cli.main import main
from instructeur.services.campagnes import CampagneService
from instructeur.services.grilles import GrilleService
from instructeur.storage.db import open_database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_contrat_then_campagnes_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = str(tmp_path / "neuve.sqlite")  # the first contrat creates the base
    code, out, err = run(capsys, "--db", base, "contrats", "create", "--referentiel", "boulonnais-2024")
    assert code == 0, err
    assert out.startswith("Contrat créé : 1 — ")
    # proposed from the référentiel's signataires, as in the new-contrat wizard
    assert "financeurs ETAT, EPCI, BOULOGNE-SUR-MER, OUTREAU, PORTEL, SAINT-MARTIN, CD, REGION, CAF," in out

    code, out, err = run(
        capsys,
        "campagnes", "create", "--db", base, "--contrat", "1", "--annee", "2027",
        "--enveloppe", "ETAT=150 000", "--enveloppe", "caf=12 500,50",
    )  # fmt: skip
    assert code == 0, err
    assert "Campagne créée : 1 — Appel à projets 2027" in out
    assert "enveloppe ETAT : 150\u00a0000,00\u00a0€" in out
    assert "enveloppe CAF : 12\u00a0500,50\u00a0€" in out

    db = open_database(base)
    try:
        GrilleService(db).create_default(1)
    finally:
        db.close()
    code, out, err = run(capsys, "--db", base, "campagnes", "create", "--depuis", "1", "--annee", "2028")
    assert code == 0, err
    assert "Campagne créée : 2 — Appel à projets 2028 (copie de la campagne 1)" in out
    db = open_database(base)
    try:
        assert {e.financeur_code: e.montant_cents for e in CampagneService(db).enveloppes(2)} == {
            "ETAT": 150_000_00,
            "CAF": 12_500_50,
        }
        assert GrilleService(db).get_for_campagne(2) is not None
    finally:
        db.close()

    code, out, _ = run(capsys, "--db", base, "contrats", "list")
    assert code == 0
    assert "Ensemble" in out or "Boulonnais" in out
    assert out.splitlines()[1].rstrip().endswith("2")  # two campagnes


def test_empty_contrat(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = str(tmp_path / "vide.sqlite")
    code, out, err = run(capsys, "--db", base, "contrats", "create", "--vide")
    assert code == 2 and "--nom" in err
    code, out, err = run(
        capsys, "--db", base, "contrats", "create", "--vide", "--nom", "Contrat de Trifouilly"
    )
    assert code == 0, err
    assert "Contrat de Trifouilly" in out and "0 quartiers" in out


def test_bad_referentiel_and_bad_amounts_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = str(tmp_path / "b.sqlite")
    code, out, err = run(capsys, "--db", base, "contrats", "create", "--referentiel", "lille-2030")
    assert code == 2 and out == ""
    assert err.startswith("instructeur : Référentiel inconnu : « lille-2030 »")
    assert len(err.splitlines()) == 1
    assert not Path(base).exists()  # nothing created for nothing

    assert run(capsys, "--db", base, "contrats", "create", "--referentiel", "calaisis-2015")[0] == 0
    code, out, err = run(
        capsys, "--db", base, "campagnes", "create", "--contrat", "1", "--annee", "2027",
        "--enveloppe", "ETAT=beaucoup", "--enveloppe", "MARS=10", "--enveloppe", "CAF",
    )  # fmt: skip
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("instructeur : enveloppe") for line in lines)
    assert "montant illisible" in lines[0] and "MARS inconnu" in lines[1] and "CODE=MONTANT" in lines[2]

    code, _, err = run(capsys, "--db", base, "campagnes", "create", "--contrat", "9", "--annee", "2027")
    assert code == 2 and "contrat 9 introuvable" in err
    assert run(capsys, "--db", base, "campagnes", "create", "--contrat", "1", "--annee", "2027")[0] == 0
    code, _, err = run(capsys, "--db", base, "campagnes", "create", "--contrat", "1", "--annee", "2027")
    assert code == 2 and "existe déjà" in err
