"""Grille d'analyse on both engines: default, copy, versions that never corrupt notes, lock,
cotation F/H settings."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from instructeur.domain import grille_defaut
from instructeur.domain.scoring import CotationSettings
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData, GrilleService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from instructeur.storage.models import Evaluation, Note
from tests.factories import build_world, create_dossier


def test_default_grille_has_the_eight_criteria_in_sections(db: Database) -> None:
    world = build_world(db)
    service = GrilleService(db, user="chef")
    assert service.get_for_campagne(world.campagne_id) is None
    grille_id = service.create_default(world.campagne_id)
    grille = service.get_for_campagne(world.campagne_id)
    assert grille is not None and grille.id == grille_id and grille.numero_version == 1
    assert [c.libelle for c in grille.criteres] == [c.libelle for c in grille_defaut.CRITERES]
    assert all((c.echelle_min, c.echelle_max, c.poids) == (0, 3, 1) for c in grille.criteres)
    assert grille.criteres[0].level_label(3) == "très satisfaisant"
    assert [name for name, _ in grille.sections][:2] == ["Public et territoire", "Pertinence"]
    with pytest.raises(UserError, match="déjà une grille"):
        service.create_default(world.campagne_id)


def _score(db: Database, world, n: int) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """n dossiers scored 2 everywhere by one évaluateur, plus one assigned dossier left unscored."""
    grille_id = GrilleService(db, user="chef").create_default(world.campagne_id)
    evaluateurs = EvaluateurService(db, user="chef")
    eid = evaluateurs.create(world.contrat_id, "Claire Delegue")
    dossiers = [create_dossier(db, world, reference=f"26-00000{k}") for k in range(n + 1)]
    evaluateurs.assign(dossiers, eid)
    notation = NotationService(db, user="claire")
    grille = GrilleService(db).get(grille_id)
    for dossier_id in dossiers[:n]:
        ev = notation.evaluation(dossier_id, eid)
        notation.save_notes(ev.id, ev.version, {c.id: 2 for c in grille.criteres})
    return grille_id, dossiers


def test_structural_change_refused_once_scored_wording_allowed(db: Database) -> None:
    world = build_world(db)
    grille_id, _ = _score(db, world, 2)
    service = GrilleService(db, user="chef")
    grille = service.get(grille_id)
    assert grille.n_evaluations == 2 and grille.structure_frozen
    criteria = [c.data() for c in grille.criteres]
    wider = [dataclasses.replace(criteria[0], echelle_max=5, niveaux=())] + criteria[1:]
    with pytest.raises(
        UserError, match="La grille a déjà 2 évaluations : créez une nouvelle version"
    ) as info:
        service.save(grille_id, grille.version, wider)
    assert "échelle 0–3 → 0–5" in str(info.value)
    for refused in (
        [dataclasses.replace(criteria[0], poids=2)] + criteria[1:],
        criteria[1:],  # delete
        [*criteria, CritereData("Nouveau critère")],  # add
        [dataclasses.replace(criteria[0], eliminatoire=True)] + criteria[1:],
    ):
        with pytest.raises(UserError, match="créez une nouvelle version"):
            service.save(grille_id, grille.version, refused)
    reworded = [dataclasses.replace(criteria[0], libelle="Public QPV (60 % au moins)", aide="Voir la fiche")]
    version = service.save(grille_id, grille.version, reworded + criteria[1:][::-1])  # order is wording too
    after = service.get(grille_id)
    assert after.version == version > grille.version
    assert after.criteres[0].libelle == "Public QPV (60 % au moins)"
    assert after.criteres[-1].libelle == criteria[1].libelle
    with db.session() as s:  # the notes are untouched
        assert s.query(Note).count() == 2 * len(criteria)


def test_new_version_keeps_old_notes_and_takes_unscored_assignments(db: Database) -> None:
    world = build_world(db)
    grille_id, dossiers = _score(db, world, 2)
    service = GrilleService(db, user="chef")
    before = NotationService(db).scores(world.campagne_id)
    new_id = service.new_version(grille_id)
    new = service.get(new_id)
    assert (
        new.numero_version == 2 and new.n_evaluations == 0 and new.versions == ((grille_id, 1), (new_id, 2))
    )
    assert service.get_for_campagne(world.campagne_id).id == new_id  # type: ignore[union-attr]
    # The scale may now change on version 2.
    criteria = [c.data() for c in new.criteres]
    service.save(
        new_id, new.version, [dataclasses.replace(criteria[0], echelle_max=5, niveaux=())] + criteria[1:]
    )
    assert service.get(new_id).criteres[0].echelle_max == 5
    with db.session() as s:
        by_dossier = {ev.dossier_id: ev.grille_id for ev in s.query(Evaluation)}
    assert by_dossier == {dossiers[0]: grille_id, dossiers[1]: grille_id, dossiers[2]: new_id}
    after = NotationService(db).scores(world.campagne_id)
    assert after[dossiers[0]].score.score == before[dossiers[0]].score.score == Fraction(40, 3)
    # A new assignment uses the latest version.
    other = EvaluateurService(db).create(world.contrat_id, "Karim Lemaitre")
    EvaluateurService(db).assign([dossiers[0]], other)
    assert NotationService(db).evaluation(dossiers[0], other).grille_numero_version == 2


def test_free_edits_before_any_note_and_lock(db: Database) -> None:
    world = build_world(db)
    service = GrilleService(db, user="chef")
    grille_id = service.create_default(world.campagne_id)
    grille = service.get(grille_id)
    criteria = [c.data() for c in grille.criteres]
    mine = [
        dataclasses.replace(criteria[0], poids=3, eliminatoire=True),
        CritereData("Innovation", echelle_max=5),
    ]
    version = service.save(grille_id, grille.version, mine, nom="Grille 2026")
    edited = service.get(grille_id)
    assert [(c.libelle, c.poids, c.echelle_max) for c in edited.criteres] == [
        (criteria[0].libelle, 3, 3),
        ("Innovation", 1, 5),
    ]
    assert edited.nom == "Grille 2026" and edited.criteres[0].eliminatoire
    with pytest.raises(ConcurrentEditError, match="chef"):
        service.save(grille_id, grille.version, mine)
    version = service.lock(grille_id)
    assert service.get(grille_id).verrouillee
    with pytest.raises(UserError, match="verrouillée"):
        service.save(grille_id, version, [edited.criteres[0].data()])
    service.unlock(grille_id)
    assert not service.get(grille_id).verrouillee


def test_validation_names_each_criterion(db: Database) -> None:
    world = build_world(db)
    service = GrilleService(db)
    grille_id = service.create_default(world.campagne_id)
    version = service.get(grille_id).version
    with pytest.raises(ValidationError) as info:
        service.save(
            grille_id,
            version,
            [
                CritereData(" ", poids=0),
                CritereData("Budget", echelle_min=3, echelle_max=3),
                CritereData("Public", niveaux=("bas", "haut"), poids=0),
            ],
        )
    problems = info.value.problems
    assert "critère 1 : libellé obligatoire" in problems
    assert any(p.startswith("critère 2 « Budget » : l'échelle") for p in problems)
    assert any(p.startswith("critère 3 « Public » : 2 libellés de niveaux") for p in problems)


def test_copy_from_another_campagne(db: Database) -> None:
    world = build_world(db)
    service = GrilleService(db, user="chef")
    source_id = service.create_default(world.campagne_id)
    source = service.get(source_id)
    service.save(source_id, source.version, [c.data() for c in source.criteres[:3]], nom="Grille resserrée")
    other = CampagneService(db).create(world.contrat_id, 2027)
    copy_id = service.copy_from(other, world.campagne_id)
    copy = service.get(copy_id)
    assert copy.campagne_id == other and copy.nom == "Grille resserrée" and copy.numero_version == 1
    assert [c.libelle for c in copy.criteres] == [c.libelle for c in source.criteres[:3]]
    assert {c.id for c in copy.criteres}.isdisjoint({c.id for c in source.criteres[:3]})
    # Copying again makes version 2 (version 1 stays for the évaluations that use it).
    assert service.get(service.copy_from(other, world.campagne_id)).numero_version == 2


def test_cotation_settings_default_then_saved_and_validated(db: Database) -> None:
    world = build_world(db)
    service = GrilleService(db, user="chef")
    assert service.cotation_settings(world.campagne_id) == CotationSettings()
    custom = CotationSettings(
        questions=(*CotationSettings().questions, ("budget", "Le budget est-il ventilé par sexe ?")),
        rule={"principal_question": "principal", "principal_implies": 2, "threshold_for_1": 4},
    )
    service.save_cotation_settings(world.campagne_id, custom)
    assert service.cotation_settings(world.campagne_id) == custom
    service.save_cotation_settings(world.campagne_id, CotationSettings())
    assert service.cotation_settings(world.campagne_id) == CotationSettings()
    with pytest.raises(ValidationError, match="seuil"):
        service.save_cotation_settings(
            world.campagne_id,
            dataclasses.replace(custom, rule={"principal_question": None, "threshold_for_1": 0}),
        )
