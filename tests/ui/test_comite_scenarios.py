"""Simulations: scenarios edited, compared with the enveloppes, retained as the séance's proposals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from instructeur.domain.money import format_amount
from instructeur.services.comites import ComiteService
from instructeur.services.scenarios import ScenarioService
from tests.ui.test_seance import Demo, FakeDialogs, make_demo
from ui.comite.scenario_models import ComparisonModel, ScenarioLinesModel
from ui.comite.scenarios import ScenariosWindow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    d = make_demo(tmp_path, points=12, dossiers=150)
    yield d
    d.db.close()


def make_window(qtbot: QtBot, demo: Demo, dialogs: FakeDialogs) -> ScenariosWindow:
    win = ScenariosWindow(demo.db, demo.comite_id, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


def test_scenarios_edit_compare_and_retain(qtbot: QtBot, qtmodeltester, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    svc = ComiteService(demo.db)
    scen = ScenarioService(demo.db)
    dialogs = FakeDialogs()
    win = make_window(qtbot, demo, dialogs)
    assert win.banner.text() == "Simulation — ne modifie aucune décision" and win.banner.isVisible()
    assert not win.lines.isEnabled()

    a = win.new_scenario(nom="Scénario A")
    b = win.new_scenario(nom="Scénario B")
    c = win.new_scenario(nom="Scénario C", from_proposals=False)
    assert a and b and c
    assert [nom for _i, nom in scen.scenarios(demo.comite_id)] == ["Scénario A", "Scénario B", "Scénario C"]
    assert win.current_scenario() == c

    # Edit scenario B: amounts typed French style, a decision changed.
    win.list.setCurrentRow(1)
    assert win.current_scenario() == b
    m: ScenarioLinesModel = win.lines_model
    qtmodeltester.check(m)
    assert m.rowCount() == 12
    points = win.points
    fcol = {fid: len(m.FIXED) + n for n, (fid, _code) in enumerate(m.financeurs)}
    # The financeur with the smallest enveloppe gets every demand: it must overflow.
    t0 = svc.tableau(demo.comite_id)
    env = {e.financeur_id: e for e in t0.enveloppes}
    target = min((fid for fid in fcol if env[fid].enveloppe_cents > 0), key=lambda f: env[f].enveloppe_cents)
    for row, p in enumerate(points):
        # other financeurs of the line cleared first, so the total stays within the coût total
        for fid, col in fcol.items():
            if fid != target and m.index(row, col).data(Qt.ItemDataRole.EditRole):
                assert m.setData(m.index(row, col), "")
        cout = p.cout_total_cents
        assert m.setData(m.index(row, fcol[target]), f"{cout // 100:,}".replace(",", " ")), m.last_error
    lines = scen.scenario_lines(b)
    assert all(lines[p.dossier_id] == ("retenu", {target: p.cout_total_cents // 100 * 100}) for p in points)
    assert m.index(0, fcol[target]).data() == format_amount(points[0].cout_total_cents // 100 * 100)
    assert not m.setData(m.index(0, fcol[target]), "beaucoup")
    assert m.last_error and "illisible" in m.last_error
    assert m.setData(m.index(1, m.DECISION_COL), "refuse")
    assert scen.scenario_lines(b)[points[1].dossier_id] == ("refuse", {})
    assert m.index(1, m.DECISION_COL).data() == "Refusé"

    # Comparison of A and B against the enveloppes (C unchecked).
    win.set_compared([a, b])
    cmp_model: ComparisonModel = win.comparison_model
    qtmodeltester.check(cmp_model)
    tableaux = scen.compare_scenarios([a, b])
    assert cmp_model.names == ["Scénario A", "Scénario B"]
    assert cmp_model.columnCount() == 2 + 4
    assert [cmp_model.headerData(i, Qt.Orientation.Horizontal) for i in range(2, 6)] == [
        "Total Scénario A",
        "Reste Scénario A",
        "Total Scénario B",
        "Reste Scénario B",
    ]
    row = next(r for r, f in enumerate(cmp_model.financeurs) if f[0] == target)
    state_b = next(e for e in tableaux[b].enveloppes if e.financeur_id == target)
    assert state_b.exceeded
    assert cmp_model.index(row, 4).data() == format_amount(state_b.vote_cents)
    assert cmp_model.index(row, 5).data() == format_amount(state_b.reste_cents)
    assert cmp_model.index(row, 5).data(Qt.ItemDataRole.ForegroundRole) is not None  # red
    state_a = next(e for e in tableaux[a].enveloppes if e.financeur_id == target)
    assert cmp_model.index(row, 2).data() == format_amount(state_a.vote_cents)
    assert not state_a.exceeded and cmp_model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    total_row = cmp_model.rowCount() - 1
    assert cmp_model.index(total_row, 4).data() == format_amount(tableaux[b].total_vote_cents)
    assert len(win.charts) == 2
    assert [r.value for r in win.charts[1].rows()] == [e.vote_cents for e in tableaux[b].enveloppes]
    assert any(win.charts[1].exceeded(n) for n in range(len(win.charts[1].rows())))
    assert not win.grab().isNull()

    # No real decision was touched.
    assert all(
        p.decision is None and all(x.vote_cents is None for x in p.montants)
        for p in svc.agenda(demo.comite_id)
    )

    # Rename (a renamed copy) and delete.
    dialogs.texts.append("Scénario prudent")
    new_a = None
    win.list.setCurrentRow(0)
    new_a = win.rename_scenario()
    assert new_a is not None
    names = dict(scen.scenarios(demo.comite_id))
    assert names[new_a] == "Scénario prudent" and a not in names
    assert scen.scenario_lines(new_a) == tableaux_lines(scen, new_a)
    win.list.setCurrentRow([i for i, _n in scen.scenarios(demo.comite_id)].index(c))
    dialogs.confirms.append(True)
    win.delete_scenario()
    assert c not in dict(scen.scenarios(demo.comite_id))

    # Retain B as the séance's proposals (confirmed).
    win.list.setCurrentRow([i for i, _n in scen.scenarios(demo.comite_id)].index(b))
    dialogs.confirms.append(False)
    assert not win.to_proposals()
    dialogs.confirms.append(True)
    assert win.to_proposals()
    agenda = {p.dossier_id: p for p in svc.agenda(demo.comite_id)}
    for did, (decision, votes) in scen.scenario_lines(b).items():
        if decision == "retenu":
            assert {x.financeur_id: x.propose_cents for x in agenda[did].montants if x.propose_cents} == votes
    assert all(p.decision is None for p in agenda.values())


def tableaux_lines(svc: ScenarioService, scenario_id: int) -> dict[int, tuple[str | None, dict[int, int]]]:
    return svc.scenario_lines(scenario_id)


def test_empty_models(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(ScenarioLinesModel())
    qtmodeltester.check(ComparisonModel())
