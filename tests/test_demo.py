"""The demo database generator: counts, invariants, statut histories, reproducibility, no overwrite."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import DateTime, func, select
from sqlalchemy.orm import selectinload

from instructeur.demo import DemoSummary, create_demo
from instructeur.domain.identifiers import rna_problem, siret_problem
from instructeur.domain.statuts import DECISIONS, Statut, allowed_targets, is_reopening
from instructeur.errors import UserError
from instructeur.services.dossiers import instruction_missing
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import (
    Base,
    Campagne,
    Comite,
    ComitePoint,
    Critere,
    Dossier,
    Enveloppe,
    Evaluation,
    Financeur,
    LigneFinancement,
    Note,
    Objectif,
    Porteur,
    Suivi,
    Transition,
)

N = 120


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    calls: list[tuple[int, int]] = []
    summary = create_demo(path, dossiers=N, seed=7, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, calls[0][1]) and calls[-1][0] == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    return path, summary


@pytest.fixture()
def db(demo: tuple[Path, DemoSummary]) -> Iterator[Database]:
    database = open_database(demo[0])
    yield database
    database.close()


def digest(path: Path) -> str:
    """Hash of every row of every table, except clock timestamps (updated_at, audit dates)."""
    database = open_database(path)
    h = hashlib.sha256()
    try:
        with database.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if table.name == "audit_log":
                    columns = [c for c in table.c if c.name not in ("at", "prev_hash", "hash")]  # chain hashes `at`
                else:
                    columns = [
                        c for c in table.c if not (isinstance(c.type, DateTime) and c.name == "updated_at")
                    ]
                order = list(table.primary_key.columns) or columns
                for row in conn.execute(select(*columns).order_by(*order)):
                    h.update(repr((table.name, tuple(row))).encode())
    finally:
        database.close()
    return h.hexdigest()


def test_counts(db: Database, demo: tuple[Path, DemoSummary]) -> None:
    summary = demo[1]
    assert summary.nb_dossiers == N
    assert summary.nb_porteurs == max(10, N // 3)
    assert len(summary.campagne_ids) == 3
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == N
        assert s.scalar(select(func.count()).select_from(Porteur)) == summary.nb_porteurs
        per_campagne = dict(
            s.execute(select(Dossier.campagne_id, func.count()).group_by(Dossier.campagne_id)).all()
        )
        assert [per_campagne[c] for c in summary.campagne_ids] == [36, 36, 48]
        statuts = {c: st for c, st in s.execute(select(Campagne.id, Campagne.statut))}
        assert [statuts[c] for c in summary.campagne_ids] == ["cloturee", "cloturee", "instruction"]
        codes = set(s.scalars(select(Financeur.code)))
        assert {"ETAT", "EPCI", "CD62", "REGION", "CAF", "BAILLEUR", "VILLE-BOULOGNE"} <= codes
        comite = s.get(Comite, summary.comite_id)
        assert comite is not None and comite.type == "financeurs"
        assert 6 <= len(comite.membres) <= 8
        assert all(m.financeur_id is not None for m in comite.membres)
        criteres = s.scalars(select(Critere)).all()
        assert len(criteres) == 8 and all(c.echelle_min == 0 and c.echelle_max == 3 for c in criteres)
        assert (s.scalar(select(func.count()).select_from(Evaluation)) or 0) > 0
        assert (s.scalar(select(func.count()).select_from(Note)) or 0) > 0
        current = summary.campagne_ids[-1]
        assert s.scalar(select(func.count()).select_from(Enveloppe).where(Enveloppe.campagne_id == current))


def test_plans_add_up_and_amounts_are_coherent(db: Database) -> None:
    with db.session() as s:
        dossiers = s.scalars(select(Dossier).options(selectinload(Dossier.lignes))).all()
        for d in dossiers:
            assert sum(ligne.demande_cents for ligne in d.lignes) == d.cout_total_cents, d.reference
            funded = [ligne for ligne in d.lignes if ligne.financeur_id is not None]
            assert 2 <= len(funded) <= 4
            assert len({ligne.financeur_id for ligne in funded}) == len(funded)
            assert all(ligne.libelle for ligne in d.lignes if ligne.financeur_id is None)
            assert 200_000 <= d.cout_total_cents <= 15_000_000
            assert (d.public_femmes or 0) + (d.public_hommes or 0) <= (d.public_prevu or 0)
            assert 40 <= (d.part_qpv_pct or 0) <= 100
            assert d.cotation_declaree in (0, 1, 2)
            for ligne in funded:
                if ligne.vote_cents is not None:
                    assert ligne.vote_cents <= ligne.demande_cents and ligne.vote_cents % 10_000 == 0
                if ligne.propose_cents is not None:
                    assert ligne.propose_cents <= ligne.demande_cents
            if d.decision == "retenu":
                assert any(ligne.vote_cents for ligne in funded)
        # Enveloppes of the current campagne cover only part of the demand.
        current = s.scalar(select(Campagne.id).where(Campagne.statut == "instruction"))
        enveloppes = sum(s.scalars(select(Enveloppe.montant_cents).where(Enveloppe.campagne_id == current)))
        demandes = int(
            s.scalar(
                select(func.sum(LigneFinancement.demande_cents))
                .join(Dossier)
                .where(Dossier.campagne_id == current, LigneFinancement.financeur_id.is_not(None))
            )
            or 0
        )
        assert 0.6 * demandes < enveloppes < demandes


def test_porteurs_identifiers(db: Database) -> None:
    with db.session() as s:
        porteurs = s.scalars(select(Porteur)).all()
    sirets = [p.siret for p in porteurs]
    assert all(s is not None and siret_problem(s) is None for s in sirets)
    assert len(set(sirets)) == len(sirets)
    rnas = [p.rna for p in porteurs if p.rna]
    assert rnas and all(rna_problem(r) is None and r.startswith("W62") for r in rnas)
    assert len(set(rnas)) == len(rnas)
    assert any(p.rna is None and p.forme_juridique == "Commune" for p in porteurs)
    assert any(p.raison_sociale.startswith(("É", "Œ")) for p in porteurs)
    assert all(p.representant_nom and p.representant_fonction and p.ville for p in porteurs)


def test_statut_histories(db: Database) -> None:
    with db.session() as s:
        dossiers = s.scalars(select(Dossier).options(selectinload(Dossier.lignes))).all()
        transitions: dict[int, list[Transition]] = {}
        for t in s.scalars(select(Transition).order_by(Transition.at, Transition.id)):
            transitions.setdefault(t.dossier_id, []).append(t)
        seen: Counter[str] = Counter()
        for d in dossiers:
            history = transitions[d.id]
            assert history[0].de_statut is None and history[0].vers_statut == Statut.DEPOSE
            assert history[-1].vers_statut == d.statut, d.reference
            current, decision = Statut.DEPOSE, None
            for t in history[1:]:
                assert t.de_statut == current
                target = Statut(t.vers_statut)
                assert target in allowed_targets(current, decision) or is_reopening(current, target)
                if target in (Statut.IRRECEVABLE, Statut.AJOURNE, Statut.REFUSE, Statut.NON_REALISE):
                    assert (t.motivation or "").strip()
                if target in DECISIONS:
                    decision = target
                current = target
            assert (d.decision or None) == (decision.value if decision else None)
            if d.statut in ("instruit", "en_comite") or d.decision:
                assert instruction_missing(d) == [], d.reference
            seen[d.statut] += 1
        for statut in ("depose", "en_instruction", "instruit", "en_comite", "notifie", "solde"):
            assert seen[statut] > 0, statut
        soldes = {d.id for d in dossiers if d.statut == "solde"}
        suivis = {x.dossier_id for x in s.scalars(select(Suivi)) if x.crf_recu_le is not None}
        assert soldes <= suivis


def test_comite_agenda_and_evaluations(db: Database, demo: tuple[Path, DemoSummary]) -> None:
    with db.session() as s:
        points = s.scalars(
            select(ComitePoint)
            .where(ComitePoint.comite_id == demo[1].comite_id)
            .order_by(ComitePoint.position)
        ).all()
        en_comite = s.scalars(select(Dossier).where(Dossier.statut == "en_comite")).all()
        assert {p.dossier_id for p in points} == {d.id for d in en_comite}
        assert all(p.decision is None for p in points)
        # Ordered by objectif (cadre order), then référence.
        objectifs = {o.id: o for o in s.scalars(select(Objectif))}
        by_id = {d.id: d for d in en_comite}
        codes = [by_id[p.dossier_id] for p in points]
        assert codes == sorted(codes, key=lambda d: (_tree_key(objectifs, d.objectif_id), d.reference))
        nb_criteres = s.scalar(select(func.count()).select_from(Critere))
        for e in s.scalars(select(Evaluation).options(selectinload(Evaluation.notes))):
            if e.conflit:
                assert e.notes == [] and e.conflit_motif
            else:
                assert len(e.notes) == nb_criteres
                assert all(0 <= n.valeur <= 3 for n in e.notes)


def _tree_key(objectifs: dict[int, Objectif], objectif_id: int | None) -> tuple[int, ...]:
    path: list[int] = []
    current = objectifs.get(objectif_id) if objectif_id is not None else None
    while current is not None:
        path.append(current.position)
        current = objectifs.get(current.parent_id) if current.parent_id is not None else None
    return tuple(reversed(path))


def test_reproducible(tmp_path: Path, demo: tuple[Path, DemoSummary]) -> None:
    same = tmp_path / "same.sqlite"
    other = tmp_path / "other.sqlite"
    create_demo(same, dossiers=N, seed=7)
    create_demo(other, dossiers=N, seed=8)
    assert digest(same) == digest(demo[0])
    assert digest(other) != digest(demo[0])


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    existing = tmp_path / "mes-dossiers.sqlite"
    existing.write_bytes(b"precious data")
    with pytest.raises(UserError, match="existe déjà"):
        create_demo(existing, dossiers=20)
    assert existing.read_bytes() == b"precious data"


@pytest.mark.parametrize(
    "code",
    [
        "saint-omer-2024",
        "henin-carvin-2015",
        "calaisis-2015",
    ],
)
def test_other_referentiels(tmp_path: Path, code: str) -> None:
    path = tmp_path / f"{code}.sqlite"
    summary = create_demo(path, dossiers=30, referentiel=code)
    assert summary.nb_dossiers == 30
    database = open_database(path)
    try:
        with database.session() as s:
            assert s.scalar(select(func.count()).select_from(Dossier)) == 30
    finally:
        database.close()


def test_failed_demo_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "rate.sqlite"
    with pytest.raises(UserError):
        create_demo(path, dossiers=10, referentiel="inconnu")
    assert not path.exists()


def test_both_engines_and_refuses_a_database_with_data(engine_url: str) -> None:
    summary = create_demo(engine_url, dossiers=40)
    assert summary.nb_dossiers == 40
    database = open_database(engine_url)
    try:
        with database.session() as s:
            assert s.scalar(select(func.count()).select_from(Dossier)) == 40
    finally:
        database.close()
    # Primary keys were assigned by the generator: new rows must still get fresh ids (sequences).
    from instructeur.services.porteurs import PorteurData, PorteurService

    database = open_database(engine_url)
    try:
        assert PorteurService(database, user="test").create(PorteurData("Nouvelle association")) > 0
    finally:
        database.close()
    with pytest.raises(UserError):  # an existing file, or a server database that holds a contrat
        create_demo(engine_url, dossiers=40)
