"""Labels: unique names (case and accents ignored), batch add / remove, counts, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from instructeur.errors import NotFoundError, ValidationError
from instructeur.services.labels import LabelService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog
from tests.factories import build_world, create_dossier


def test_create_update_delete_and_unique_names(db: Database) -> None:
    labels = LabelService(db, user="test")
    lid = labels.create("Priorité préfet", "#AA3300")
    with pytest.raises(ValidationError, match="existe déjà"):
        labels.create("  priorite   PREFET ")
    with pytest.raises(ValidationError, match="couleur"):
        labels.create("Autre", "rouge")
    with pytest.raises(ValidationError, match="obligatoire"):
        labels.create("   ")
    other = labels.create("À revoir")
    with pytest.raises(ValidationError, match="existe déjà"):
        labels.update(other, "PRIORITÉ PRÉFET")
    labels.update(lid, "Priorité du préfet", None)
    assert [(r.nom, r.couleur, r.nb_dossiers) for r in labels.all()] == [
        ("À revoir", None, 0),
        ("Priorité du préfet", None, 0),
    ]
    labels.delete(other)
    assert [r.nom for r in labels.all()] == ["Priorité du préfet"]
    with pytest.raises(NotFoundError):
        labels.delete(other)


def test_add_label_creates_it_and_skips_dossiers_that_have_it(db: Database) -> None:
    world = build_world(db)
    a, b, c = (create_dossier(db, world, f"26-00000{n}") for n in range(1, 4))
    labels = LabelService(db, user="test")
    first = labels.add_label([a, b], "Priorité")
    assert first.changed == (a, b) and first.unchanged == ()
    second = labels.add_label([b, c, c], "priorité")  # same label, duplicates ignored
    assert second.label_id == first.label_id
    assert second.changed == (c,) and second.unchanged == (b,)
    assert [(r.nom, r.nb_dossiers) for r in labels.all()] == [("Priorité", 3)]
    removed = labels.remove_label([a, a], "PRIORITE")
    assert removed.changed == (a,)
    assert labels.all()[0].nb_dossiers == 2
    with pytest.raises(NotFoundError):
        labels.add_label([999_999], "Priorité")
    with pytest.raises(NotFoundError):
        labels.remove_label([a], "inconnu")
    with db.session() as s:
        logs = s.scalars(select(AuditLog).where(AuditLog.action == "label")).all()
        assert {(log.entity_id, json.loads(log.changes).get("ajout")) for log in logs} >= {(a, "Priorité")}
        assert any(json.loads(log.changes) == {"retrait": "Priorité"} for log in logs)


def test_deleting_a_label_frees_its_dossiers(db: Database) -> None:
    world = build_world(db)
    a = create_dossier(db, world)
    labels = LabelService(db, user="test")
    change = labels.add_label([a], "Temporaire")
    labels.delete(change.label_id)
    assert labels.all() == []
    assert labels.add_label([a], "Temporaire").changed == (a,)
