"""The Saint-Omer demo carries the ambitions, rattaches dossiers to them, and publishes valid open data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from frictionless import Resource, Schema
from sqlalchemy import select

from instructeur.demo import DemoSummary, create_demo
from instructeur.domain.identifiers import siret_problem
from instructeur.exports.opendata import export_scdl
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Classification, Dossier, Financeur, Objectif, ObjectifLien

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "scdl_subventions_schema.json"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, DemoSummary]:
    path = tmp_path_factory.mktemp("demo") / "saint-omer.sqlite"
    summary = create_demo(path, dossiers=60, seed=3, referentiel="saint-omer-2024")
    db = open_database(str(path), backup_dir=path.parent)
    yield db, summary  # type: ignore[misc]
    db.close()


def test_ambitions_and_matrix_in_the_demo_contrat(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    with db.session() as s:
        (k,) = s.scalars(select(Classification).where(Classification.contrat_id == summary.contrat_id))
        assert (k.code, k.niveaux) == ("AMB", "Ambition | Engagement")
        nodes = list(s.scalars(select(Objectif).where(Objectif.classification_id == k.id)))
        assert len(nodes) == 7 + 35
        assert s.query(ObjectifLien).count() == 61


def test_dossiers_rattached_to_linked_ambitions(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    with db.session() as s:
        linked = {(a, b) for a, b in s.execute(select(ObjectifLien.objectif_id, ObjectifLien.lie_a_id))}
        engagement = {o.id for o in s.scalars(select(Objectif).where(Objectif.parent_id.is_not(None)))}
        with_engagement = {b for a, b in linked if a in engagement}
        dossiers = list(s.scalars(select(Dossier)))
        assert len(dossiers) == summary.nb_dossiers
        classes = [d for d in dossiers if d.classements]
        assert len(dossiers) // 2 < len(classes) < len(dossiers), "most dossiers, not all, are classés"
        for d in dossiers:
            principal = s.get_one(Objectif, d.objectif_id)
            assert principal.classification_id is None, "the main objectif never comes from a classification"
            assert all(o.classification_id is None for o in d.objectifs_secondaires)
            assert len(d.classements) <= 1
            for node in d.classements:
                assert (node.id, d.objectif_id) in linked
                if d.objectif_id in with_engagement:
                    assert node.id in engagement, "an engagement rather than its ambition when linked"


def test_financeurs_have_valid_sirets_and_open_data_validates(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    db, summary = demo
    with db.session() as s:
        sirets = list(s.scalars(select(Financeur.siret).where(Financeur.contrat_id == summary.contrat_id)))
    assert len(sirets) >= 6 and len(set(sirets)) == len(sirets)
    assert all(siret is not None and siret.startswith("999") and siret_problem(siret) is None for siret in sirets)
    target = export_scdl(db, summary.campagne_ids[0], tmp_path / "scdl.csv")
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    report = Resource(path=target.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] > 10
