"""`instructeur dossiers|comites|campagnes supprimer`: --oui, confirmation, refusals (exit 2, one line),
on both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from instructeur.cli.main import main
from instructeur.services.comites import ComiteService
from instructeur.storage.db import open_database
from instructeur.storage.models import Comite, Dossier
from tests.factories import World, build_world, create_dossier


@pytest.fixture
def base(engine_url: str, tmp_path: Path) -> tuple[str, World, int]:
    db = open_database(engine_url, backup_dir=tmp_path)
    world = build_world(db)
    dossier_id = create_dossier(db, world, "26-000042")
    db.close()
    return engine_url, world, dossier_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exists(url: str, model: type[Dossier] | type[Comite], ident: int) -> bool:
    db = open_database(url)
    try:
        with db.session() as s:
            return s.scalar(select(model.id).where(model.id == ident)) is not None
    finally:
        db.close()


def test_dossier_supprimer_with_oui(base: tuple[str, World, int], capsys: pytest.CaptureFixture[str]) -> None:
    url, _, did = base
    code, out, err = run(capsys, "--db", url, "dossiers", "supprimer", "26-000042", "--oui")
    assert (code, err) == (0, "")
    assert out == "Supprimé : le dossier 26-000042 « Atelier sociolinguistique »\n"
    assert not exists(url, Dossier, did)
    code, _, err = run(capsys, "--db", url, "dossiers", "supprimer", "26-000042", "--oui")
    assert (code, err) == (2, "instructeur : dossier 26-000042 introuvable\n")


def test_without_oui_and_without_a_terminal_nothing_is_deleted(
    base: tuple[str, World, int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _, did = base
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--db", url, "dossiers", "supprimer", "26-000042")
    assert code == 2
    assert err == (
        "instructeur : suppression non confirmée (le dossier 26-000042 « Atelier sociolinguistique ») : "
        "ajoutez --oui pour confirmer\n"
    )
    assert exists(url, Dossier, did)


@pytest.mark.parametrize(("answer", "deleted"), [("oui\n", True), ("non\n", False)])
def test_the_terminal_confirmation(
    base: tuple[str, World, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    deleted: bool,
) -> None:
    url, _, did = base
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: answer.strip())
    code, out, err = run(capsys, "--db", url, "dossiers", "supprimer", "26-000042")
    assert out.startswith("Supprimer définitivement le dossier 26-000042")
    assert code == (0 if deleted else 2)
    assert err == ("" if deleted else "instructeur : suppression annulée\n")
    assert exists(url, Dossier, did) is not deleted


def test_campagne_with_dossiers_is_refused_then_comite_and_empty_campagne_go(
    base: tuple[str, World, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, world, _ = base
    db = open_database(url)
    comite_id = ComiteService(db, user="t").create(world.campagne_id, "technique", date(2026, 3, 2), None, [])
    db.close()
    code, _, err = run(capsys, "--db", url, "campagnes", "supprimer", str(world.campagne_id), "--oui")
    assert code == 2
    assert err == (
        "instructeur : la campagne 2026 « Appel à projets » ne peut pas être supprimée : 1 dossier, 1 comité\n"
    )
    code, out, _ = run(capsys, "--db", url, "comites", "supprimer", str(comite_id), "--oui")
    assert (code, out) == (0, "Supprimé : le comité technique du 02/03/2026\n")
    assert not exists(url, Comite, comite_id)
    run(capsys, "--db", url, "dossiers", "supprimer", "26-000042", "--oui")
    code, out, _ = run(capsys, "--db", url, "campagnes", "supprimer", str(world.campagne_id), "--oui")
    assert (code, out) == (0, "Supprimé : la campagne 2026 « Appel à projets »\n")
