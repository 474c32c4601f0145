"""`check`: a contrat with campagnes but no dossier (an interrupted creation) is a warning, never
« saine »; warnings keep exit 0 (the base is intact, nothing to restore), problems give 1."""

from __future__ import annotations

import pytest

from instructeur.cli.main import main
from instructeur.storage.backup import check_database
from instructeur.storage.db import open_database
from tests.factories import build_world, create_dossier


def run_check(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--db", target, "check"])
    return code, capsys.readouterr().out.splitlines()


def test_contrat_without_dossier_is_a_warning(engine_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(engine_url)
    try:
        world = build_world(db)  # a contrat and one campagne, as a killed `demo create` left them
        report = check_database(db)
        assert report.ok and len(report.warnings) == 1
        (warning,) = report.warnings
        assert warning.startswith("avertissement : contrat Contrat de ville")
        assert warning.endswith(": 1 campagne(s) sans aucun dossier — création interrompue ?")
    finally:
        db.close()
    code, lines = run_check(engine_url, capsys)
    assert code == 0
    assert not any("saine" in line for line in lines)
    assert lines[0].endswith(warning) and "base intègre" in lines[-1] and "1 avertissement(s)" in lines[-1]

    db = open_database(engine_url)
    try:
        create_dossier(db, world)
        assert check_database(db).warnings == []
    finally:
        db.close()
    code, lines = run_check(engine_url, capsys)
    assert code == 0 and len(lines) == 1 and "base saine" in lines[0]
