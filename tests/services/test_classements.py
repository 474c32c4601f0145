"""A dossier's classements in the additional classifications (Saint-Omer's ambitions): the fiche's
context, the save (one node per classification, of the dossier's own contrat), the journal, the list
rows and the synthesis per classification — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from instructeur.errors import ValidationError
from instructeur.referentiels import load_referentiel
from instructeur.services.contrats import ContratService
from instructeur.services.dossier_rows import DossierFilter
from instructeur.services.dossiers import DossierService
from instructeur.services.fiche import FicheService
from instructeur.services.synthese import SyntheseService
from instructeur.services.synthese_classements import SANS_CLASSEMENT, classification_syntheses
from instructeur.storage.db import Database
from instructeur.storage.models import Objectif
from tests.exports import _set, _votes
from tests.factories import World, build_world, create_dossier
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture


def _codes(db: Database, contrat_id: int) -> dict[str, int]:  # noqa: F811
    with db.session() as s:
        return dict(s.execute(select(Objectif.code, Objectif.id).where(Objectif.contrat_id == contrat_id)).all())


@pytest.fixture
def so(db: Database) -> tuple[World, dict[str, int]]:  # noqa: F811
    world = build_world(db, "saint-omer-2024")
    return world, _codes(db, world.contrat_id)


def test_fiche_context_separates_cadre_and_ambitions(db: Database, so: tuple[World, dict[str, int]]) -> None:  # noqa: F811
    world, _ = so
    ctx = FicheService(db, user="test").context(world.campagne_id)
    assert len(ctx.objectifs) == 4 + 36 and all(not n.code.startswith("A") for n in ctx.objectifs)
    (amb,) = ctx.classifications
    assert (amb.code, amb.nom, amb.niveaux) == ("AMB", "Ambitions de la feuille de route", ("Ambition", "Engagement"))
    assert [n.code for n in amb.noeuds[:3]] == ["A1", "A1.1", "A1.2"]
    assert len(amb.noeuds) == 42
    assert amb.noeuds[0].titre == "Mieux repérer pour mieux orienter"


def test_save_checks_one_node_per_classification_of_the_contrat(
    db: Database, so: tuple[World, dict[str, int]]  # noqa: F811
) -> None:
    world, c = so
    service = DossierService(db, user="test")
    did = create_dossier(db, world, objectif_id=c["3.2"], classements=(c["A2.4"],))
    detail = service.get(did)
    assert detail.data.classements == (c["A2.4"],)

    def save(ids: tuple[int, ...] | None) -> int:
        current = service.get(did)
        return service.update(did, current.version, dataclasses.replace(current.data, classements=ids))

    with pytest.raises(ValidationError) as info:
        save((c["A2.4"], c["A3"]))
    assert info.value.problems == [
        "classement : « A2.4 » et « A3 » sont dans la même classification (un seul nœud par classification)"
    ]
    with pytest.raises(ValidationError, match="« 3.2 » n'est pas un nœud d'une classification de ce contrat"):
        save((c["3.2"],))
    other = ContratService(db, user="test").create_from_referentiel(load_referentiel("saint-omer-2024"))
    foreign = _codes(db, other)["A1"]
    with pytest.raises(ValidationError, match="« A1 » n'est pas un nœud d'une classification de ce contrat"):
        save((foreign,))
    with pytest.raises(ValidationError, match="classement : nœud 987654 introuvable"):
        save((987654,))
    assert service.get(did).data.classements == (c["A2.4"],), "a refused save changes nothing"
    save(None)  # a caller that does not show the classements leaves them
    assert service.get(did).data.classements == (c["A2.4"],)
    save((c["A7"],))
    assert service.get(did).data.classements == (c["A7"],)
    save(())
    assert service.get(did).data.classements == ()


def test_fiche_save_and_journal(db: Database, so: tuple[World, dict[str, int]]) -> None:  # noqa: F811
    world, c = so
    did = create_dossier(db, world, objectif_id=c["1.3"])
    fiche = FicheService(db, user="test")
    detail = DossierService(db, user="test").get(did)
    data = dataclasses.replace(detail.data, classements=(c["A1.1"],))
    version = fiche.save_fiche(did, detail.version, data, fiche.recevabilite(did))
    assert version == detail.version + 1
    assert DossierService(db, user="test").get(did).data.classements == (c["A1.1"],)
    texts = "\n".join(row.text for row in fiche.journal(did))
    assert "Classements (ambitions, engagements…) : ajout de « A1.1 Favoriser le vivre ensemble" in texts


def test_list_rows_carry_the_classement_path(db: Database, so: tuple[World, dict[str, int]]) -> None:  # noqa: F811
    world, c = so
    d1 = create_dossier(db, world, "26-000001", objectif_id=c["3.2"], classements=(c["A2.4"],))
    create_dossier(db, world, "26-000002", objectif_id=c["3.1"])
    rows = {r.id: r for r in DossierService(db, user="test").list_rows(world.campagne_id, DossierFilter())}
    assert set(rows[d1].classement_path) == {c["A2"], c["A2.4"]}
    assert [r.classement_path for r in rows.values() if r.id != d1] == [()]
    assert rows[d1].objectif_path == (c["3"], c["3.2"])


def test_synthesis_per_classification(db: Database, so: tuple[World, dict[str, int]]) -> None:  # noqa: F811
    world, c = so
    f = world.financeurs
    d1 = create_dossier(db, world, "26-000001", objectif_id=c["3.2"], classements=(c["A2.4"],))
    d2 = create_dossier(db, world, "26-000002", objectif_id=c["4.1"], classements=(c["A2"],))
    d3 = create_dossier(db, world, "26-000003", objectif_id=c["4.2"], classements=(c["A7.3"],))
    create_dossier(db, world, "26-000004", objectif_id=c["1.1"])  # déposé: not recevable, not counted
    d5 = create_dossier(db, world, "26-000005", objectif_id=c["1.2"])
    for did in (d1, d2, d3, d5):
        _set(db, did, statut="en_instruction")
    _set(db, d1, statut="retenu", decision="retenu")
    _votes(db, d1, {f["ETAT"]: 4_000_00, f["EPCI"]: 1_000_00})
    _set(db, d3, statut="refuse", decision="refuse")

    (amb,) = classification_syntheses(db, world.campagne_id)
    assert (amb.code, amb.niveau) == ("AMB", "Ambition")
    lines = {line.code or line.titre: line for line in amb.lignes}
    assert [line.code for line in amb.lignes] == [f"A{i}" for i in range(1, 8)] + [""]
    assert amb.lignes[-1].titre == SANS_CLASSEMENT
    a2 = lines["A2"]  # an engagement counts in its ambition
    assert (a2.nb_dossiers, a2.nb_retenus) == (2, 1)
    assert a2.total.vote_cents == 5_000_00 and a2.par_financeur["ETAT"].vote_cents == 4_000_00
    assert a2.total.demande_cents == 2 * 9_000_00
    assert (lines["A7"].nb_dossiers, lines["A7"].nb_retenus, lines["A7"].total.vote_cents) == (1, 0, 0)
    assert (lines[SANS_CLASSEMENT].nb_dossiers, lines[SANS_CLASSEMENT].nb_retenus) == (1, 0)
    assert lines["A1"].nb_dossiers == 0

    (caf_only,) = classification_syntheses(db, world.campagne_id, "CAF")  # nobody asks the CAF
    assert sum(line.nb_dossiers for line in caf_only.lignes) == 0
    # The main synthesis keeps its four axes: ambitions are not axes.
    axes = SyntheseService(db).campagne(world.campagne_id).axes
    assert [a.code for a in axes] == ["1", "2", "3", "4"]
