"""Cadre stratégique editing (services/cadre.py, services/classifications.py) on both engines:
building a tree from nothing, renaming, moving, reparenting, level names, refusals (dossiers
rattachés, duplicate codes, cycles, a tree changed meanwhile), classifications and axes transversaux."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.cadre import Arbre, CadreService
from instructeur.services.classifications import ClassificationService
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database
from instructeur.storage.models import AuditLog, Dossier
from tests.factories import build_world, create_dossier


def _codes(arbre: Arbre) -> list[tuple[str, int]]:
    return [(n.code, n.niveau) for n in arbre.noeuds]


def _id(arbre: Arbre, code: str) -> int:
    return next(n.id for n in arbre.noeuds if n.code == code)


def test_a_cadre_is_built_edited_and_journaled_from_nothing(db: Database) -> None:
    cid = ContratService(db, user="test").create_empty("Contrat de ville de Lens-Liévin")
    cadre = CadreService(db, user="marie")
    a = cadre.arbre(cid)
    assert a.noeuds == () and a.niveaux == ("Axe", "Objectif stratégique", "Objectif opérationnel")
    axe1, j = cadre.ajouter(cid, None, a.jeton, None, "1", "Cohésion sociale")
    axe2, j = cadre.ajouter(cid, None, j, None, "2", "Emploi")
    o11, j = cadre.ajouter(cid, None, j, axe1, "1.1", "Réussite éducative")
    _, j = cadre.ajouter(cid, None, j, axe1, "1.2", "Santé")
    _, j = cadre.ajouter(cid, None, j, o11, "1.1.1", "Accompagner   les collégiens ")
    assert _codes(cadre.arbre(cid)) == [("1", 0), ("1.1", 1), ("1.1.1", 2), ("1.2", 1), ("2", 0)]

    j = cadre.deplacer(cid, None, j, _id(cadre.arbre(cid), "1.2"), -1)
    j = cadre.modifier(cid, None, j, o11, "1.3", "Réussite éducative et parentalité")
    j = cadre.rattacher(cid, None, j, o11, axe2)  # moves its subtree with it
    j = cadre.renommer_niveaux(cid, None, j, ["Pilier", "Objectif", "Action type", "Sous-action"])
    a = cadre.arbre(cid)
    assert _codes(a) == [("1", 0), ("1.2", 1), ("2", 0), ("1.3", 1), ("1.1.1", 2)]
    assert a.jeton == j and a.niveaux == ("Pilier", "Objectif", "Action type", "Sous-action")
    assert next(n.titre for n in a.noeuds if n.code == "1.1.1") == "Accompagner les collégiens"
    assert ContratService(db).get(cid).niveaux == a.niveaux
    assert [o.code for o in ContratService(db).objectifs(cid)] == ["1", "1.2", "2", "1.3", "1.1.1"]
    with db.session() as s:
        actions = [(e.entity, e.action, e.utilisateur) for e in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert [(e, a_) for e, a_, _ in actions].count(("objectif", "create")) == 5
    assert [a_ for e, a_, _ in actions if e == "objectif"][-3:] == ["update", "update", "update"]
    assert ("contrat", "niveaux") in [(e, a_) for e, a_, _ in actions]


def test_a_change_on_a_stale_tree_is_refused_and_writes_nothing(db: Database) -> None:
    cid = ContratService(db, user="test").create_empty("CV")
    a = CadreService(db, user="a").arbre(cid)
    _, j = CadreService(db, user="a").ajouter(cid, None, a.jeton, None, "1", "Cohésion")
    with pytest.raises(ConcurrentEditError, match="modifié par un autre utilisateur"):
        CadreService(db, user="b").ajouter(cid, None, a.jeton, None, "2", "Emploi")
    assert _codes(CadreService(db).arbre(cid)) == [("1", 0)]
    assert CadreService(db).arbre(cid).jeton == j


def test_invalid_codes_titles_and_cycles_are_refused_in_french(db: Database) -> None:
    cid = ContratService(db, user="test").create_empty("CV")
    cadre = CadreService(db, user="test")
    axe, j = cadre.ajouter(cid, None, cadre.arbre(cid).jeton, None, "1", "Cohésion")
    child, j = cadre.ajouter(cid, None, j, axe, "1.1", "Éducation")
    with pytest.raises(ValidationError) as exc:
        cadre.ajouter(cid, None, j, axe, "1.1", "  ")
    assert exc.value.problems == ["code « 1.1 » : déjà utilisé par « Éducation »", "intitulé de « 1.1 » : obligatoire"]
    with pytest.raises(ValidationError, match="trop long"):
        cadre.modifier(cid, None, j, child, "X" * 31, "Éducation")
    with pytest.raises(UserError, match="sous lui-même"):
        cadre.rattacher(cid, None, j, axe, child)
    assert cadre.arbre(cid).jeton == j  # nothing written


def test_deleting_a_node_used_by_dossiers_is_refused_with_their_count(db: Database) -> None:
    world = build_world(db)
    cadre = CadreService(db, user="test")
    a = cadre.arbre(world.contrat_id)
    axe = a.noeuds[0]
    children = [n for n in a.noeuds if n.parent_id == axe.id]
    create_dossier(db, world, "26-1", objectif_id=children[0].id)
    create_dossier(db, world, "26-2", objectif_id=axe.id, objectifs_secondaires=(children[-1].id,))
    create_dossier(db, world, "26-3", objectifs_secondaires=(children[-1].id,))
    a = cadre.arbre(world.contrat_id)
    with pytest.raises(UserError) as exc:
        cadre.supprimer(world.contrat_id, None, a.jeton, axe.id)
    assert f"« {axe.code} » ne peut pas être supprimé : 3 dossiers sont rattachés à cet objectif ou à ses sous-objectifs" in str(exc.value)
    with pytest.raises(UserError, match="1 dossier est rattaché à cet objectif"):
        cadre.supprimer(world.contrat_id, None, a.jeton, children[0].id)
    assert cadre.arbre(world.contrat_id).jeton == a.jeton
    # an unused node goes, with its subtree
    unused = next(n for n in a.noeuds if n.dossiers == 0 and n.niveau == 0)
    sub = [n for n in a.noeuds if n.parent_id == unused.id]
    cadre.supprimer(world.contrat_id, None, a.jeton, unused.id)
    left = {n.id for n in cadre.arbre(world.contrat_id).noeuds}
    assert unused.id not in left and not any(n.id in left for n in sub)


def test_classifications_their_nodes_links_and_classements(db: Database) -> None:
    world = build_world(db)
    cid = world.contrat_id
    classes = ClassificationService(db, user="test")
    cadre = CadreService(db, user="test")
    k = classes.creer(cid, "amb", "Ambitions de la feuille de route", ["Ambition", "Engagement"])
    with pytest.raises(ValidationError, match="une autre classification le porte déjà"):
        classes.creer(cid, "AMB", "Autre", ["Niveau"])
    a = cadre.arbre(cid, k)
    assert a.nom == "Ambitions de la feuille de route" and a.niveaux == ("Ambition", "Engagement")
    a1, j = cadre.ajouter(cid, k, a.jeton, None, "A1", "Mieux repérer")
    e11, j = cadre.ajouter(cid, k, j, a1, "A1.1", "Aller vers les publics")
    main_code = cadre.arbre(cid).noeuds[0].code
    with pytest.raises(ValidationError, match=f"code « {main_code} » : déjà utilisé"):
        cadre.ajouter(cid, k, j, None, main_code, "Doublon du cadre")
    assert [r.code for r in classes.classifications(cid)] == ["AMB"] and classes.classifications(cid)[0].noeuds == 2
    assert all(o.code not in ("A1", "A1.1") for o in ContratService(db).objectifs(cid))  # main cadre only

    dossier = create_dossier(db, world, "26-1", classements=(e11,))  # classé under an engagement
    with pytest.raises(UserError, match="1 dossier y est classé"):
        classes.supprimer(k)
    with pytest.raises(UserError, match="1 dossier est rattaché à cet objectif ou à ses sous-objectifs"):
        cadre.supprimer(cid, k, cadre.arbre(cid, k).jeton, a1)
    assert classes.classifications(cid)[0].noeuds == 2  # nothing deleted
    with db.session() as s:
        s.get_one(Dossier, dossier).classements = []
    # links with the main cadre (the matrix): replaced as a whole, main-cadre objectifs only
    main = cadre.arbre(cid).noeuds
    classes.lier(a1, [main[1].id, main[2].id])
    classes.lier(a1, [main[2].id])
    assert classes.liens_de(a1) == {main[2].id}
    assert classes.liens(cid) == [("A1", main[2].code)]
    with pytest.raises(UserError, match="n'est pas \\(ou plus\\) dans le cadre"):
        classes.lier(a1, [e11])
    with pytest.raises(UserError, match="aucune classification"):
        classes.lier(main[1].id, [main[2].id])
    classes.modifier(k, "AMB", "Ambitions")
    classes.supprimer(k)
    assert classes.classifications(cid) == []


def test_axes_transversaux_are_edited_and_a_used_one_is_kept(db: Database) -> None:
    world = build_world(db)
    cadre = CadreService(db, user="test")
    axes = cadre.axes(world.contrat_id)
    assert axes, "the Boulonnais référentiel has axes transversaux"
    create_dossier(db, world, "26-1", axes_transversaux=(axes[0].id,))
    with pytest.raises(ValidationError, match="1 dossier le porte"):
        cadre.save_axes(world.contrat_id, [(None, "Égalité femmes-hommes")])
    cadre.save_axes(world.contrat_id, [(axes[0].id, "Jeunesse (renommé)"), (None, "Égalité femmes-hommes")])
    after = cadre.axes(world.contrat_id)
    assert [(x.titre, x.dossiers) for x in after] == [("Jeunesse (renommé)", 1), ("Égalité femmes-hommes", 0)]
    with pytest.raises(ValidationError, match="intitulé obligatoire"):
        cadre.save_axes(world.contrat_id, [(axes[0].id, " ")])
