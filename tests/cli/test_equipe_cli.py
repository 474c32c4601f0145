"""`instructeur equipe init|ajouter|liste` and the password messages of libpq authentication."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from instructeur.cli.main import main
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import open_database
from tests.factories import build_world


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sqlite_refuses_team_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = str(tmp_path / "b.sqlite")
    for argv in (("init",), ("liste",), ("ajouter", "marie", "--role", "lecteur")):
        code, out, err = run(capsys, "--db", base, "equipe", *argv)
        assert (code, out) == (2, "")
        assert err == "instructeur : le mode équipe nécessite une base PostgreSQL\n"
    assert not Path(base).exists()


@pytest.mark.postgres
def test_init_ajouter_liste_on_postgresql(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pg_server: Any, tmp_path: Path
) -> None:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        world = build_world(db)
        EvaluateurService(db, user="test").create(world.contrat_id, "Alice Martin")
    finally:
        db.close()
    tag = uuid.uuid4().hex[:8]
    try:
        for _ in range(2):  # idempotent
            code, out, err = run(capsys, "--db", url, "equipe", "init")
            assert code == 0, err
            assert out.startswith("Mode équipe prêt : rôles t_")
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
        code, out, err = run(
            capsys, "--db", url, "equipe", "ajouter", f"marie{tag}", "--role", "chef", "--mot-de-passe-stdin"
        )
        assert (code, err) == (0, ""), err
        assert "s3cret" not in out
        code, _, err = run(
            capsys, "--db", url, "equipe", "ajouter", f"alice{tag}", "--role", "evaluateur",
            "--evaluateur", "Alice Martin",
        )  # fmt: skip
        assert code == 0, err
        code, _, err = run(capsys, "--db", url, "equipe", "ajouter", f"bob{tag}", "--role", "evaluateur")
        assert (code, err) == (
            2,
            "instructeur : un évaluateur doit être rattaché à une fiche : --evaluateur NOM\n",
        )
        code, _, err = run(capsys, "--db", url, "equipe", "ajouter", "x;drop", "--role", "lecteur")
        assert code == 2 and err.startswith("instructeur : identifiant invalide : « x;drop »")
        code, out, err = run(capsys, "--db", url, "equipe", "liste")
        assert code == 0, err
        assert out.splitlines() == [f"alice{tag}\tevaluateur\tAlice Martin", f"marie{tag}\tchef"]
        with psycopg.connect(
            host="127.0.0.1", port=pg_server.port, dbname="postgres", user="postgres"
        ) as conn:
            row = conn.execute(
                "SELECT rolpassword LIKE 'SCRAM%%' FROM pg_authid WHERE rolname = %s", [f"marie{tag}"]
            )
            assert row.fetchone() == (True,)
    finally:
        pg_server.drop_database(url)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (
            "fe_sendauth: no password supplied",
            "mot de passe requis : définissez PGPASSWORD ou un fichier .pgpass",
        ),
        (
            'FATAL:  password authentication failed for user "marie"',
            "mot de passe refusé pour « marie » : vérifiez-le (PGPASSWORD, .pgpass)",
        ),
    ],
)
def test_password_needed_is_one_french_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, reason: str, message: str
) -> None:
    def refuse(self: Engine) -> None:
        raise OperationalError("connect", None, psycopg.OperationalError(reason))

    monkeypatch.setattr(Engine, "connect", refuse)
    code, out, err = run(capsys, "--db", "postgresql://marie@db.example/instructeur", "campagnes", "list")
    assert (code, out, err) == (2, "", f"instructeur : {message}\n")


def test_notes_visibles_option_shown_and_set(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = str(tmp_path / "b.sqlite")
    db = open_database(base)
    try:
        world = build_world(db)
    finally:
        db.close()
    cmd = ("--db", base, "equipe", "notes-visibles", "--campagne", str(world.campagne_id))
    code, out, _ = run(capsys, *cmd)
    assert code == 0 and out.endswith("après avoir complété la sienne : non\n")
    code, out, _ = run(capsys, *cmd, "--oui")
    assert code == 0 and out.endswith(" : oui\n")
    code, out, _ = run(capsys, *cmd)
    assert out.endswith(" : oui\n")
    code, out, _ = run(capsys, *cmd, "--non")
    assert out.endswith(" : non\n")
    code, out, err = run(capsys, "--db", base, "equipe", "notes-visibles", "--campagne", "999", "--oui")
    assert (code, out, err) == (2, "", "instructeur : campagne 999 introuvable\n")
    with pytest.raises(SystemExit) as info:  # argparse
        main([*cmd, "--oui", "--non"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith(
        "instructeur : option --non : incompatible avec l'option --oui (voir"
    )
