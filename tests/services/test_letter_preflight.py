"""Letters are never incomplete: the pre-flight (pure) and its use by the service; « À refaire »
letters are generated again (both engines)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from instructeur.domain.letter_preflight import LetterHead, letter_preflight
from instructeur.errors import ValidationError
from instructeur.services.notifications import NotificationService, NotificationSettings
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Notification
from tests.factories import build_world, create_dossier
from tests.services.test_notifications import decide

WHERE = "(Notifications › Paramètres)"
COMPLETE = LetterHead(expediteur="Agglo", ville="Boulogne", signataire="J. Martin", fonction_signataire="Président")


def test_preflight_pure_lists_each_missing_item() -> None:
    assert letter_preflight(COMPLETE) == []
    assert letter_preflight(LetterHead()) == [
        f"lettres non générées : signataire manquant {WHERE}",
        f"lettres non générées : fonction du signataire manquante {WHERE}",
        f"lettres non générées : ville (lieu d'émission) manquante {WHERE}",
        f"lettres non générées : expéditeur (en-tête de la lettre) manquant {WHERE}",
    ]
    blank = LetterHead(expediteur="  ", ville="Boulogne", signataire="\n", fonction_signataire="Président")
    assert [m.split(" : ")[1].split(" (")[0] for m in letter_preflight(blank)] == [
        "signataire manquant",
        "expéditeur",
    ]
    from dataclasses import replace

    lost = replace(COMPLETE, logo="/nulle/part/logo.png", logo_found=False)
    assert letter_preflight(lost) == [f"lettres non générées : logo introuvable « /nulle/part/logo.png » {WHERE}"]
    # {contact} is required only when a chosen template merges it.
    assert letter_preflight(COMPLETE, {"montant"}) == []
    assert "affaire suivie par" in letter_preflight(COMPLETE, {"contact"})[0]


def test_new_contrat_refuses_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    did = create_dossier(db, world)
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 5_000_00})
    svc = NotificationService(db, user="test")
    assert len(svc.preflight()) == 4
    with pytest.raises(ValidationError) as err:
        svc.generate(world.campagne_id, tmp_path / "lettres")
    assert err.value.problems[0] == f"lettres non générées : signataire manquant {WHERE}"
    assert not (tmp_path / "lettres").exists()
    with db.session() as s:
        assert s.scalar(select(Notification.id)) is None
    svc.save_settings(
        NotificationSettings(expediteur="Agglo", ville="Boulogne", signataire="J. Martin", fonction_signataire="P.")
    )
    assert svc.preflight() == []
    assert len(svc.generate(world.campagne_id, tmp_path / "lettres").files) == 1


def test_a_refaire_is_generated_again(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    did = create_dossier(db, world)
    decide(db, did, "retenu", {world.financeurs["EPCI"]: 5_000_00})
    svc = NotificationService(db, user="test")
    svc.save_settings(
        NotificationSettings(expediteur="Agglo", ville="Boulogne", signataire="J. Martin", fonction_signataire="P.")
    )
    (nid,) = svc.generate(world.campagne_id, tmp_path).notification_ids
    assert svc.mark([nid], "notifie", date(2026, 4, 8)).changed == (nid,)
    with db.session() as s:  # what « Modifier la décision » does: the decision changed, redo
        n = s.get(Notification, nid)
        assert n is not None
        n.etat = "a_refaire"
        d = s.get(Dossier, did)
        assert d is not None and d.statut == "notifie"
    (row,) = svc.list(world.campagne_id)
    assert row.etat_label == "À refaire"
    refused = svc.mark([nid], "a_notifier")
    assert refused.changed == () and "générez-la de nouveau" in refused.refused[0][1]
    # The default scope includes it although the dossier is already notifié.
    again = svc.generate(world.campagne_id, tmp_path / "bis", date_lettre=date(2026, 5, 2))
    assert again.notification_ids == (nid,) and again.unchanged == ()
    (row,) = svc.list(world.campagne_id)
    assert (row.etat, row.date_generation) == ("a_signer", date(2026, 5, 2))
