"""`instructeur export programmation|opendata`: files written, exit 2 with one French line on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from instructeur.cli import export_commands
from instructeur.cli.main import FrenchArgumentParser, main
from instructeur.domain.identifiers import make_siret
from instructeur.storage.db import open_database
from instructeur.storage.models import Financeur
from tests.exports import build_scenario


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "base.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    campagne_id = build_scenario(db).world.campagne_id
    db.close()
    return path, campagne_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_programmation(
    base: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, cid = base
    target = tmp_path / "prog.xlsx"
    code, out, err = run(
        capsys, "--db", str(db), "export", "programmation", "--campagne", str(cid), "-o", str(target)
    )
    assert (code, err) == (0, "")
    assert str(target) in out
    ws = load_workbook(target)["Programmation"]
    assert ws["A2"].value == "Programmation 2026 — état provisoire"
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == ["26-000001", "26-000002", "26-000003"]


def test_export_programmation_options(
    base: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, cid = base
    target = tmp_path / "caf.xlsx"
    args = ("--db", str(db), "export", "programmation", "--campagne", str(cid), "-o", str(target))
    code, _, err = run(capsys, *args, "--financeur", "CAF", "--definitif")
    assert (code, err) == (0, "")
    ws = load_workbook(target)["Programmation"]
    assert ws["A2"].value.startswith("Programmation 2026 — état définitif — CAF")
    assert ws.cell(6, 1).value == "26-000002"
    code, _, _ = run(capsys, *args, "--tous")
    assert code == 0
    ws = load_workbook(target)["Programmation"]
    assert ws.cell(10, 1).value == "Total (4 actions)"


def test_export_opendata(base: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, cid = base
    target = tmp_path / "scdl.csv"
    args = ("--db", str(db), "export", "opendata", "--campagne", str(cid), "-o", str(target))
    code, _, err = run(capsys, *args)  # EPCI and CAF have no SIRET: refused, nothing written
    assert code == 2 and "financeur EPCI : SIRET manquant (idAttribuant)" in err and not target.exists()
    database = open_database(db, backup_dir=tmp_path)
    with database.session() as s:
        for financeur in s.scalars(select(Financeur).where(Financeur.siret.is_(None))):
            financeur.siret = make_siret(f"999{financeur.id:010d}")
    database.close()
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, "")
    assert "4 subventions" in out
    assert target.read_text(encoding="utf-8").startswith("nomAttribuant,idAttribuant,")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("programmation", "--campagne", "999", "-o", "{tmp}/x.xlsx"), "campagne 999 introuvable"),
        (("programmation", "--campagne", "{cid}", "--financeur", "XX", "-o", "{tmp}/x.xlsx"),
         "financeur « XX » inconnu"),
        (("programmation", "--campagne", "{cid}", "-o", "{tmp}/absent/x.xlsx"), "dossier introuvable"),
        (("programmation", "--campagne", "{cid}", "-o", "{tmp}"), "c'est un dossier"),
        (("opendata", "--campagne", "999", "-o", "{tmp}/x.csv"), "campagne 999 introuvable"),
        (("opendata", "--campagne", "{cid}", "-o", "{tmp}/absent/x.csv"), "dossier introuvable"),
        (("programmation", "--campagne", "abc", "-o", "{tmp}/x.xlsx"), "nombre entier invalide"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_french_line(
    base: tuple[Path, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    message: str,
) -> None:
    db, cid = base
    argv = [a.format(tmp=tmp_path, cid=cid) for a in extra]
    try:
        code, out, err = run(capsys, "--db", str(db), "export", *argv)
    except SystemExit as exc:  # argparse errors exit directly
        code = int(exc.code or 0)
        out, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "--db", str(tmp_path / "none.sqlite"), "export", "opendata", "--campagne", "1", "-o",
        str(tmp_path / "x.csv"),
    )  # fmt: skip
    assert code == 2 and "base introuvable" in err


def test_export_subparsers_can_be_extended_by_another_function() -> None:
    root = FrenchArgumentParser(prog="instructeur")
    sub = root.add_subparsers(dest="command", parser_class=FrenchArgumentParser)
    export_commands.register(sub)
    actions = export_commands.export_subparsers(sub)
    assert actions is export_commands.export_subparsers(sub)  # created once
    assert set(actions.choices) >= {"programmation", "opendata", "notifications", "notation", "fiches"}
    extra = actions.add_parser("essai")
    extra.add_argument("--comite", type=int)
    extra.set_defaults(handler=lambda args, out: 0)
    args = root.parse_args(["export", "essai", "--comite", "3"])
    assert isinstance(args, argparse.Namespace) and args.comite == 3 and args.action == "essai"
