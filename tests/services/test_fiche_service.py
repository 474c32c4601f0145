"""Fiche service on both engines: context, one-transaction save with the checklist, journal."""

from __future__ import annotations

import dataclasses

import pytest

from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, ValidationError
from instructeur.services.dossiers import DossierService, Ligne
from instructeur.services.fiche import FicheService, RecevabiliteRow
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier, dossier_data

NBSP = "\u00a0"


def test_context_has_the_campagne_referentiel(db: Database) -> None:
    world = build_world(db)
    ctx = FicheService(db).context(world.campagne_id)
    assert [f.code for f in ctx.financeurs] == ["ETAT", "EPCI", "CAF"]
    assert ctx.enveloppes == {world.financeurs["ETAT"]: 100_000_00, world.financeurs["EPCI"]: 50_000_00}
    assert {q.id for q in ctx.quartiers} == set(world.quartiers.values())
    assert ctx.quartiers[0].type == "qpv"
    ids = [o.id for o in ctx.objectifs]
    for n, node in enumerate(ctx.objectifs):  # depth-first: a parent comes before its children
        if node.parent_id is not None:
            assert ids.index(node.parent_id) < n
    assert ctx.niveaux and ctx.axes
    assert any("engagement républicain" in i.libelle for i in ctx.recevabilite_items)


def test_save_fiche_with_checklist_is_one_version_bump(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    fiche = FicheService(db, user="alice")
    detail = DossierService(db).get(dossier_id)
    rows = fiche.recevabilite(dossier_id)
    assert rows and not any(r.ok for r in rows)
    checked = [dataclasses.replace(rows[1], ok=True, commentaire="signé le 2 mars")] + rows[2:]
    data = dataclasses.replace(
        detail.data,
        intitule="Atelier sociolinguistique renforcé",
        lignes=(
            Ligne(world.financeurs["ETAT"], "", 6_000_00),
            Ligne(world.financeurs["EPCI"], "", 4_000_00, 3_000_00),
            Ligne(None, "Fonds propres", 2_500_00),
        ),
    )
    version = fiche.save_fiche(dossier_id, detail.version, data, checked)
    assert version == detail.version + 1
    after = DossierService(db).get(dossier_id)
    assert after.version == version and after.data == data and after.updated_by == "alice"
    saved = {r.item_id: r for r in fiche.recevabilite(dossier_id)}
    assert saved[rows[1].item_id].ok and saved[rows[1].item_id].commentaire == "signé le 2 mars"

    # Only the checklist changes: still one bump, so the lock covers it.
    unchecked = [dataclasses.replace(rows[1], ok=False)]
    assert fiche.save_fiche(dossier_id, version, data, unchecked) == version + 1
    # Nothing changes: no bump.
    assert fiche.save_fiche(dossier_id, version + 1, data, unchecked) == version + 1


def test_concurrent_save_is_refused_with_the_other_user_name(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    detail = DossierService(db).get(dossier_id)
    DossierService(db, user="bob").update(
        dossier_id, detail.version, dataclasses.replace(detail.data, intitule="Par Bob")
    )
    rows = FicheService(db).recevabilite(dossier_id)
    with pytest.raises(ConcurrentEditError, match="modifié par bob"):
        FicheService(db, user="alice").save_fiche(
            dossier_id,
            detail.version,
            dataclasses.replace(detail.data, intitule="Par Alice"),
            [dataclasses.replace(rows[0], ok=True)],
        )
    assert DossierService(db).get(dossier_id).data.intitule == "Par Bob"
    assert not FicheService(db).recevabilite(dossier_id)[0].ok  # nothing written


def test_save_fiche_validates(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    create_dossier(db, world, reference="26-000002")
    detail = DossierService(db).get(dossier_id)
    with pytest.raises(ValidationError, match="intitulé"):
        FicheService(db).save_fiche(
            dossier_id, detail.version, dataclasses.replace(detail.data, intitule=""), []
        )
    with pytest.raises(ValidationError, match="existe déjà"):
        FicheService(db).save_fiche(
            dossier_id, detail.version, dataclasses.replace(detail.data, reference="26-000002"), []
        )


def test_journal_lines_are_french(db: Database) -> None:
    world = build_world(db)
    dossier_id = create_dossier(db, world)
    fiche = FicheService(db, user="alice")
    detail = DossierService(db).get(dossier_id)
    quartier = sorted(world.quartiers.values())[-1]
    rows = fiche.recevabilite(dossier_id)
    data = dataclasses.replace(
        detail.data,
        intitule="Atelier B",
        quartiers=(*detail.data.quartiers, quartier),
        cout_total_cents=13_000_00,
        lignes=(*detail.data.lignes[:2], Ligne(None, "Fonds propres", 4_000_00)),
        reconduite=True,
    )
    version = fiche.save_fiche(dossier_id, detail.version, data, [dataclasses.replace(rows[0], ok=True)])
    DossierService(db, user="bob").change_statut(dossier_id, Statut.IRRECEVABLE, "hors champ", version)

    journal = fiche.journal(dossier_id)
    assert journal[0].action == "Statut" and journal[0].utilisateur == "bob"
    assert "Statut : Déposé → Irrecevable" in journal[0].text
    assert "Motivation : hors champ" in journal[0].text
    update = next(r for r in journal if r.action == "Modification")
    assert update.utilisateur == ("alice" if db.is_sqlite else "postgres")  # PostgreSQL: session_user
    lines = update.text.split("\n")
    assert "Intitulé : « Atelier sociolinguistique » → « Atelier B »" in lines
    assert f"Coût total : 12{NBSP}500,00{NBSP}€ → 13{NBSP}000,00{NBSP}€" in lines
    assert "Action reconduite : non → oui" in lines
    assert any(line.startswith("Quartiers : ajout de « ") for line in lines)
    assert (
        f"Plan de financement, Fonds propres, demandé : 3{NBSP}500,00{NBSP}€ → 4{NBSP}000,00{NBSP}€" in lines
    )
    assert f"Recevabilité, « {rows[0].libelle} » : non → oui" in lines
    assert journal[-1].action in ("Création", "Statut")
    assert any(r.text.startswith("Dossier créé") for r in journal)


def test_create_dossier_with_checklist_and_suggested_reference(db: Database) -> None:
    world = build_world(db)
    create_dossier(db, world, reference="26-000041")
    fiche = FicheService(db)
    reference = fiche.suggest_reference(world.campagne_id)
    assert reference == "26-000042"
    item = fiche.context(world.campagne_id).recevabilite_items[0]
    dossier_id = fiche.create_dossier(
        world.campagne_id,
        dossier_data(world, reference),
        [RecevabiliteRow(item.id, item.libelle, item.obligatoire, True, None)],
    )
    assert DossierService(db).get(dossier_id).statut is Statut.DEPOSE
    assert fiche.recevabilite(dossier_id)[0].ok
