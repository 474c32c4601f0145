"""`instructeur comites reviser`: « Modifier la décision » from the command line (issue 9): the
séance's checks, exit 2 with one French line per problem, the new amounts printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from instructeur.cli.main import main
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier, LigneFinancement
from tests.services.test_comite_revision import _decided


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, str, str]:
    """A closed comité: the first dossier retenu (ETAT 3 000 €), the second refusé; ETAT's
    enveloppe is 5 000 €."""
    path = tmp_path / "base.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    w = _decided(db)
    with db.session() as s:
        refs = [s.get(Dossier, did).reference for did in (w.retenu, w.refuse)]  # type: ignore[union-attr]
    db.close()
    return path, refs[0], refs[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_reviser_applies_the_seance_checks(
    capsys: pytest.CaptureFixture[str], base: tuple[Path, str, str]
) -> None:
    path, retenu, refuse = base
    db = ["--db", str(path)]
    code, _, err = run(
        capsys, "comites", "reviser", *db, "--dossier", retenu, "--decision", "retenu", "--vote", "ETAT=4000"
    )
    assert code == 2 and "--motivation" in err  # required
    code, _, err = run(
        capsys, "comites", "reviser", *db, "--dossier", retenu, "--decision", "retenu",
        "--vote", "XYZ=10", "--vote", "ETAT=douze", "--motivation", "Budget revu",
    )  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 2
    assert "« XYZ=10 »" in err and "ETAT" in err and "montant illisible" in err
    code, _, err = run(
        capsys, "comites", "reviser", *db, "--dossier", retenu, "--decision", "retenu",
        "--vote", "ETAT=6000", "--motivation", "Budget revu",
    )  # fmt: skip
    assert code == 2 and "enveloppe ETAT dépassée" in err and "dérogation" in err and "Traceback" not in err
    code, out, err = run(
        capsys, "comites", "reviser", *db, "--dossier", retenu, "--decision", "retenu",
        "--vote", "ETAT=6000", "--motivation", "Budget revu", "--derogation", "Action prioritaire",
    )  # fmt: skip
    assert code == 0, err
    assert f"Décision du dossier {retenu} modifiée : retenu (ETAT 6\u00a0000,00\u00a0€)" in out
    assert "dérogation motivée" in out
    code, _, err = run(
        capsys, "comites", "reviser", *db, "--dossier", refuse, "--decision", "ajourne", "--vote", "ETAT=1",
        "--motivation", "Attendre",
    )  # fmt: skip
    assert code == 2 and "aucun montant ne peut être voté" in err
    code, _, err = run(
        capsys, "comites", "reviser", *db, "--dossier", "99-X", "--decision", "refuse", "--motivation", "x"
    )
    assert code == 2 and "introuvable" in err
    check = open_database(path)
    try:
        with check.session() as s:
            assert 6_000_00 in s.scalars(select(LigneFinancement.vote_cents)).all()
    finally:
        check.close()
