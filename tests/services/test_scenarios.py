"""Scénarios of a comité (docs/COMITE_API.md), on SQLite and PostgreSQL: created from the
proposals or empty, edited, compared against the enveloppes, retained as the séance's proposals;
the real decisions are never touched."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instructeur.errors import ValidationError
from instructeur.services.comites import ComiteService
from instructeur.services.scenarios import ScenarioService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, LigneFinancement
from tests.services.test_comites import _setup


def test_scenarios_compare_and_become_proposals(db: Database) -> None:
    setup = _setup(db, 6)
    world = setup.world
    etat, epci = world.financeurs["ETAT"], world.financeurs["EPCI"]
    service = ComiteService(db, user="claire")
    scenarios = ScenarioService(db, user="claire")
    comite_id = service.create(world.campagne_id, "financeurs", None, None, [])
    service.add_points(comite_id, setup.dossiers)
    agenda = service.agenda(comite_id)

    haut = scenarios.create_scenario(comite_id, "Hypothèse haute")
    bas = scenarios.create_scenario(comite_id, "Hypothèse basse", from_proposals=False)
    with pytest.raises(ValidationError, match="existe déjà"):
        scenarios.create_scenario(comite_id, "Hypothèse haute")
    assert scenarios.scenarios(comite_id) == [(haut, "Hypothèse haute"), (bas, "Hypothèse basse")]
    lines = scenarios.scenario_lines(haut)
    assert set(lines) == set(setup.dossiers)
    p = agenda[0]
    assert lines[p.dossier_id] == (
        "retenu",
        {m.financeur_id: m.propose_cents for m in p.montants if m.propose_cents},
    )
    assert all(
        decision is None and not amounts for decision, amounts in scenarios.scenario_lines(bas).values()
    )

    scenarios.set_scenario_line(haut, agenda[1].dossier_id, "retenu", {etat: 8_000_00, epci: 2_000_00})
    scenarios.set_scenario_line(bas, agenda[0].dossier_id, "retenu", {etat: 1_000_00})
    scenarios.set_scenario_line(bas, agenda[1].dossier_id, "refuse", {})
    with pytest.raises(ValidationError, match="coût total"):
        scenarios.set_scenario_line(bas, agenda[2].dossier_id, "retenu", {etat: 99_000_000_00})
    with pytest.raises(ValidationError, match="retenue"):
        scenarios.set_scenario_line(bas, agenda[2].dossier_id, "ajourne", {etat: 1})

    compared = scenarios.compare_scenarios([haut, bas])
    haut_lines = scenarios.scenario_lines(haut)
    expected_etat = sum(
        amounts.get(etat, 0) for decision, amounts in haut_lines.values() if decision == "retenu"
    )
    state = {e.code: e for e in compared[haut].enveloppes}
    assert state["ETAT"].vote_cents == expected_etat
    assert state["ETAT"].reste_cents == 100_000_00 - expected_etat
    assert state["ETAT"].exceeded is (expected_etat > 100_000_00)
    assert compared[haut].nb_decides == 6
    low = {e.code: e for e in compared[bas].enveloppes}
    assert low["ETAT"].vote_cents == 1_000_00 and not low["ETAT"].exceeded
    assert compared[bas].nb_decides == 2

    # Real decisions are untouched.
    with db.session() as s:
        assert {d.statut for d in s.scalars(select(Dossier))} == {"en_comite"}
        assert all(ligne.vote_cents is None for ligne in s.scalars(select(LigneFinancement)))
    assert service.tableau(comite_id).total_vote_cents == 0

    # « Hypothèse basse » becomes the séance's proposals.
    scenarios.scenario_to_proposals(bas)
    agenda = service.agenda(comite_id)
    first = {m.financeur_id: m.propose_cents for m in agenda[0].montants}
    assert first[etat] == 1_000_00 and first[epci] == 0
    assert all(m.propose_cents == 0 for m in agenda[1].montants)  # refusé
    assert agenda[2].montants[0].propose_cents == setup_proposal(
        db, agenda[2].dossier_id, etat
    )  # undecided: kept

    scenarios.delete_scenario(haut)
    assert scenarios.scenarios(comite_id) == [(bas, "Hypothèse basse")]


def setup_proposal(db: Database, dossier_id: int, financeur_id: int) -> int | None:
    with db.session() as s:
        return s.scalar(
            select(LigneFinancement.propose_cents).where(
                LigneFinancement.dossier_id == dossier_id, LigneFinancement.financeur_id == financeur_id
            )
        )
