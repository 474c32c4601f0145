"""`export notifications` through a throwaway parser (the lead wires it into `instructeur export`)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from instructeur.cli.main import main
from instructeur.cli.notification_commands import add_notification_commands
from instructeur.errors import UserError
from instructeur.services.notifications import NotificationService, NotificationSettings
from instructeur.storage.db import open_database
from tests.factories import build_world, create_dossier
from tests.services.test_notifications import decide


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="instructeur")
    p.add_argument("--db")
    sub = p.add_subparsers(dest="command")
    export = sub.add_parser("export")
    add_notification_commands(export.add_subparsers(dest="action"))
    return p


COMPLETE = NotificationSettings(
    expediteur="Communauté d'agglomération du Boulonnais\nDirection de la cohésion sociale",
    ville="Boulogne-sur-Mer",
    signataire="Jean Martin",
    fonction_signataire="Le Président",
)


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "base.sqlite"
    db = open_database(path, backup_dir=tmp_path)
    world = build_world(db)
    for n, decision in enumerate(("retenu", "refuse", "retenu")):
        did = create_dossier(db, world, reference=f"26-00000{n}")
        decide(db, did, decision, {world.financeurs["EPCI"]: 30_000_00}, motivation="Motif.")
    create_dossier(db, world, reference="26-000009")  # not decided: no letter
    NotificationService(db).save_settings(COMPLETE)
    db.close()
    return path, world.campagne_id


def run(*argv: str) -> tuple[int, str]:
    args = parser().parse_args(list(argv))
    out = io.StringIO()
    return args.handler(args, out), out.getvalue()


def test_export_notifications(base: tuple[Path, int], tmp_path: Path) -> None:
    path, campagne = base
    out_dir, merged = tmp_path / "lettres", tmp_path / "a_signer.pdf"
    code, out = run("--db", str(path), "export", "notifications", "--campagne", str(campagne),
                    "-o", str(out_dir), "--merged", str(merged))  # fmt: skip
    assert code == 0 and "3 lettre(s)" in out and "fusionné" in out
    files = sorted(out_dir.glob("*.pdf"))
    assert [f.name.split("_")[0] for f in files] == ["26-000000", "26-000001", "26-000002"]
    assert len(PdfReader(str(merged)).pages) == sum(len(PdfReader(str(f)).pages) for f in files)
    text = PdfReader(str(files[0])).pages[0].extract_text()
    assert "trente mille euros" in text and "convention" in text


def test_export_selected_dossiers(base: tuple[Path, int], tmp_path: Path) -> None:
    path, campagne = base
    code, out = run("--db", str(path), "export", "notifications", "--campagne", str(campagne),
                    "-o", str(tmp_path / "o"), "--dossiers", "26-000001")  # fmt: skip
    assert code == 0 and [f.name for f in (tmp_path / "o").glob("*.pdf")] == ["26-000001_Elan_Solidaire.pdf"]
    with pytest.raises(UserError, match="26-999999"):
        run("--db", str(path), "export", "notifications", "--campagne", str(campagne),
            "-o", str(tmp_path / "o"), "--dossiers", "26-000001,26-999999")  # fmt: skip
    with pytest.raises(UserError, match="aucune décision"):
        run("--db", str(path), "export", "notifications", "--campagne", str(campagne),
            "-o", str(tmp_path / "o"), "--dossiers", "26-000009")  # fmt: skip


def test_incomplete_settings_refused_exit_2_nothing_written(
    base: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, campagne = base
    db = open_database(path)
    NotificationService(db).save_settings(NotificationSettings(expediteur="Agglo", ville="Boulogne-sur-Mer"))
    db.close()
    out_dir = tmp_path / "lettres"
    code = main(["--db", str(path), "export", "notifications", "--campagne", str(campagne), "-o", str(out_dir)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err == [
        "instructeur : lettres non générées : signataire manquant (Notifications › Paramètres)",
        "instructeur : lettres non générées : fonction du signataire manquante (Notifications › Paramètres)",
    ]
    assert not out_dir.exists()  # nothing written, not even the folder
    db = open_database(path)
    try:
        assert all(n.etat == "a_generer" or n.fichier is None for n in NotificationService(db).list(campagne))
    finally:
        db.close()
