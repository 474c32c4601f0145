"""`instructeur export notation`, `instructeur import notation` (exit 0 / 2) and `export fiches`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from instructeur.cli.main import main
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database, open_database
from tests.coinstruction.test_scoring_file import _fill, _setup


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)


def test_export_fill_import_with_conflict(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = _setup(sqlite_db)
    a, b, c = setup.criteres
    base = str(tmp_path / "base.sqlite")
    xlsx = tmp_path / "alice.xlsx"
    args = ["--db", base]
    assert main([*args, "export", "notation", "--campagne", str(setup.campagne_id),
                 "--evaluateur", str(setup.alice), "-o", str(xlsx)]) == 0  # fmt: skip
    assert "Fichier de notation écrit" in capsys.readouterr().out
    notation = NotationService(sqlite_db, user="bruno")
    ev = notation.evaluation(setup.dossiers[0], setup.alice)
    notation.save_notes(ev.id, ev.version, {a: 1, b: 1, c: 1})
    _fill(xlsx, {"26-000001": {"Public QPV": 3, "Budget": 5, "Faisabilité": 4},
                 "26-000002": {"Public QPV": 2, "Budget": 2, "Faisabilité": 2}})  # fmt: skip
    command = [*args, "import", "notation", str(xlsx), "--campagne", str(setup.campagne_id)]
    assert main(command) == 2
    captured = capsys.readouterr()
    assert "conflit sur le dossier 26-000001" in captured.err and "modifié par bruno" in captured.err
    assert "rien n'a été importé" in captured.err
    assert main([*command, "--garder", "fichier", "--dry-run"]) == 0
    assert "Simulation" in capsys.readouterr().out
    assert NotationService(sqlite_db).evaluation(setup.dossiers[1], setup.alice).notes == {}
    assert main([*command, "--garder", "fichier"]) == 0
    assert "2 évaluations mises à jour" in capsys.readouterr().out
    assert NotationService(sqlite_db).evaluation(setup.dossiers[0], setup.alice).notes == {a: 3, b: 5, c: 4}


def test_import_refusals(sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup = _setup(sqlite_db)
    xlsx = tmp_path / "alice.xlsx"
    base = ["--db", str(tmp_path / "base.sqlite")]
    main([*base, "export", "notation", "--campagne", str(setup.campagne_id), "--evaluateur", str(setup.alice),
          "-o", str(xlsx)])  # fmt: skip
    _fill(xlsx, {"26-000001": {"Public QPV": 7}})
    assert main([*base, "import", "notation", str(xlsx), "--campagne", str(setup.campagne_id)]) == 2
    err = capsys.readouterr().err
    assert "ligne 9, colonne G (« 1. Public QPV ») : note 7 hors de l'échelle 0–3" in err
    assert "Traceback" not in err
    _fill(xlsx, {"26-000001": {"Public QPV": 2}})
    assert main([*base, "import", "notation", str(xlsx), "--campagne", "99"]) == 2
    assert "campagne 99 introuvable" in capsys.readouterr().err


def test_export_fiches(sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup = _setup(sqlite_db)
    base = ["--db", str(tmp_path / "base.sqlite")]
    pdf = tmp_path / "fiches.pdf"
    assert main([*base, "export", "fiches", "--campagne", str(setup.campagne_id), "-o", str(pdf)]) == 0
    assert "3 dossiers" in capsys.readouterr().out
    assert len(PdfReader(pdf).pages) >= 3
    folder = tmp_path / "fiches"
    folder.mkdir()
    assert main([*base, "export", "fiches", "--campagne", str(setup.campagne_id), "-o", str(folder),
                 "--dossiers", "26-000002,26-000003"]) == 0  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == ["fiche-26-000002.pdf", "fiche-26-000003.pdf"]
    assert main([*base, "export", "fiches", "--campagne", str(setup.campagne_id), "-o", str(pdf),
                 "--dossiers", "26-999999"]) == 2  # fmt: skip
    assert "26-999999" in capsys.readouterr().err
