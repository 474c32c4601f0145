"""The command line: outputs, exit codes and one French line per problem, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from instructeur.cli.main import main
from instructeur.storage.db import connect, open_database
from tests.factories import build_world, create_dossier


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "base.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    world = build_world(db)
    for n in range(3):
        create_dossier(db, world, reference=f"26-00000{n}")
    db.close()
    return path


def test_referentiels_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "referentiels", "list")
    assert code == 0
    for name in ("boulonnais-2024", "saint-omer-2024", "calaisis-2015", "henin-carvin-2015"):
        assert name in out
    assert "pilier : 4 · objectif stratégique : 16 · objectif opérationnel : 63" in out
    assert "4 QPV, 18\u00a0379 habitants" in out


def test_referentiels_show_prints_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "referentiels", "show", "henin-carvin-2015")
    assert code == 0
    lines = out.splitlines()
    top = [line for line in lines if line.startswith("  ") and not line.startswith("    ")]
    assert len([line for line in top if line.strip()[:1].isdigit() or line.strip()[:1].isupper()]) >= 4
    assert sum(1 for line in lines if line.startswith("      ") and not line.startswith("        ")) == 63


def test_referentiels_show_boulonnais_lists_qpv_with_population(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "referentiels", "show", "boulonnais-2024")
    assert code == 0
    assert "Quartiers prioritaires : 4 QPV, 18\u00a0379 habitants" in out
    assert "Damrémont (Boulogne-sur-Mer) : 1\u00a0737 hab." in out


def test_unknown_referentiel_exits_2_with_one_french_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "referentiels", "show", "lille-2030")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Référentiel inconnu" in err and "boulonnais-2024" in err


def test_campagnes_list(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "--db", str(base), "campagnes", "list")
    assert code == 0
    assert "2026" in out and out.splitlines()[1].rstrip().endswith("3")


def test_db_from_environment(
    capsys: pytest.CaptureFixture[str], base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTRUCTEUR_DB", str(base))
    code, out, _ = run(capsys, "campagnes", "list")
    assert code == 0 and "2026" in out


def test_backup_check_restore(capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copie.sqlite"
    code, out, _ = run(capsys, "--db", str(base), "backup", "-o", str(copy))
    assert code == 0 and copy.exists()
    code, out, _ = run(capsys, "--db", str(copy), "check")
    assert code == 0 and "base saine" in out and "3 dossiers" in out

    db = open_database(base, backup_dir=tmp_path)
    with db.session() as s:
        s.execute(text("DELETE FROM dossier"))
    db.close()
    code, out, _ = run(capsys, "--db", str(base), "restore", str(copy))
    assert code == 0 and "Base restaurée" in out
    code, out, _ = run(capsys, "--db", str(base), "check")
    assert "3 dossiers" in out


def test_check_reports_broken_references(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    raw = connect(base)
    with raw.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(text("UPDATE ligne_financement SET financeur_id = 999 WHERE id = 1"))
        conn.commit()
    raw.close()
    code, out, _ = run(capsys, "--db", str(base), "check")
    assert code == 1 and "ligne_financement" in out


@pytest.mark.parametrize(
    "content, expected",
    [(b"PK\x03\x04 tableur", "pas une base de données SQLite"), (b"", None)],
)
def test_bad_database_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str | None
) -> None:
    path = tmp_path / "fichier.xlsx"
    path.write_bytes(content)
    code, out, err = run(capsys, "--db", str(path), "campagnes", "list")
    if expected is None:  # an empty file is a new database: it gets the schema
        assert code == 0
        return
    assert code == 2 and expected in err and err.count("\n") == 1
    assert path.read_bytes() == content  # nothing written


def test_missing_database_is_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "absente.sqlite"), "check")
    assert code == 2 and "base introuvable" in err
    assert not (tmp_path / "absente.sqlite").exists()


def test_newer_schema_exits_2(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    raw = connect(base)
    with raw.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'futur'"))
    raw.close()
    before = base.read_bytes()
    code, _, err = run(capsys, "--db", str(base), "campagnes", "list")
    assert code == 2 and "version plus récente" in err
    assert base.read_bytes() == before


def test_unreachable_postgresql_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "postgresql://x@127.0.0.1:9/base", "check")
    assert code == 2 and "injoignable" in err and err.count("\n") == 1


def test_usage_errors_are_french_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "create"])
    assert info.value.code == 2
    assert "arguments obligatoires manquants" in capsys.readouterr().err


def test_console_entry_without_traceback(tmp_path: Path) -> None:
    """The installed module path, as a user runs it: bad input gives exit 2 and no traceback."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "instructeur",
            "--db",
            str(tmp_path / "x.sqlite"),
            "restore",
            str(tmp_path / "none.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("instructeur : ")


def test_db_option_after_the_sub_command(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "campagnes", "list", "--db", str(base))
    assert code == 0 and "2026" in out
